import type { RecordBatch } from "../../batch/record-batch.js";
import { valueAt } from "../../batch/vector.js";
import type { DataType, StructType } from "../../types/data-type.js";
import { decimalToString } from "../../types/values.js";
import type { FileWriteContext } from "../file-format.js";
import { textWriteCodec } from "../files/compression.js";
import { javaDoubleToString, javaFloatToString } from "../../expr/value-string.js";
import { TextFileSink } from "../files/text-file-io.js";
import { type CsvOptions, csvOptions } from "./csv-options.js";

/** Text of a non-null internal value in a CSV field (before quoting). */
function fieldText(t: DataType, o: CsvOptions): (v: unknown) => string {
  switch (t.kind) {
    case "boolean": return (v) => (v === true || v === 1 ? "true" : "false");
    case "float": return (v) => javaFloatToString(v as number);
    case "double": return (v) => javaDoubleToString(v as number);
    case "decimal": return (v) => decimalToString(v as number | bigint, t.scale);
    case "date": return (v) => o.datetime.formatDate(v as number);
    case "timestamp": return (v) => o.datetime.formatTimestamp(v as number);
    case "string": return (v) => v as string;
    default: return (v) => String(v);
  }
}

/**
 * Writes CSV as Spark does: a header line with `header`, fields quoted when they hold the
 * separator, the quote, a line break or start with the comment character (or always with
 * `quoteAll`), quotes inside escaped with `escape`, nulls as `nullValue`, empty strings as `""`.
 */
export async function writeCsvFile(
  path: string,
  schema: StructType,
  batches: AsyncIterable<RecordBatch>,
  options: Readonly<Record<string, string>>,
  ctx: FileWriteContext,
): Promise<void> {
  const o = csvOptions(options, ctx.timeZone, true);
  const sep = o.sep;
  const nl = o.lineSep ?? "\n";
  const q = o.quote;
  const texts = schema.fields.map((f) => fieldText(f.dataType, o));
  const needsQuote = (s: string): boolean =>
    s.includes(sep) || (q !== "" && s.includes(q)) || s.includes("\n") || s.includes("\r") || (o.comment !== "" && s.startsWith(o.comment));
  const quoteEsc = q === "" ? "" : o.escape + q;
  const escape = (s: string): string => {
    if (o.ignoreLeadingWhiteSpace) s = s.trimStart();
    if (o.ignoreTrailingWhiteSpace) s = s.trimEnd();
    if (q === "") return s;
    if (o.quoteAll || needsQuote(s)) return q + (o.escapeQuotes ? s.split(q).join(quoteEsc) : s) + q;
    return s;
  };
  const sink = await TextFileSink.open(path, textWriteCodec(options), o.encoding);
  try {
    if (o.header) await sink.write(schema.fields.map((f) => escape(f.name)).join(sep) + nl);
    for await (const b of batches) {
      const lines = new Array<string>(b.numRows);
      for (let r = 0; r < b.numRows; r++) {
        let s = "";
        for (let c = 0; c < texts.length; c++) {
          if (c > 0) s += sep;
          const v = valueAt(b.columns[c]!, r);
          if (v === null) s += o.quoteAll && o.nullValue !== "" ? q + o.nullValue + q : o.nullValue;
          else {
            const t = texts[c]!(v);
            s += t === "" ? o.emptyValue : escape(t);
          }
        }
        lines[r] = s;
      }
      if (lines.length > 0) await sink.write(lines.join(nl) + nl);
    }
  } catch (e) {
    await sink.abort();
    throw e;
  }
  await sink.close();
}
