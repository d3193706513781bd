import * as fs from "node:fs";
import * as path from "node:path";
import { changelogName, readBlock } from "./state-changelog.js";
import { parseStateFile, readStateFile, stateFileName, type StateRecord } from "./state-file.js";
import { listStateFiles, planLoad, type LoadPlan, type StateFileListing, type StateFileRef } from "./state-file-plan.js";
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
    `Cannot load state version ${version} of ${storeName}: the ${plan.missing.kind} of version ${plan.missing.version} is missing (there is no file ${file}, and no changelog beside it holds a whole delta of that version: a crash while it was appended leaves a torn last block, which does not count; ${have}). Sluice never loads missing state as empty; restore the file, or delete the checkpoint's state to start over.`,
    file,
  );
}

function describeVersions(files: readonly StateFileRef[]): string {
  const d = files.filter((f) => f.kind === "delta").map((f) => f.version).sort((a, b) => a - b);
  const s = files.filter((f) => f.kind === "snapshot").map((f) => f.version).sort((a, b) => a - b);
  const span = (xs: number[]): string => (xs.length === 0 ? "none" : xs.length <= 6 ? xs.join(", ") : `${xs[0]}..${xs[xs.length - 1]} (${xs.length} of them)`);
  return `deltas ${span(d)}; snapshots ${span(s)}`;
}

/** The records and checksum of one listed file or changelog block, verified; `file` is where it is. */
export function readListedFile(dir: string, ref: StateFileRef): { records: StateRecord[]; checksum: string; file: string } {
  if (ref.changelog === undefined) {
    const file = path.join(dir, stateFileName(ref.version, ref.kind));
    return { ...readStateFile(file, ref.kind), file };
  }
  const file = path.join(dir, changelogName(ref.changelog.start));
  const fd = fs.openSync(file, "r");
  let body: Buffer;
  try {
    body = readBlock(fd, ref.changelog.block);
  } catch (e) {
    throw new StateStoreCorruptError("CANNOT_LOAD_STATE_STORE.CORRUPT_FILE", `The state changelog ${file} no longer holds the delta of version ${ref.version} where it was listed (${(e as Error).message}).`, file, { cause: e });
  } finally {
    fs.closeSync(fd);
  }
  return { ...parseStateFile(body, 0, body.length, "delta", file, `The delta of version ${ref.version} in the state changelog ${file}`), file };
}

/** The files a load plan reads, in order: the snapshot (if any), then the deltas. */
export function planFiles(files: readonly StateFileRef[], plan: Extract<LoadPlan, { ok: true }>): StateFileRef[] {
  const deltas = new Map<number, StateFileRef>();
  for (const f of files) if (f.kind === "delta") deltas.set(f.version, f);
  const out: StateFileRef[] = [];
  if (plan.snapshot !== undefined) out.push({ version: plan.snapshot, kind: "snapshot" });
  for (const d of plan.deltas) out.push(deltas.get(d)!);
  return out;
}

/** Loads exactly `version` of the store in `dir` into a new Map of decoded values. */
export function loadVersionIntoMap(dir: string, version: number, storeName: string): Map<StateKey, unknown> {
  const map = new Map<StateKey, unknown>();
  if (version === 0) return map;
  const { files } = listStateFiles(dir);
  const plan = requireLoadPlan(dir, files, version, storeName);
  // Verify and apply one file at a time: a snapshot can be large.
  for (const ref of planFiles(files, plan)) {
    const { records, file } = readListedFile(dir, ref);
    for (const r of records) {
      if (r.op === "put") map.set(r.key, decodeRecordValue(r, file));
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

/**
 * Deletes the files of versions >= `version` and the changelogs starting there or later: before
 * `version` is written again, they belong to a discarded run of those batches. (Blocks of
 * versions >= `version` in an older changelog are superseded by the changelog that the write
 * starts at `version`.)
 */
export function removeFilesFrom(dir: string, listing: StateFileListing, version: number): void {
  for (const f of listing.files) if (f.changelog === undefined && f.version >= version) fs.rmSync(path.join(dir, stateFileName(f.version, f.kind)), { force: true });
  for (const c of listing.changelogs) if (c >= version) fs.rmSync(path.join(dir, changelogName(c)), { force: true });
}

/**
 * Deletes the files `doomed` (from planCleanup) and leftover temp files. A changelog goes once
 * every delta of it that counts is doomed, or none counts and a later changelog exists (the last
 * changelog is the one a store appends to).
 */
export function removeStateFiles(dir: string, listing: StateFileListing, doomed: readonly StateFileRef[]): void {
  const doomedIn = new Map<number, number>();
  for (const f of doomed) {
    if (f.changelog === undefined) fs.rmSync(path.join(dir, stateFileName(f.version, f.kind)), { force: true });
    else doomedIn.set(f.changelog.start, (doomedIn.get(f.changelog.start) ?? 0) + 1);
  }
  const counting = new Map<number, number>();
  for (const f of listing.files) if (f.changelog !== undefined) counting.set(f.changelog.start, (counting.get(f.changelog.start) ?? 0) + 1);
  const last = listing.changelogs[listing.changelogs.length - 1];
  for (const c of listing.changelogs) {
    const n = counting.get(c) ?? 0;
    if (n > 0 ? doomedIn.get(c) === n : c !== last) fs.rmSync(path.join(dir, changelogName(c)), { force: true });
  }
  for (const t of listing.temps) fs.rmSync(path.join(dir, t), { force: true });
}
