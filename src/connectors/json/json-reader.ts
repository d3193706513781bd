import { isAscii } from "node:buffer";
import { DEFAULT_BATCH_SIZE, type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { VectorBuilder } from "../../batch/vector.js";
import type { StructType } from "../../types/data-type.js";
import type { SourceFilter } from "../source-filter.js";
import type { FileReadContext } from "../file-format.js";
import type { FileInfo } from "../files/file-info.js";
import { corruptColumnIndex, malformedRecordError } from "../files/parse-mode.js";
import { splitLines } from "../files/split-lines.js";
import { readBytesSplit, readTextSplit } from "../files/text-file-io.js";
import { BAD_VALUE } from "../files/text-value.js";
import { type JsonConverter, jsonConverter } from "./json-converters.js";
import { JsonFieldScanner } from "./json-field-scanner.js";
import { jsonOptions } from "./json-options.js";
import { MALFORMED, jsonRecordTexts, parseJsonRecord, parseJsonRecordExactly } from "./json-records.js";
import { NumberText } from "./json-text-parser.js";

/** Bytes of lines the scanner decodes at a time when they are ASCII (about: up to the next line end). Strings of 128 KB and more are allocated apart, at a cost per byte that decoding smaller chunks avoids. */
const SCAN_CHUNK = 60_000;

/** Every \r byte is followed by \n. */
function onlyCrLf(bytes: Buffer): boolean {
  for (let i = bytes.indexOf(13); i >= 0; i = bytes.indexOf(13, i + 1)) if (bytes[i + 1] !== 10) return false;
  return true;
}

/** Reader option: "false" reads every record with the general path (tests compare both paths with it). */
export const FIELD_SCANNER_OPTION = "sluice.json.fieldScanner";

const FLAT_KINDS = new Set<string>(["boolean", "byte", "short", "int", "long", "float", "double", "string", "binary", "date", "timestamp", "null"]);

/**
 * Reads a JSON Lines file (or one multi-line document). With a flat read schema each line is
 * first given to a JsonFieldScanner, which extracts the schema's fields in one pass without
 * building an object; lines it does not handle (anything but a strict-JSON flat object whose
 * values the columns accept) and every record otherwise are parsed with JSON.parse (or the
 * lenient parser) and their fields written into column builders, no row objects in between.
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
  // The scanner reads flat schemas (so JSON.parse alone decides rounding, see `rounded`) with distinct names.
  // With pushed filters, the string columns they do not read are sliced only for the records kept.
  const pushed = pushedRowFilter(ctx.filters, readSchema, corrupt);
  const scanner = options[FIELD_SCANNER_OPTION] === "false" || opts.multiLine || checkDigits || opts.encoding !== "utf8" || opts.lineSep !== undefined || new Set(names).size < width ? null
    : new JsonFieldScanner(fields.map((f, c) => (c === corrupt ? null : { name: f.name, convert: convs[c]!, exact: exactCols[c]!, lazy: pushed !== null && f.dataType.kind === "string" && !pushed.reads.has(c) })));
  let builders = fields.map((f) => new VectorBuilder(f.dataType, DEFAULT_BATCH_SIZE));
  let n = 0;
  let total = 0;
  /** Rows the pushed filters dropped (decoded all the same). */
  let skipped = 0;
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
  const general = (text: string, line: number): void => {
    if (!emitRecord(parseJsonRecord(text, opts, checkDigits), text, line)) emitRecord(parseJsonRecordExactly(text, opts), text, line);
  };
  if (scanner === null) {
    const split = await readTextSplit(file, opts.encoding, opts.mode === "FAILFAST");
    for (const rec of jsonRecordTexts(split.text, opts, split.firstLine)) {
      general(rec.text, rec.line);
      if (n >= DEFAULT_BATCH_SIZE) yield flush();
    }
  } else {
    const keep = pushed?.keep ?? null;
    const split = await readBytesSplit(file, opts.mode === "FAILFAST");
    const bytes = split.bytes;
    const len = bytes.length;
    let pos = split.atStart && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    let line = split.firstLine;
    // Lines end at "\n" (or "\r\n": the scanner needs every \r to be one, as splitLines would
    // otherwise also end lines at a lone \r). They are read in chunks of whole lines; an ASCII
    // chunk is decoded once and the scanner slices its strings from it. A line the scanner does
    // not take goes to the general path as jsonRecordTexts would give it (blank lines skipped).
    const crOnlyInCrLf = onlyCrLf(bytes);
    while (pos < len) {
      const cut = pos + SCAN_CHUNK >= len ? -1 : bytes.indexOf(10, pos + SCAN_CHUNK);
      const chunkEnd = cut < 0 ? len : cut + 1;
      const text = isAscii(bytes.subarray(pos, chunkEnd)) ? bytes.toString("latin1", pos, chunkEnd) : null;
      const delta = -pos;
      scanner.chunk(bytes, text, delta);
      while (pos < chunkEnd) {
        let nl = text !== null ? text.indexOf("\n", pos + delta) - delta : bytes.indexOf(10, pos);
        if (nl < pos || nl > chunkEnd) nl = chunkEnd;
        const end = crOnlyInCrLf && nl > pos && bytes[nl - 1] === 13 ? nl - 1 : nl;
        if (end > pos) {
          if (crOnlyInCrLf && scanner.scan(pos, end, scratch)) {
            if (keep === null || keep(scratch)) {
              scanner.materialize(scratch);
              for (let c = 0; c < width; c++) builders[c]!.append(scratch[c]);
              n++;
            } else if (++skipped % DEFAULT_BATCH_SIZE === 0 && n > 0) {
              // A batch holds the chunks its strings are sliced from: one per batch size of lines.
              yield flush();
            }
          } else {
            const l = text !== null ? text.slice(pos + delta, end + delta) : bytes.toString("utf8", pos, end);
            if (crOnlyInCrLf) {
              if (!(l.charCodeAt(0) <= 32 && l.trim() === "")) general(l, line);
            } else {
              // Lines end at a lone \r too: numbered as jsonRecordTexts numbers them.
              for (const rec of jsonRecordTexts(l, opts, line)) general(rec.text, rec.line);
              line += splitLines(l).length - 1;
            }
          }
          if (n >= DEFAULT_BATCH_SIZE) yield flush();
        }
        pos = nl + 1;
        line++;
      }
    }
  }
  if (n > 0) yield flush();
  if (ctx.metrics) ctx.metrics.rowsDecoded += total + skipped;
}

/**
 * A test of the pushed filters that the scanner's rows must pass, or null: equality and IN of
 * string columns, IS NOT NULL of any. A row failing it would be dropped by the Filter above the
 * scan (pushed filters are conjuncts of it), so the reader may skip it; other filters are left
 * to that Filter.
 */
function pushedRowFilter(filters: readonly SourceFilter[], schema: StructType, corrupt: number): { keep: (row: readonly unknown[]) => boolean; reads: ReadonlySet<number> } | null {
  const tests: ((row: readonly unknown[]) => boolean)[] = [];
  const reads = new Set<number>();
  for (const f of filters) {
    if (f.op !== "=" && f.op !== "in" && f.op !== "isNotNull") continue;
    const c = schema.fields.findIndex((x) => x.name === f.column);
    if (c < 0 || c === corrupt) continue;
    const isString = schema.fields[c]!.dataType.kind === "string";
    const before = tests.length;
    if (f.op === "isNotNull") tests.push((row) => row[c] !== null);
    else if (f.op === "=") {
      const v = f.value;
      if (isString && typeof v === "string") tests.push((row) => row[c] === v);
    } else if (f.op === "in" && isString && f.values.every((v) => typeof v === "string" || v === null)) {
      const set = new Set<unknown>(f.values);
      tests.push((row) => row[c] !== null && set.has(row[c]));
    }
    if (tests.length > before) reads.add(c);
  }
  if (tests.length === 0) return null;
  const keep = tests.length === 1 ? tests[0]! : (row: readonly unknown[]): boolean => tests.every((t) => t(row));
  return { keep, reads };
}
