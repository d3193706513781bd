import { DEFAULT_BATCH_SIZE, type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { VectorBuilder } from "../../batch/vector.js";
import type { StructType } from "../../types/data-type.js";
import type { FileReadContext } from "../file-format.js";
import type { FileInfo } from "../files/file-info.js";
import { corruptColumnIndex, malformedRecordError } from "../files/parse-mode.js";
import { readTextFile } from "../files/text-file-io.js";
import { BAD_VALUE } from "../files/text-value.js";
import { type JsonConverter, jsonConverter } from "./json-converters.js";
import { jsonOptions } from "./json-options.js";
import { MALFORMED, jsonRecordTexts, parseJsonRecord } from "./json-records.js";
import { NumberText } from "./json-text-parser.js";

/**
 * Reads a JSON Lines file (or one multi-line document): each record is parsed with JSON.parse
 * and its fields are written straight into column builders, no row objects in between.
 * Malformed records follow `mode`: PERMISSIVE keeps the row (bad fields null, raw text in the
 * corrupt-record column when the schema has it), DROPMALFORMED drops it, FAILFAST throws
 * naming the file and line.
 */
export async function* readJsonFile(
  file: FileInfo,
  _dataSchema: StructType,
  readSchema: StructType,
  options: Readonly<Record<string, string>>,
  ctx: FileReadContext,
): AsyncIterable<RecordBatch> {
  const opts = jsonOptions(options, ctx.timeZone);
  const records = jsonRecordTexts(await readTextFile(file.path, opts.encoding), opts);
  const fields = readSchema.fields;
  const width = fields.length;
  const corrupt = corruptColumnIndex(readSchema, opts.corruptColumn);
  const names = fields.map((f) => f.name);
  const convs: (JsonConverter | null)[] = fields.map((f, i) => (i === corrupt ? null : jsonConverter(f.dataType, opts.datetime)));
  const scratch = new Array<unknown>(width).fill(null);
  let builders = fields.map((f) => new VectorBuilder(f.dataType, DEFAULT_BATCH_SIZE));
  let n = 0;
  let total = 0;
  const flush = (): RecordBatch => {
    const b = makeBatch(readSchema, builders.map((x) => x.finish()), n);
    builders = fields.map((f) => new VectorBuilder(f.dataType, DEFAULT_BATCH_SIZE));
    total += n;
    n = 0;
    return b;
  };
  const emitBad = (text: string, line: number): void => {
    if (opts.mode === "FAILFAST") throw malformedRecordError(file.path, line, text);
    if (opts.mode === "DROPMALFORMED") return;
    for (let c = 0; c < width; c++) builders[c]!.append(c === corrupt ? text : null);
    n++;
  };
  const emitObject = (o: Record<string, unknown>, text: string, line: number): void => {
    let bad = false;
    for (let c = 0; c < width; c++) {
      const conv = convs[c];
      if (conv === null) continue;
      const x = o[names[c]!];
      if (x === null || x === undefined) { scratch[c] = null; continue; }
      const v = conv!(x);
      if (v === BAD_VALUE) { bad = true; scratch[c] = null; } else scratch[c] = v;
    }
    if (bad) {
      if (opts.mode === "FAILFAST") throw malformedRecordError(file.path, line, text);
      if (opts.mode === "DROPMALFORMED") return;
    }
    for (let c = 0; c < width; c++) builders[c]!.append(c === corrupt ? (bad ? text : null) : scratch[c]);
    n++;
  };
  for (const rec of records) {
    const v = parseJsonRecord(rec.text, opts);
    if (v !== MALFORMED && v !== null && typeof v === "object" && !(v instanceof NumberText)) {
      if (Array.isArray(v)) {
        // A top-level array is a list of rows only when every element is an object.
        if (v.every((x) => x !== null && typeof x === "object" && !Array.isArray(x) && !(x instanceof NumberText))) {
          for (const x of v) emitObject(x as Record<string, unknown>, rec.text, rec.line);
        } else emitBad(rec.text, rec.line);
      } else emitObject(v as Record<string, unknown>, rec.text, rec.line);
    } else emitBad(rec.text, rec.line);
    if (n >= DEFAULT_BATCH_SIZE) yield flush();
  }
  if (n > 0) yield flush();
  if (ctx.metrics) ctx.metrics.rowsDecoded += total;
}
