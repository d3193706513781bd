import { DEFAULT_BATCH_SIZE, type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { VectorBuilder } from "../../batch/vector.js";
import { FileFormatError } from "../../errors/errors.js";
import type { StructType } from "../../types/data-type.js";
import type { FileReadContext } from "../file-format.js";
import type { FileInfo } from "../files/file-info.js";
import { corruptColumnIndex, malformedRecordError } from "../files/parse-mode.js";
import { readTextFile } from "../files/text-file-io.js";
import { BAD_VALUE, type TextConverter, textConverter } from "../files/text-value.js";
import { headerNames } from "./csv-infer.js";
import { csvOptions } from "./csv-options.js";
import { parseCsvText } from "./csv-parser.js";

/**
 * Reads a CSV file: fields are mapped by position to `dataSchema` (the corrupt-record column
 * excluded), converted and appended straight into column builders for `readSchema`. A record
 * with the wrong number of fields or an unconvertible field is malformed (see `mode`).
 */
export async function* readCsvFile(
  file: FileInfo,
  dataSchema: StructType,
  readSchema: StructType,
  options: Readonly<Record<string, string>>,
  ctx: FileReadContext,
): AsyncIterable<RecordBatch> {
  const o = csvOptions(options, ctx.timeZone);
  const text = await readTextFile(file.path, o.encoding);
  const dataCorrupt = corruptColumnIndex(dataSchema, o.corruptColumn);
  const tokenFields = dataSchema.fields.filter((_, i) => i !== dataCorrupt);
  const width = readSchema.fields.length;
  const corrupt = corruptColumnIndex(readSchema, o.corruptColumn);
  const tokenPos = readSchema.fields.map((f, i) => (i === corrupt ? -1 : tokenFields.findIndex((t) => t.name === f.name)));
  const convs: (TextConverter | null)[] = readSchema.fields.map((f, i) => (i === corrupt ? null : textConverter(f.dataType, o.datetime, o.words)));
  const isString = readSchema.fields.map((f) => f.dataType.kind === "string");
  const scratch = new Array<unknown>(width).fill(null);
  let builders = readSchema.fields.map((f) => new VectorBuilder(f.dataType, DEFAULT_BATCH_SIZE));
  const out: RecordBatch[] = [];
  let n = 0;
  let total = 0;
  let headerSeen = !o.header;
  const flush = (): void => {
    out.push(makeBatch(readSchema, builders.map((x) => x.finish()), n));
    builders = readSchema.fields.map((f) => new VectorBuilder(f.dataType, DEFAULT_BATCH_SIZE));
    total += n;
    n = 0;
  };
  parseCsvText(text, o, (rec) => {
    if (!headerSeen) {
      headerSeen = true;
      if (!o.enforceSchema) checkHeader(headerNames(rec.fields.slice(0, rec.count), true), tokenFields.map((f) => f.name), file.path);
      return;
    }
    let bad = rec.count !== tokenFields.length;
    for (let c = 0; c < width; c++) {
      const p = tokenPos[c]!;
      if (p < 0 || p >= rec.count) { scratch[c] = null; continue; }
      const raw = rec.fields[p]!;
      const quoted = rec.quoted[p] === 1;
      if (!quoted && raw === o.nullValue) { scratch[c] = null; continue; }
      if (raw === "" && !isString[c]) { scratch[c] = null; continue; }
      if (quoted && raw === "") { scratch[c] = isString[c] ? o.emptyValue : null; continue; }
      const v = convs[c]!(raw);
      if (v === BAD_VALUE) { bad = true; scratch[c] = null; } else scratch[c] = v;
    }
    if (bad) {
      const rawText = text.slice(rec.start, rec.end);
      if (o.mode === "FAILFAST") throw malformedRecordError(file.path, rec.line, rawText);
      if (o.mode === "DROPMALFORMED") return;
      if (corrupt >= 0) scratch[corrupt] = rawText;
    } else if (corrupt >= 0) scratch[corrupt] = null;
    for (let c = 0; c < width; c++) builders[c]!.append(scratch[c]);
    n++;
    if (n >= DEFAULT_BATCH_SIZE) flush();
  });
  if (n > 0) flush();
  if (ctx.metrics) ctx.metrics.rowsDecoded += total;
  for (const b of out) yield b;
}

function checkHeader(header: readonly string[], expected: readonly string[], file: string): void {
  const ok = header.length === expected.length && header.every((h, i) => h.toLowerCase() === expected[i]!.toLowerCase());
  if (!ok) {
    throw new FileFormatError(
      "CSV_HEADER_MISMATCH",
      `CSV header does not conform to the schema.\n Header: ${header.join(", ")}\n Schema: ${expected.join(", ")}\nCSV file: file:${file}`,
    );
  }
}

