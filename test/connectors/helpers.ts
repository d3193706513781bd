import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BatchBuilder, type RecordBatch } from "../../src/batch/record-batch.js";
import { valueAt } from "../../src/batch/vector.js";
import { type ScanMetrics } from "../../src/connectors/file-format.js";
import { resolveFileSource } from "../../src/connectors/files/resolve-file-source.js";
import { scanFileSource } from "../../src/connectors/files/scan-file-source.js";
import { type SaveMode, type WriteResult, writeFileSource } from "../../src/connectors/files/write-file-source.js";
import type { SourceFilter } from "../../src/connectors/source-filter.js";
import { type StructType, simpleString } from "../../src/types/data-type.js";
import { parseSchemaDDL } from "../../src/types/ddl.js";
import { toExternal, toInternal } from "../../src/types/values.js";

/** A fresh temporary directory and a function that removes it. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-conn-"));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function batchOf(schema: StructType | string, rows: readonly Record<string, unknown>[]): RecordBatch {
  const s = typeof schema === "string" ? parseSchemaDDL(schema) : schema;
  const b = new BatchBuilder(s, rows.length);
  for (const r of rows) b.appendRow(s.fields.map((f) => toInternal(r[f.name], f.dataType, f.name)));
  return b.finish();
}

export async function* batches(...bs: RecordBatch[]): AsyncIterable<RecordBatch> {
  for (const b of bs) yield b;
}

export function rowsOf(b: RecordBatch): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let r = 0; r < b.numRows; r++) {
    const o: Record<string, unknown> = {};
    b.schema.fields.forEach((f, c) => (o[f.name] = toExternal(valueAt(b.columns[c]!, r), f.dataType)));
    out.push(o);
  }
  return out;
}

export interface ReadResult {
  readonly schema: StructType;
  readonly ddl: string;
  readonly rows: Record<string, unknown>[];
  readonly metrics: ScanMetrics;
  readonly batchSizes: number[];
}

/** Resolves and scans a file source, returning plain rows (collect()'s values). */
export async function readSource(
  format: string,
  paths: string | readonly string[],
  options: Record<string, string> = {},
  opts: { schema?: string; columns?: readonly string[]; filters?: readonly SourceFilter[]; timeZone?: string } = {},
): Promise<ReadResult> {
  const tz = opts.timeZone ?? "UTC";
  const ps = typeof paths === "string" ? [paths] : paths;
  const { schema, resolved } = resolveFileSource(format, ps, options, opts.schema ? parseSchemaDDL(opts.schema) : null, tz);
  const metrics: ScanMetrics = { filesRead: 0, filesSkipped: 0, rowGroupsRead: 0, rowGroupsSkipped: 0, rowsDecoded: 0 };
  const rows: Record<string, unknown>[] = [];
  const batchSizes: number[] = [];
  for await (const b of scanFileSource(format, resolved, schema, opts.columns ?? null, opts.filters ?? [], options, tz, metrics)) {
    batchSizes.push(b.numRows);
    rows.push(...rowsOf(b));
  }
  return { schema, ddl: ddlOf(schema), rows, metrics, batchSizes };
}

export function ddlOf(s: StructType): string {
  return s.fields.map((f) => `${f.name} ${simpleString(f.dataType)}`).join(", ");
}

export async function writeSource(
  format: string,
  dir: string,
  schema: string,
  rows: readonly Record<string, unknown>[],
  options: Record<string, string> = {},
  mode: SaveMode = "errorifexists",
  partitionBy: readonly string[] = [],
): Promise<WriteResult> {
  const s = parseSchemaDDL(schema);
  return writeFileSource(format, dir, mode, partitionBy, options, s, batches(batchOf(s, rows)), "UTC");
}

export function writeText(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/**
 * A generated column's golden digest: numbers summed, strings FNV-1a hashed in order. Generator
 * tests pin every value with these, so a faster generator must give the same events (benchmark
 * answers and checkpointed offsets depend on them).
 */
export function columnDigest(c: Float64Array | readonly string[]): string {
  if (c instanceof Float64Array) return String(c.reduce((x, y) => x + y, 0));
  let h = 0x811c9dc5;
  for (const s of c) for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}
