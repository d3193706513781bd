import * as fs from "node:fs";
import * as path from "node:path";
import { readStateFile, stateFileName, type StateRecord } from "./state-file.js";
import { listStateFiles, planLoad, type LoadPlan, type StateFileRef } from "./state-file-plan.js";
import type { StateKey } from "./state-key.js";
import { StateStoreCorruptError, StateStoreError } from "./state-store.js";
import { decodeValue } from "./state-value-codec.js";

/** Throws unless `v` is a valid version number. */
export function checkVersion(v: number, what: string): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new StateStoreError("INVALID_STATE_STORE_VERSION", `${what}: a state version must be a non-negative integer, got ${String(v)}.`);
}

/** The load plan for `version` of the store in `dir`, or a StateStoreCorruptError naming the missing file. */
export function requireLoadPlan(dir: string, files: readonly StateFileRef[], version: number, storeName: string): Extract<LoadPlan, { ok: true }> {
  const plan = planLoad(files, version);
  if (plan.ok) return plan;
  const file = path.join(dir, stateFileName(plan.missing.version, plan.missing.kind));
  const have = files.length === 0 ? "the directory holds no state files" : `it holds versions ${describeVersions(files)}`;
  throw new StateStoreCorruptError(
    "CANNOT_LOAD_STATE_STORE.CANNOT_READ_DELTA_FILE_NOT_EXISTS",
    `Cannot load state version ${version} of ${storeName}: the file ${file} is missing (${have}). Sluice never loads missing state as empty; restore the file, or delete the checkpoint's state to start over.`,
    file,
  );
}

function describeVersions(files: readonly StateFileRef[]): string {
  const d = files.filter((f) => f.kind === "delta").map((f) => f.version).sort((a, b) => a - b);
  const s = files.filter((f) => f.kind === "snapshot").map((f) => f.version).sort((a, b) => a - b);
  const span = (xs: number[]): string => (xs.length === 0 ? "none" : xs.length <= 6 ? xs.join(", ") : `${xs[0]}..${xs[xs.length - 1]} (${xs.length} files)`);
  return `deltas ${span(d)}; snapshots ${span(s)}`;
}

/** Loads exactly `version` of the store in `dir` into a new Map of decoded values. */
export function loadVersionIntoMap(dir: string, version: number, storeName: string): Map<StateKey, unknown> {
  const map = new Map<StateKey, unknown>();
  if (version === 0) return map;
  const plan = requireLoadPlan(dir, listStateFiles(dir).files, version, storeName);
  // Verify and apply one file at a time: a snapshot can be large.
  const files: { file: string; kind: "delta" | "snapshot" }[] = [];
  if (plan.snapshot !== undefined) files.push({ file: path.join(dir, stateFileName(plan.snapshot, "snapshot")), kind: "snapshot" });
  for (const d of plan.deltas) files.push({ file: path.join(dir, stateFileName(d, "delta")), kind: "delta" });
  for (const f of files) {
    const { records } = readStateFile(f.file, f.kind);
    for (const r of records) {
      if (r.op === "put") map.set(r.key, decodeRecordValue(r, f.file));
      else map.delete(r.key);
    }
  }
  return map;
}

export function decodeRecordValue(r: StateRecord, file: string): unknown {
  try {
    return decodeValue(r.buf, r.start, r.end);
  } catch (e) {
    throw new StateStoreCorruptError("CANNOT_LOAD_STATE_STORE.CORRUPT_FILE", `The state file ${file} is corrupt: the value at byte ${r.start} does not decode (${(e as Error).message}).`, file, { cause: e });
  }
}

/** Deletes state files of versions after `version` and a snapshot of `version` itself: they belong to a discarded run of those batches. */
export function removeFilesAfter(dir: string, files: readonly StateFileRef[], version: number): void {
  for (const f of files) {
    if (f.version > version || (f.version === version && f.kind === "snapshot")) fs.rmSync(path.join(dir, stateFileName(f.version, f.kind)), { force: true });
  }
}

/** Deletes the given files and leftover temp files. */
export function removeStateFiles(dir: string, files: readonly StateFileRef[], temps: readonly string[]): void {
  for (const f of files) fs.rmSync(path.join(dir, stateFileName(f.version, f.kind)), { force: true });
  for (const t of temps) fs.rmSync(path.join(dir, t), { force: true });
}
