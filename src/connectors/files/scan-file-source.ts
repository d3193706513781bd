import { type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { type Vector, constantVector } from "../../batch/vector.js";
import { AnalysisError } from "../../errors/errors.js";
import { type StructType, structType } from "../../types/data-type.js";
import { fieldIndex } from "../../types/schema.js";
import { type ScanMetrics, getFileFormat } from "../file-format.js";
import type { SourceFilter } from "../source-filter.js";
import { evalPartitionFilter } from "./partition-filter.js";
import type { ResolvedFiles } from "./resolve-file-source.js";

/**
 * Reads a resolved file source: batches holding `requiredColumns` (all columns when null) in
 * `schema` order, partition values filled in. Files whose partition values cannot pass the
 * filters are skipped; formats may skip more (Parquet row groups by min/max statistics). The
 * filters are hints: the engine filters rows again above the scan.
 */
export async function* scanFileSource(
  format: string,
  resolved: ResolvedFiles,
  schema: StructType,
  requiredColumns: readonly string[] | null,
  filters: readonly SourceFilter[],
  options: Readonly<Record<string, string>>,
  timeZone: string,
  metrics?: ScanMetrics,
): AsyncIterable<RecordBatch> {
  const ff = getFileFormat(format);
  const wanted = requiredColumns === null ? schema.fields : schema.fields.filter((f) => requiredColumns.some((r) => r.toLowerCase() === f.name.toLowerCase()));
  if (requiredColumns !== null) {
    for (const r of requiredColumns) {
      if (fieldIndex(schema, r) < 0) throw new AnalysisError("UNRESOLVED_COLUMN", `Column \`${r}\` is not in the schema of ${resolved.paths.join(", ")}.`);
    }
  }
  const outSchema = structType(wanted);
  // Each output column comes from the file (data index) or the directory (partition index).
  const sources = wanted.map((f) => {
    const p = fieldIndex(resolved.partitionSchema, f.name);
    return p >= 0 ? { partition: p, data: -1 } : { partition: -1, data: fieldIndex(resolved.dataSchema, f.name) };
  });
  const readSchema = structType(sources.filter((s) => s.data >= 0).map((s) => resolved.dataSchema.fields[s.data]!));
  const readPos = new Map<number, number>();
  readSchema.fields.forEach((f, i) => readPos.set(fieldIndex(resolved.dataSchema, f.name), i));
  for (const pf of resolved.files) {
    const prune = filters.some((f) => evalPartitionFilter(f, resolved.partitionSchema, pf.partitionValues) === false);
    if (prune) {
      if (metrics) metrics.filesSkipped++;
      continue;
    }
    if (metrics) metrics.filesRead++;
    const batches = ff.readFile(pf.file, resolved.dataSchema, readSchema, options, { timeZone, filters, metrics });
    for await (const b of batches) {
      if (b.numRows === 0) continue;
      const cols: Vector[] = sources.map((s) =>
        s.partition >= 0
          ? constantVector(resolved.partitionSchema.fields[s.partition]!.dataType, pf.partitionValues[s.partition] ?? null, b.numRows)
          : b.columns[readPos.get(s.data)!]!,
      );
      yield makeBatch(outSchema, cols, b.numRows);
    }
  }
}

