import * as fs from "node:fs";
import * as path from "node:path";
import { isAtomicTempName } from "../checkpoint/atomic-file.js";
import { changelogName, parseChangelogName, scanChangelog, type ChangelogBlock } from "./state-changelog.js";
import type { StateFileKind } from "./state-file.js";

/**
 * Decisions about a store's files, as pure functions of the file listing: which files load a
 * version, whether a snapshot is due, which files maintenance may delete. Providers list the
 * directory, call these, and do the I/O.
 */
export interface StateFileRef {
  readonly version: number;
  readonly kind: StateFileKind;
  /** For a delta held in a changelog (state-changelog.ts): the changelog's first version and where the block is in it. */
  readonly changelog?: { readonly start: number; readonly block: ChangelogBlock };
}

const NAME = /^(\d+)\.(delta|snapshot)$/;

export function parseStateFileName(name: string): StateFileRef | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const version = Number(m[1]);
  return Number.isSafeInteger(version) ? { version, kind: m[2] as StateFileKind } : undefined;
}

/** What a store's directory holds. */
export interface StateFileListing {
  /** Snapshots, deltas of their own, and the deltas of changelogs that count (see state-changelog.ts). */
  readonly files: StateFileRef[];
  /** First versions of the changelogs, ascending. */
  readonly changelogs: number[];
  /** Leftover temp files. */
  readonly temps: string[];
}

/** The state files in `dir` (none when it does not exist); reads the changelogs' block headers (state-changelog.ts). */
export function listStateFiles(dir: string): StateFileListing {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { files: [], changelogs: [], temps: [] };
    throw e;
  }
  const own: StateFileRef[] = [];
  const temps: string[] = [];
  const changelogs: number[] = [];
  for (const n of names) {
    const f = parseStateFileName(n);
    const c = f ? undefined : parseChangelogName(n);
    if (f) own.push(f);
    else if (c !== undefined) changelogs.push(c);
    else if (isAtomicTempName(n)) temps.push(n);
  }
  changelogs.sort((a, b) => a - b);
  const files: StateFileRef[] = [];
  const inChangelogs = new Set<number>();
  for (let i = 0; i < changelogs.length; i++) {
    const start = changelogs[i]!, supersededFrom = changelogs[i + 1] ?? Infinity;
    for (const b of scanChangelog(path.join(dir, changelogName(start)), start)) {
      if (b.version >= supersededFrom) break;
      files.push({ version: b.version, kind: "delta", changelog: { start, block: b } });
      inChangelogs.add(b.version);
    }
  }
  for (const f of own) if (!(f.kind === "delta" && inChangelogs.has(f.version))) files.push(f);
  return { files, changelogs, temps };
}

/** How to load a version: start from a snapshot (or the empty version 0), then apply deltas in order. */
export type LoadPlan =
  | { readonly ok: true; readonly snapshot: number | undefined; readonly deltas: readonly number[] }
  | { readonly ok: false; readonly missing: StateFileRef };

/**
 * Chooses the newest snapshot <= version from which every delta up to `version` exists (the
 * empty version 0 counts as a snapshot). When none works, names the first missing delta after
 * the newest snapshot <= version.
 */
export function planLoad(files: readonly StateFileRef[], version: number): LoadPlan {
  if (version === 0) return { ok: true, snapshot: undefined, deltas: [] };
  const deltas = new Set<number>();
  const snapshots: number[] = [];
  for (const f of files) {
    if (f.kind === "delta") deltas.add(f.version);
    else if (f.version <= version) snapshots.push(f.version);
  }
  snapshots.sort((a, b) => b - a);
  if (snapshots[0] === version) return { ok: true, snapshot: version, deltas: [] };
  // The newest version v <= `version` from which deltas run unbroken to `version`.
  let v = version;
  while (v > 0 && deltas.has(v)) v--;
  // deltas v+1..version exist; need a base at some snapshot s >= v (s <= version), or v === 0.
  const base = snapshots.find((s) => s >= v);
  if (base !== undefined) return { ok: true, snapshot: base, deltas: range(base + 1, version) };
  if (v === 0) return { ok: true, snapshot: undefined, deltas: range(1, version) };
  // Report the gap after the newest snapshot (or after version 0).
  const from = snapshots[0] ?? 0;
  let missing = from + 1;
  while (deltas.has(missing)) missing++;
  return { ok: false, missing: { version: missing, kind: "delta" } };
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}

/** Whether a snapshot of `latest` should be written: at least `minDeltas` deltas since the newest snapshot. */
export function snapshotDue(files: readonly StateFileRef[], latest: number, minDeltas: number): boolean {
  if (latest <= 0) return false;
  let last = 0;
  for (const f of files) if (f.kind === "snapshot" && f.version <= latest && f.version > last) last = f.version;
  return latest - last >= minDeltas;
}

/**
 * Files no retained version needs. Retained: the last `minBatchesToRetain` versions up to
 * `latest`. They load from the newest snapshot <= the oldest retained version (plus deltas), so
 * everything older than that snapshot, and the delta of the snapshot's own version, can go.
 * Without such a snapshot nothing is deleted.
 */
export function planCleanup(files: readonly StateFileRef[], latest: number, minBatchesToRetain: number): StateFileRef[] {
  const earliest = latest - minBatchesToRetain + 1;
  if (earliest <= 1) return [];
  const plan = planLoad(files, earliest);
  if (!plan.ok || plan.snapshot === undefined) return [];
  const base = plan.snapshot;
  const isDoomed = (f: StateFileRef): boolean => f.version < base || (f.version === base && f.kind === "delta");
  // Every retained version must stay loadable from what is kept: the base snapshot and an
  // unbroken run of deltas (or snapshots) from it up to the latest version.
  const keptVersions = new Set(files.filter((f) => !isDoomed(f)).map((f) => f.version));
  for (let v = base + 1; v <= latest; v++) if (!keptVersions.has(v)) return [];
  return files.filter(isDoomed);
}
