import { IllegalArgumentError } from "../errors/errors.js";
import { isFileFormat } from "../connectors/file-format.js";
import { batchSource, type SaveMode, type WriteResult } from "../connectors/source-registry.js";
import type { UnknownRow } from "../types/row-type.js";
import type { DataFrame } from "./dataframe.js";
import { OptionsBuilder } from "./options-builder.js";

const MODES: Record<string, SaveMode> = { error: "errorifexists", errorifexists: "errorifexists", append: "append", overwrite: "overwrite", ignore: "ignore" };

/**
 * `df.write`: saves a DataFrame as files (json, csv, text, parquet) or to any registered sink,
 * with Spark's save modes and `partitionBy` directories.
 *
 * @example
 * await df.write.mode("overwrite").partitionBy("day").parquet("/out/events");
 */
export class DataFrameWriter extends OptionsBuilder {
  private saveMode: SaveMode = "errorifexists";
  private parts: string[] = [];

  constructor(private readonly df: DataFrame<UnknownRow>) {
    super("parquet");
  }

  mode(mode: string): this {
    const m = MODES[mode.toLowerCase()];
    if (!m) throw new IllegalArgumentError("INVALID_SAVE_MODE", `[INVALID_SAVE_MODE] The save mode '${mode}' is not valid. Valid save modes include "append", "overwrite", "ignore", "error", "errorifexists".`);
    this.saveMode = m;
    return this;
  }
  partitionBy(...cols: string[]): this {
    this.parts = cols.flat();
    return this;
  }

  async save(path?: string): Promise<WriteResult> {
    const target = path ?? this.opts["path"] ?? "";
    // Files need a path; other sinks (postgres, redis, kafka) are addressed by their options.
    if (!target && isFileFormat(this.fmt)) throw new IllegalArgumentError("PATH_NOT_SPECIFIED", `df.write.${this.fmt}() needs a path.`);
    const provider = batchSource(this.fmt);
    if (!provider.write) throw new IllegalArgumentError("UNSUPPORTED_DATA_SOURCE_FOR_WRITE", `The data source ${this.fmt} does not support batch writes.`);
    const batches = await this.df.collectBatches();
    async function* gen(): AsyncIterable<typeof batches[number]> {
      yield* batches;
    }
    return provider.write(target, this.saveMode, this.parts, this.opts, this.df.schema, gen(), this.df.session.timeZone);
  }

  json(path: string): Promise<WriteResult> {
    return this.format("json").save(path);
  }
  csv(path: string): Promise<WriteResult> {
    return this.format("csv").save(path);
  }
  text(path: string): Promise<WriteResult> {
    return this.format("text").save(path);
  }
  parquet(path: string): Promise<WriteResult> {
    return this.format("parquet").save(path);
  }
}
