import * as fs from "node:fs";
import * as path from "node:path";
import { CheckpointError } from "../../checkpoint/checkpoint-error.js";
import { CommitLog } from "../../checkpoint/commit-log.js";
import { type OperatorMetadata, checkpointOperatorIds, readOperatorMetadata } from "../../checkpoint/operator-metadata.js";
import { listStateFiles, planLoad } from "../../state/state-file-plan.js";
import { DEFAULT_STORE_NAME, stateStoreDir } from "../../state/state-store.js";

/**
 * Read-only facts about the state in a streaming checkpoint, for the `state` and
 * `state-metadata` batch sources and `sluice state`: which stateful operators there are, their
 * partitions and named stores, which batches are committed and which state versions the files
 * can still load. Nothing here creates or changes a file.
 */

/** One stateful operator found under `<checkpoint>/state/<operatorId>`. */
export interface CheckpointOperator {
  readonly operatorId: number;
  /** From `state/<id>/_metadata`; undefined when the file is absent (state written before metadata existed, or a foreign layout). */
  readonly metadata: OperatorMetadata | undefined;
  /** Partition ids with a directory, ascending. */
  readonly partitions: readonly number[];
  /** Store names: "default" for the partition directory itself, plus named sub-stores (a join keeps several). */
  readonly storeNames: readonly string[];
}

/** Throws unless `dir` looks like a streaming checkpoint. */
export function requireCheckpointDir(dir: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new CheckpointError("CHECKPOINT_NOT_FOUND", `No checkpoint directory at ${dir}.`);
  }
  if (!st.isDirectory()) throw new CheckpointError("CHECKPOINT_NOT_FOUND", `${dir} is a file, not a checkpoint directory.`);
  if (!fs.existsSync(path.join(dir, "offsets")) && !fs.existsSync(path.join(dir, "metadata")) && !fs.existsSync(path.join(dir, "state"))) {
    throw new CheckpointError("NOT_A_CHECKPOINT", `${dir} is not a streaming checkpoint: it has neither metadata, offsets/ nor state/.`);
  }
}

function subdirs(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  return names.filter((n) => {
    try {
      return fs.statSync(path.join(dir, n)).isDirectory();
    } catch {
      return false;
    }
  });
}

/** The stateful operators of a checkpoint, by operator id. */
export function checkpointOperators(checkpointDir: string): CheckpointOperator[] {
  return checkpointOperatorIds(checkpointDir).map((operatorId) => describeOperator(checkpointDir, operatorId));
}

export function describeOperator(checkpointDir: string, operatorId: number): CheckpointOperator {
  const opDir = path.join(checkpointDir, "state", String(operatorId));
  const partitions = subdirs(opDir).filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
  const names = new Set<string>();
  for (const p of partitions) {
    const pDir = path.join(opDir, String(p));
    if (listStateFiles(pDir).files.length > 0) names.add(DEFAULT_STORE_NAME);
    // `_lmdb` is the LMDB provider's live cache, not a store.
    for (const s of subdirs(pDir)) if (!s.startsWith("_") && !s.startsWith(".")) names.add(s);
  }
  if (names.size === 0) names.add(DEFAULT_STORE_NAME);
  const storeNames = [...names].sort((a, b) => (a === DEFAULT_STORE_NAME ? -1 : b === DEFAULT_STORE_NAME ? 1 : a.localeCompare(b)));
  return { operatorId, metadata: readOperatorMetadata(checkpointDir, operatorId), partitions, storeNames };
}

/** A one-line list of a checkpoint's operators for error messages: `0 (stateStoreSave), 1 (dedupe)`. */
export function describeOperators(ops: readonly CheckpointOperator[]): string {
  if (ops.length === 0) return "the checkpoint has no stateful operators";
  return `the checkpoint has operator${ops.length === 1 ? "" : "s"} ${ops.map((o) => `${o.operatorId} (${o.metadata?.operatorName ?? "unknown"})`).join(", ")}`;
}

/** Committed batch ids, ascending. */
export function committedBatchIds(checkpointDir: string): number[] {
  return new CommitLog(checkpointDir).batchIds();
}

/** The state versions (batch id + 1) that the files of one store can load, ascending; version 0 (the empty state) is not listed. */
export function loadableVersions(storeDir: string): number[] {
  const { files } = listStateFiles(storeDir);
  let max = 0;
  for (const f of files) if (f.version > max) max = f.version;
  const out: number[] = [];
  for (let v = 1; v <= max; v++) if (planLoad(files, v).ok) out.push(v);
  return out;
}

/** The directory of one store of one operator partition. */
export function storeDir(checkpointDir: string, operatorId: number, partitionId: number, storeName: string): string {
  return stateStoreDir({ checkpointLocation: checkpointDir, operatorId, partitionId, storeName });
}
