import { type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { type Vector, VectorBuilder, makeVector } from "../../batch/vector.js";
import { type CastFn, type CastMode, compileCast } from "../../expr/cast.js";
import { ExecutionError, SluiceError } from "../../errors/errors.js";
import { type StructType, StringType, mapType, simpleString, structField, structType } from "../../types/data-type.js";
import type { RawEntry } from "./redis-connection.js";

/** `id STRING, stream STRING, fields MAP<STRING,STRING>`: every entry, whatever its fields. */
export const REDIS_BASE_FIELDS = [structField("id", StringType, false), structField("stream", StringType, false), structField("fields", mapType(StringType, StringType, false), false)];

/** The source's schema: the base columns, then the `schema` option's fields as nullable columns. */
export function redisSourceSchema(fieldSchema: StructType | null): StructType {
  return structType([...REDIS_BASE_FIELDS, ...(fieldSchema?.fields ?? [])]);
}

/**
 * Turns raw XRANGE replies into batches of the source schema. Typed columns take the entry
 * field of the same name, cast from its string as `CAST(value AS type)` does (ANSI mode fails
 * on a malformed value, naming the entry; legacy mode gives null); a missing field is null.
 */
export class RedisRowConverter {
  private readonly casts: CastFn[];
  private readonly fieldIndex = new Map<string, number>();

  constructor(
    readonly schema: StructType,
    private readonly fieldSchema: StructType | null,
    castMode: CastMode,
    timeZone: string,
  ) {
    const fs = fieldSchema?.fields ?? [];
    this.casts = fs.map((f) => compileCast(StringType, f.dataType, castMode, timeZone));
    fs.forEach((f, i) => this.fieldIndex.set(f.name, i));
  }

  /** One batch of `entries` (in order) of `stream`. */
  convert(stream: string, entries: readonly RawEntry[]): RecordBatch {
    const n = entries.length;
    const ids = new Array<unknown>(n);
    const streams = new Array<unknown>(n).fill(stream);
    const maps = new Array<unknown>(n);
    const typed = this.fieldSchema?.fields ?? [];
    const builders = typed.map((f) => new VectorBuilder(f.dataType, n));
    const row = new Array<string | null>(typed.length);
    for (let r = 0; r < n; r++) {
      const [id, kv] = entries[r]!;
      ids[r] = id;
      const m = new Map<string, string>();
      row.fill(null);
      for (let k = 0; k + 1 < kv.length; k += 2) {
        const name = kv[k]!, value = kv[k + 1]!;
        m.set(name, value);
        if (typed.length > 0) {
          const c = this.fieldIndex.get(name);
          if (c !== undefined) row[c] = value;
        }
      }
      maps[r] = m;
      for (let c = 0; c < typed.length; c++) {
        const text = row[c]!;
        builders[c]!.append(text === null ? null : this.cast(c, text, stream, id));
      }
    }
    const columns: Vector[] = [makeVector(StringType, n, ids, null), makeVector(StringType, n, streams, null), makeVector(this.schema.fields[2]!.dataType, n, maps, null), ...builders.map((b) => b.finish())];
    return makeBatch(this.schema, columns, n);
  }

  private cast(c: number, text: string, stream: string, id: string): unknown {
    try {
      return this.casts[c]!(text);
    } catch (e) {
      const f = this.fieldSchema!.fields[c]!;
      const cls = e instanceof SluiceError ? e.errorClass : "CAST_INVALID_INPUT";
      throw new ExecutionError(cls, `Field '${f.name}' of entry ${id} in Redis stream '${stream}' cannot be read as ${simpleString(f.dataType)} (option 'schema'): ${(e as Error).message}`, { cause: e });
    }
  }
}

/** Keeps only the columns the optimizer asked for (`requiredColumns`, in schema order). */
export function projectBatch(b: RecordBatch, schema: StructType, required: readonly string[] | null): RecordBatch {
  if (required === null) return b;
  const want = new Set(required.map((n) => n.toLowerCase()));
  const idx = schema.fields.map((f, i) => (want.has(f.name.toLowerCase()) ? i : -1)).filter((i) => i >= 0);
  if (idx.length === schema.fields.length) return b;
  return makeBatch(structType(idx.map((i) => schema.fields[i]!)), idx.map((i) => b.columns[i]!), b.numRows);
}

