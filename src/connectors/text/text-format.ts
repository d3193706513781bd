import { DEFAULT_BATCH_SIZE, type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { makeVector } from "../../batch/vector.js";
import { AnalysisError } from "../../errors/errors.js";
import { StringType, type StructType, simpleString, structField, structType } from "../../types/data-type.js";
import type { FileFormat, FileReadContext } from "../file-format.js";
import { codecSuffix, textWriteCodec } from "../files/compression.js";
import type { FileInfo } from "../files/file-info.js";
import { FileOptions } from "../files/file-options.js";
import { TextFileSink, readTextSplit } from "../files/text-file-io.js";
import { splitLines } from "../files/split-lines.js";

const TEXT_SCHEMA = structType([structField("value", StringType, true)]);

/** Spark's `text` source: one `value STRING` row per line (or per file with `wholetext`). */
export const textFormat: FileFormat = {
  name: "text",
  inferSchema: () => TEXT_SCHEMA,
  readFile: readTextFormatFile,
  writeFile: writeTextFormatFile,
  checkWriteSchema(schema) {
    if (schema.fields.length !== 1 || schema.fields[0]!.dataType.kind !== "string") {
      const shown = schema.fields.map((f) => `${f.name} ${simpleString(f.dataType)}`).join(", ");
      throw new AnalysisError(
        "UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE",
        `Text data source supports only a single column of string type, and you have ${schema.fields.length} column(s): (${shown}).`,
      );
    }
  },
  extension: (options) => ".txt" + codecSuffix(textWriteCodec(options)),
};

async function* readTextFormatFile(
  file: FileInfo,
  _dataSchema: StructType,
  readSchema: StructType,
  options: Readonly<Record<string, string>>,
  ctx: FileReadContext,
): AsyncIterable<RecordBatch> {
  const o = new FileOptions(options);
  const { text } = await readTextSplit(file, (o.get("encoding") ?? o.get("charset") ?? "utf8") as BufferEncoding);
  const lines = o.bool("wholetext", false) ? [text] : splitLines(text, o.get("lineSep"));
  if (ctx.metrics) ctx.metrics.rowsDecoded += lines.length;
  for (let start = 0; start < lines.length; start += DEFAULT_BATCH_SIZE) {
    const end = Math.min(lines.length, start + DEFAULT_BATCH_SIZE);
    const cols = readSchema.fields.length === 0 ? [] : [makeVector(StringType, end - start, lines.slice(start, end), null)];
    yield makeBatch(readSchema, cols, end - start);
  }
}

async function writeTextFormatFile(
  path: string,
  schema: StructType,
  batches: AsyncIterable<RecordBatch>,
  options: Readonly<Record<string, string>>,
): Promise<void> {
  textFormat.checkWriteSchema(schema);
  const o = new FileOptions(options);
  const sep = o.get("lineSep") ?? "\n";
  const sink = await TextFileSink.open(path, textWriteCodec(options));
  try {
    for await (const b of batches) {
      const col = b.columns[0]!;
      const vals = col.values as unknown[];
      let chunk = "";
      for (let i = 0; i < b.numRows; i++) {
        // Spark writes a null value as an empty line.
        if (col.nulls === null || col.nulls[i] !== 1) chunk += vals[i] as string;
        chunk += sep;
      }
      await sink.write(chunk);
    }
  } catch (e) {
    await sink.abort();
    throw e;
  }
  await sink.close();
}
