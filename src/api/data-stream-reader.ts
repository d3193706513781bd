import { Expr as E } from "../expr/expression.js";
import { Plan } from "../plan/logical-plan.js";
import { streamSource } from "../streaming/stream-source-registry.js";
import type { StructType } from "../types/data-type.js";
import type { DataFrame } from "./dataframe.js";
import { type SchemaLike, toStructType } from "./dataframe-reader.js";
import type { Session } from "./session.js";
import "../streaming/file-stream-source.js";
import "../connectors/rate/rate-source.js";
import "../connectors/socket/socket-source.js";
import "../connectors/nexmark/nexmark-stream-source.js";
import "../connectors/smart-meter/smart-meter-source.js";
import "../connectors/redis/index.js";
import "../connectors/kafka/index.js";

/**
 * `spark.readStream`: a streaming DataFrame from a streaming connector — files (json, csv, text,
 * parquet: a schema is required unless `sluice.sql.streaming.schemaInference` is true), `rate`,
 * `rate-micro-batch`, `socket` (host, port; not replayable), or any registered source.
 *
 * @example
 * const events = spark.readStream.format("json").schema("id INT, ts TIMESTAMP").option("maxFilesPerTrigger", 1).load("/in");
 * events.isStreaming; // true
 */
export class DataStreamReader {
  private fmt = "parquet";
  private userSchema: StructType | null = null;
  private readonly opts: Record<string, string> = {};

  constructor(private readonly session: Session) {}

  format(source: string): this {
    this.fmt = source.toLowerCase();
    return this;
  }
  schema(schema: SchemaLike): this {
    this.userSchema = toStructType(schema);
    return this;
  }
  option(key: string, value: string | number | boolean): this {
    this.opts[key] = String(value);
    return this;
  }
  options(options: Record<string, string | number | boolean>): this {
    for (const [k, v] of Object.entries(options)) this.option(k, v);
    return this;
  }

  load(path?: string): DataFrame {
    const paths = path !== undefined ? [path] : this.opts["path"] !== undefined ? [this.opts["path"]] : [];
    const provider = streamSource(this.fmt).resolve({ session: this.session, paths, options: { ...this.opts }, userSchema: this.userSchema });
    const output = provider.schema.fields.map((f) => E.attr(f.name, f.dataType, f.nullable));
    return this.session.dataFrame(
      Plan.dataSource({ format: this.fmt, paths, options: { ...this.opts }, schema: provider.schema, output, isStreaming: true, pushedFilters: [], requiredColumns: null, resolved: provider }),
    );
  }

  json(path: string): DataFrame {
    return this.format("json").load(path);
  }
  csv(path: string): DataFrame {
    return this.format("csv").load(path);
  }
  text(path: string): DataFrame {
    return this.format("text").load(path);
  }
  parquet(path: string): DataFrame {
    return this.format("parquet").load(path);
  }
}
