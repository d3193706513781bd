import { parquetScan } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { DEFAULT_BATCH_SIZE, type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { type Vector, constantVector, sliceVector } from "../../batch/vector.js";
import { type StructType } from "../../types/data-type.js";
import { fieldIndex } from "../../types/schema.js";
import type { FileReadContext } from "../file-format.js";
import type { FileInfo } from "../files/file-info.js";
import { openFileBuffer } from "./parquet-file-buffer.js";
import { readParquetFooter } from "./parquet-metadata.js";
import { rowGroupMayMatch } from "./parquet-stats.js";
import { INTERNAL_PARSERS, decodedToVector } from "./parquet-values.js";

/**
 * Reads the `readSchema` columns of a Parquet file, row group by row group, decoding only those
 * columns. Row groups whose statistics prove the pushed filters false are not decoded at all.
 * Columns of the read schema missing from the file (schema evolution) are null.
 */
export async function* readParquetFile(
  file: FileInfo,
  _dataSchema: StructType,
  readSchema: StructType,
  _options: Readonly<Record<string, string>>,
  ctx: FileReadContext,
): AsyncIterable<RecordBatch> {
  const buf = openFileBuffer(file.path);
  try {
    const footer = await readParquetFooter(buf, file.path);
    const fileSchema = footer.schema;
    // Physical column name per requested field (matched case-insensitively, as Spark does by default).
    const physical = readSchema.fields.map((f) => {
      const i = fieldIndex(fileSchema, f.name);
      return i < 0 ? null : fileSchema.fields[i]!.name;
    });
    const chunkIndex = new Map<string, number>();
    footer.metadata.row_groups[0]?.columns.forEach((c, i) => {
      const p = c.meta_data?.path_in_schema;
      if (p && p.length === 1) chunkIndex.set(p[0]!, i);
    });
    const columns = [...new Set(physical.filter((p): p is string => p !== null))];
    const scan = columns.length > 0
      ? await parquetScan({ file: buf, metadata: footer.decodeMetadata, columns, compressors, utf8: false, parsers: INTERNAL_PARSERS })
      : null;
    let groupStart = 0;
    for (const group of footer.metadata.row_groups) {
      const rows = Number(group.num_rows);
      const start = groupStart;
      groupStart += rows;
      if (rows === 0) continue;
      if (ctx.filters.some((f) => rowGroupMayMatch(f, group, fileSchema, chunkIndex) === false)) {
        if (ctx.metrics) ctx.metrics.rowGroupsSkipped++;
        continue;
      }
      if (ctx.metrics) {
        ctx.metrics.rowGroupsRead++;
        ctx.metrics.rowsDecoded += rows;
      }
      const decoded = new Map<string, Promise<Vector>>();
      const vectors: Vector[] = [];
      for (let c = 0; c < readSchema.fields.length; c++) {
        const f = readSchema.fields[c]!;
        const p = physical[c];
        if (p === null || p === undefined || scan === null) {
          vectors.push(constantVector(f.dataType, null, rows));
          continue;
        }
        let v = decoded.get(p);
        if (v === undefined) {
          v = scan.readColumn({ column: p, rowStart: start, rowEnd: start + rows }).then((data) => decodedToVector(f.dataType, data, rows));
          decoded.set(p, v);
        }
        vectors.push(await v);
      }
      for (let s = 0; s < rows; s += DEFAULT_BATCH_SIZE) {
        const e = Math.min(rows, s + DEFAULT_BATCH_SIZE);
        yield makeBatch(readSchema, s === 0 && e === rows ? vectors : vectors.map((v) => sliceVector(v, s, e)), e - s);
      }
    }
  } finally {
    buf.close();
  }
}
