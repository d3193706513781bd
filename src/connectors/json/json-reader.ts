import { DEFAULT_BATCH_SIZE, type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { VectorBuilder } from "../../batch/vector.js";
import type { StructType } from "../../types/data-type.js";
import type { FileReadContext } from "../file-format.js";
import type { FileInfo } from "../files/file-info.js";
import { corruptColumnIndex, malformedRecordError } from "../files/parse-mode.js";
import { readTextSplit } from "../files/text-file-io.js";
import { BAD_VALUE } from "../files/text-value.js";
import { type JsonConverter, jsonConverter } from "./json-converters.js";
import { jsonOptions } from "./json-options.js";
import { MALFORMED, jsonRecordTexts, parseJsonRecord, parseJsonRecordExactly } from "./json-records.js";
import { NumberText } from "./json-text-parser.js";

const FLAT_KINDS = new Set<string>(["boolean", "byte", "short", "int", "long", "float", "double", "string", "binary", "date", "timestamp", "null"]);

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
  const split = await readTextSplit(file, opts.encoding, opts.mode === "FAILFAST");
  const records = jsonRecordTexts(split.text, opts, split.firstLine);
  const fields = readSchema.fields;
  const width = fields.length;
  const corrupt = corruptColumnIndex(readSchema, opts.corruptColumn);
  const names = fields.map((f) => f.name);
  const convs: (JsonConverter | null)[] = fields.map((f, i) => (i === corrupt ? null : jsonConverter(f.dataType, opts.datetime)));
  const scratch = new Array<unknown>(width).fill(null);
  // Rounding by JSON.parse shows as a number past 2^53 in a long or string column; those records
  // are parsed again exactly. Decimal and nested columns could hide it, so with those every
  // record is checked for long digit runs before JSON.parse (see parseJsonRecord).
  const checkDigits = fields.some((f) => !FLAT_KINDS.has(f.dataType.kind));
  const exactCols = fields.map((f) => f.dataType.kind === "long" || f.dataType.kind === "string");
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
  /** A long or string column would read a number JSON.parse may have rounded. */
  const rounded = (o: Record<string, unknown>): boolean => {
    if (checkDigits) return false;
    for (let c = 0; c < width; c++) {
      const x = o[names[c]!];
      if (typeof x === "number" && exactCols[c] && Number.isInteger(x) && !Number.isSafeInteger(x)) return true;
    }
    return false;
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
  /** Emits the record's rows; false (nothing emitted) when it must be parsed again exactly. */
  const emitRecord = (v: unknown, text: string, line: number): boolean => {
    if (v === MALFORMED || v === null || typeof v !== "object" || v instanceof NumberText) {
      emitBad(text, line);
      return true;
    }
    if (!Array.isArray(v)) {
      if (rounded(v as Record<string, unknown>)) return false;
      emitObject(v as Record<string, unknown>, text, line);
      return true;
    }
    // A top-level array is a list of rows only when every element is an object.
    if (!v.every((x) => x !== null && typeof x === "object" && !Array.isArray(x) && !(x instanceof NumberText))) {
      emitBad(text, line);
      return true;
    }
    if (v.some((x) => rounded(x as Record<string, unknown>))) return false;
    for (const x of v) emitObject(x as Record<string, unknown>, text, line);
    return true;
  };
  for (const rec of records) {
    if (!emitRecord(parseJsonRecord(rec.text, opts, checkDigits), rec.text, rec.line)) emitRecord(parseJsonRecordExactly(rec.text, opts), rec.text, rec.line);
    if (n >= DEFAULT_BATCH_SIZE) yield flush();
  }
  if (n > 0) yield flush();
  if (ctx.metrics) ctx.metrics.rowsDecoded += total;
}
