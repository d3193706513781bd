import { Expr as E } from "../expr/expression.js";
import { IllegalArgumentError } from "../errors/errors.js";
import { Plan } from "../plan/logical-plan.js";
import { batchSource } from "../connectors/source-registry.js";
import type { StructType } from "../types/data-type.js";
import { parseSchemaOrStruct } from "../types/ddl.js";
import type { DataFrame } from "./dataframe.js";
import { OptionsBuilder } from "./options-builder.js";
import type { Session } from "./session.js";

/** A schema as DDL text, a StructType, or a schema builder result (anything with `structType`). */
export type SchemaLike = string | StructType | { readonly structType: StructType };

export function toStructType(s: SchemaLike): StructType {
  if (typeof s === "string") return parseSchemaOrStruct(s);
  if ("structType" in s) return s.structType;
  return s;
}

/**
 * `spark.read`: loads files (json, csv, text, parquet) or any registered batch source into a
 * DataFrame. The schema is inferred (or taken from `.schema(...)`) when `load` is called.
 *
 * @example
 * const df = spark.read.option("header", true).option("inferSchema", true).csv("/data/sales.csv");
 */
export class DataFrameReader extends OptionsBuilder {
  private userSchema: StructType | null = null;

  constructor(private readonly session: Session) {
    super("parquet");
  }

  schema(schema: SchemaLike): this {
    this.userSchema = toStructType(schema);
    return this;
  }

  load(...paths: string[]): DataFrame {
    const provider = batchSource(this.fmt);
    const all = paths.length ? paths : this.opts["path"] ? [this.opts["path"]] : [];
    if (all.length === 0 && ["json", "csv", "text", "parquet"].includes(this.fmt)) {
      throw new IllegalArgumentError("PATH_NOT_SPECIFIED", `spark.read.${this.fmt}() needs a path.`);
    }
    const { schema, resolved } = provider.resolve(all, this.opts, this.userSchema, this.session.timeZone);
    const output = schema.fields.map((f) => E.attr(f.name, f.dataType, f.nullable));
    return this.session.dataFrame(
      Plan.dataSource({ format: this.fmt, paths: all, options: { ...this.opts }, schema, output, isStreaming: false, pushedFilters: [], requiredColumns: null, resolved }),
    );
  }

  json(...paths: string[]): DataFrame {
    return this.format("json").load(...paths);
  }
  csv(...paths: string[]): DataFrame {
    return this.format("csv").load(...paths);
  }
  text(...paths: string[]): DataFrame {
    return this.format("text").load(...paths);
  }
  parquet(...paths: string[]): DataFrame {
    return this.format("parquet").load(...paths);
  }
  table(name: string): DataFrame {
    return this.session.table(name);
  }
}
