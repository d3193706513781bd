import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { type RecordBatch, makeBatch, takeBatch } from "../../batch/record-batch.js";
import { valueAt } from "../../batch/vector.js";
import { AnalysisError } from "../../errors/errors.js";
import { type DataType, type StructType, structType } from "../../types/data-type.js";
import { formatDate, formatTimestamp } from "../../types/datetime.js";
import { fieldIndex } from "../../types/schema.js";
import { decimalToString } from "../../types/values.js";
import { type FileFormat, getFileFormat } from "../file-format.js";
import { toLocalPath } from "./list-files.js";
import { DEFAULT_PARTITION_NAME, escapePathName } from "./partition-path.js";

export type SaveMode = "errorifexists" | "append" | "overwrite" | "ignore";

export interface WriteResult {
  /** Absolute paths of the files written. */
  readonly files: string[];
  readonly rows: number;
}

/**
 * Writes batches under `dir` as Spark's file sources do: part files named
 * `part-NNNNN-<uuid>-c000<ext>`, `k=v/` directories for `partitionBy` columns (dropped from the
 * files), and a `_SUCCESS` marker. Files are written under a hidden `_temporary-<uuid>` folder
 * and renamed into place only when every one is complete, so readers never see half a file.
 */
export async function writeFileSource(
  format: string,
  dir: string,
  mode: SaveMode,
  partitionBy: readonly string[],
  options: Readonly<Record<string, string>>,
  schema: StructType,
  batches: AsyncIterable<RecordBatch>,
  timeZone: string,
): Promise<WriteResult> {
  const ff = getFileFormat(format);
  const out = toLocalPath(dir);
  const partIdx = partitionBy.map((p) => {
    const i = fieldIndex(schema, p);
    if (i < 0) throw new AnalysisError("UNRESOLVED_COLUMN", `Partition column \`${p}\` not found in schema ${schemaText(schema)}.`);
    return i;
  });
  const dataIdx = schema.fields.map((_, i) => i).filter((i) => !partIdx.includes(i));
  if (partIdx.length > 0 && dataIdx.length === 0) {
    throw new AnalysisError("ALL_PARTITION_COLUMNS_NOT_ALLOWED", "Cannot use all columns for partition columns.");
  }
  const dataSchema = structType(dataIdx.map((i) => schema.fields[i]!));
  ff.checkWriteSchema(dataSchema);

  const exists = fs.existsSync(out);
  if (exists) {
    if (mode === "errorifexists") {
      throw new AnalysisError("PATH_ALREADY_EXISTS", `[PATH_ALREADY_EXISTS] Path file:${out} already exists. Set mode as "overwrite" to overwrite the existing path.`);
    }
    if (mode === "ignore") return { files: [], rows: 0 };
  }
  fs.mkdirSync(out, { recursive: true });
  const staging = path.join(out, `_temporary-${randomUUID()}`);
  fs.mkdirSync(staging);
  const jobId = randomUUID();
  const ext = ff.extension(options);
  let fileNo = 0;
  const nextName = (): string => `part-${String(fileNo++).padStart(5, "0")}-${jobId}-c000${ext}`;
  const written: { rel: string; tmp: string }[] = [];
  let rows = 0;
  try {
    if (partIdx.length === 0) {
      const name = nextName();
      const tmp = path.join(staging, name);
      await ff.writeFile(tmp, dataSchema, counted(batches, (n) => (rows += n)), options, { timeZone });
      written.push({ rel: name, tmp });
    } else {
      rows = await writePartitioned(ff, staging, schema, dataSchema, partIdx, dataIdx, batches, options, timeZone, nextName, written);
    }
    if (mode === "overwrite" && exists) clearDirectory(out, staging);
    const files: string[] = [];
    for (const w of written) {
      const dest = path.join(out, w.rel);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.renameSync(w.tmp, dest);
      files.push(dest);
    }
    fs.writeFileSync(path.join(out, "_SUCCESS"), "");
    return { files, rows };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

async function* counted(batches: AsyncIterable<RecordBatch>, onRows: (n: number) => void): AsyncIterable<RecordBatch> {
  for await (const b of batches) {
    onRows(b.numRows);
    yield b;
  }
}

/** Splits rows by their partition values; each partition directory gets one file. */
async function writePartitioned(
  ff: FileFormat,
  staging: string,
  schema: StructType,
  dataSchema: StructType,
  partIdx: readonly number[],
  dataIdx: readonly number[],
  batches: AsyncIterable<RecordBatch>,
  options: Readonly<Record<string, string>>,
  timeZone: string,
  nextName: () => string,
  written: { rel: string; tmp: string }[],
): Promise<number> {
  const groups = new Map<string, RecordBatch[]>();
  let rows = 0;
  for await (const b of batches) {
    rows += b.numRows;
    const byDir = new Map<string, number[]>();
    for (let r = 0; r < b.numRows; r++) {
      let rel = "";
      for (const p of partIdx) {
        const f = schema.fields[p]!;
        rel += `${escapePathName(f.name)}=${partitionDirValue(valueAt(b.columns[p]!, r), f.dataType, timeZone)}/`;
      }
      let list = byDir.get(rel);
      if (list === undefined) byDir.set(rel, (list = []));
      list.push(r);
    }
    const projected = makeBatch(dataSchema, dataIdx.map((i) => b.columns[i]!), b.numRows);
    for (const [rel, idx] of byDir) {
      let g = groups.get(rel);
      if (g === undefined) groups.set(rel, (g = []));
      g.push(idx.length === b.numRows ? projected : takeBatch(projected, idx));
    }
  }
  for (const [rel, parts] of groups) {
    const name = rel + nextName();
    const tmp = path.join(staging, name);
    fs.mkdirSync(path.dirname(tmp), { recursive: true });
    await ff.writeFile(tmp, dataSchema, fromArray(parts), options, { timeZone });
    written.push({ rel: name, tmp });
  }
  return rows;
}

async function* fromArray(parts: readonly RecordBatch[]): AsyncIterable<RecordBatch> {
  for (const p of parts) yield p;
}

/** The directory spelling of a partition value (escaped; null and "" → __HIVE_DEFAULT_PARTITION__). */
export function partitionDirValue(v: unknown, t: DataType, timeZone: string): string {
  if (v === null || v === undefined) return DEFAULT_PARTITION_NAME;
  let s: string;
  switch (t.kind) {
    case "date": s = formatDate(v as number); break;
    case "timestamp": s = formatTimestamp(v as number, timeZone); break;
    case "decimal": s = decimalToString(v as number | bigint, t.scale); break;
    case "binary": s = Buffer.from(v as Uint8Array).toString("utf8"); break;
    default: s = String(v);
  }
  return s === "" ? DEFAULT_PARTITION_NAME : escapePathName(s);
}

function clearDirectory(dir: string, keep: string): void {
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    if (p === keep) continue;
    fs.rmSync(p, { recursive: true, force: true });
  }
}

function schemaText(s: StructType): string {
  return `(${s.fields.map((f) => f.name).join(", ")})`;
}
