import type { RecordBatch } from "../../batch/record-batch.js";
import { valueAt } from "../../batch/vector.js";
import type { DataType, StructType } from "../../types/data-type.js";
import { decimalToString } from "../../types/values.js";
import type { FileWriteContext } from "../file-format.js";
import { textWriteCodec } from "../files/compression.js";
import type { DatetimeCodec } from "../files/datetime-codec.js";
import { javaDoubleToString, javaFloatToString } from "../../expr/value-string.js";
import { TextFileSink } from "../files/text-file-io.js";
import { jsonOptions } from "./json-options.js";

type Encoder = (v: unknown) => string;

/** JSON text of an internal value of `t` (never null: callers handle nulls). */
export function jsonEncoder(t: DataType, dt: DatetimeCodec, ignoreNullFields: boolean): Encoder {
  switch (t.kind) {
    case "boolean": return (v) => (v === true || v === 1 ? "true" : "false");
    case "byte": case "short": case "int": case "long": return (v) => String(v);
    case "float": return (v) => numberJson(javaFloatToString(v as number));
    case "double": return (v) => numberJson(javaDoubleToString(v as number));
    case "decimal": return (v) => decimalToString(v as number | bigint, t.scale);
    case "string": return (v) => JSON.stringify(v);
    case "binary": return (v) => `"${Buffer.from(v as Uint8Array).toString("base64")}"`;
    case "date": return (v) => JSON.stringify(dt.formatDate(v as number));
    case "timestamp": return (v) => JSON.stringify(dt.formatTimestamp(v as number));
    case "null": return () => "null";
    case "interval": return (v) => JSON.stringify(v);
    case "array": {
      const e = jsonEncoder(t.elementType, dt, ignoreNullFields);
      return (v) => "[" + (v as unknown[]).map((x) => (x === null ? "null" : e(x))).join(",") + "]";
    }
    case "map": {
      const k = t.keyType.kind === "string" ? (x: unknown): string => JSON.stringify(x) : ((enc: Encoder) => (x: unknown): string => JSON.stringify(unquote(enc(x))))(jsonEncoder(t.keyType, dt, ignoreNullFields));
      const e = jsonEncoder(t.valueType, dt, ignoreNullFields);
      return (v) => {
        const parts: string[] = [];
        for (const [kk, x] of v as Map<unknown, unknown>) parts.push(k(kk) + ":" + (x === null ? "null" : e(x)));
        return "{" + parts.join(",") + "}";
      };
    }
    case "struct": {
      const keys = t.fields.map((f) => JSON.stringify(f.name) + ":");
      const encs = t.fields.map((f) => jsonEncoder(f.dataType, dt, ignoreNullFields));
      return (v) => {
        const a = v as unknown[];
        let s = "{";
        let first = true;
        for (let i = 0; i < keys.length; i++) {
          const x = a[i];
          if (x === null || x === undefined) {
            if (ignoreNullFields) continue;
            s += (first ? "" : ",") + keys[i] + "null";
          } else s += (first ? "" : ",") + keys[i] + encs[i]!(x);
          first = false;
        }
        return s + "}";
      };
    }
  }
}

/** NaN and infinities are written as strings, as Jackson does by default. */
function numberJson(s: string): string {
  return s === "NaN" || s === "Infinity" || s === "-Infinity" ? `"${s}"` : s;
}

function unquote(s: string): string {
  return s.startsWith('"') ? (JSON.parse(s) as string) : s;
}

/** Writes one JSON object per line; null fields are left out unless ignoreNullFields=false. */
export async function writeJsonFile(
  path: string,
  schema: StructType,
  batches: AsyncIterable<RecordBatch>,
  options: Readonly<Record<string, string>>,
  ctx: FileWriteContext,
): Promise<void> {
  const opts = jsonOptions(options, ctx.timeZone);
  const keys = schema.fields.map((f) => JSON.stringify(f.name) + ":");
  const encs = schema.fields.map((f) => jsonEncoder(f.dataType, opts.datetime, opts.ignoreNullFields));
  const sep = opts.lineSep ?? "\n";
  const sink = await TextFileSink.open(path, textWriteCodec(options), opts.encoding);
  try {
    for await (const b of batches) {
      const lines = new Array<string>(b.numRows);
      for (let r = 0; r < b.numRows; r++) {
        let s = "{";
        let first = true;
        for (let c = 0; c < keys.length; c++) {
          const x = valueAt(b.columns[c]!, r);
          if (x === null) {
            if (opts.ignoreNullFields) continue;
            s += (first ? "" : ",") + keys[c] + "null";
          } else s += (first ? "" : ",") + keys[c] + encs[c]!(x);
          first = false;
        }
        lines[r] = s + "}";
      }
      if (lines.length > 0) await sink.write(lines.join(sep) + sep);
    }
  } catch (e) {
    await sink.abort();
    throw e;
  }
  await sink.close();
}
