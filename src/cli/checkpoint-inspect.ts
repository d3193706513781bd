import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { CheckpointError } from "../checkpoint/checkpoint-error.js";
import { CommitLog } from "../checkpoint/commit-log.js";
import { OffsetLog } from "../checkpoint/offset-log.js";
import { recoveryDecision } from "../checkpoint/recovery-decision.js";
import { listStateFiles } from "../state/state-file-plan.js";

/** What `sluice checkpoint inspect` reports about a streaming checkpoint (read-only). */
export interface CheckpointReport {
  readonly path: string;
  readonly queryId: string | null;
  readonly plannedBatches: { readonly first: number; readonly last: number } | null;
  readonly committedBatches: { readonly first: number; readonly last: number } | null;
  /** What a restart would do: re-run the last planned batch, start the next one, or start fresh. */
  readonly onRestart: string;
  readonly watermark: string | null;
  readonly lastBatchTime: string | null;
  readonly fixedConf: Readonly<Record<string, string>>;
  readonly sources: readonly { readonly index: number; readonly latestOffset: unknown; readonly files: number }[];
  readonly stateOperators: readonly { readonly operator: string; readonly partitions: number; readonly latestVersion: number | null; readonly files: number; readonly bytes: number }[];
  readonly recentBatches: readonly { readonly batchId: number; readonly committed: boolean; readonly timestamp: string; readonly watermark: string; readonly offsets: string }[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Reads a checkpoint directory without changing anything in it. */
export function inspectCheckpoint(dir: string, recent = 10): CheckpointReport {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new CheckpointError("CHECKPOINT_NOT_FOUND", `No checkpoint directory at ${dir}.`);
  }
  if (!existsSync(join(dir, "offsets")) && !existsSync(join(dir, "metadata"))) {
    throw new CheckpointError("NOT_A_CHECKPOINT", `${dir} is not a streaming checkpoint: it has neither metadata nor offsets/.`);
  }
  const offsets = new OffsetLog(dir), commits = new CommitLog(dir);
  const planned = offsets.batchIds(), committed = commits.batchIds();
  const range = (ids: number[]): { first: number; last: number } | null => (ids.length ? { first: ids[0]!, last: ids[ids.length - 1]! } : null);
  const decision = recoveryDecision(planned.at(-1), committed.at(-1));
  const onRestart =
    decision.kind === "startFresh" ? "start fresh at batch 0"
    : decision.kind === "rerunBatch" ? `re-run batch ${decision.batchId} with its logged offsets (it was planned but not committed)`
    : decision.kind === "startNext" ? `start batch ${decision.batchId}`
    : `refuse to start: ${decision.reason}`;
  const latest = offsets.getLatest();
  const committedSet = new Set(committed);
  const recentBatches = planned.slice(-recent).map((id) => {
    const e = offsets.get(id)!;
    return {
      batchId: id,
      committed: committedSet.has(id),
      timestamp: iso(e.metadata.batchTimestampMs),
      watermark: iso(e.metadata.batchWatermarkMs),
      offsets: JSON.stringify(e.offsets, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
    };
  });
  return {
    path: dir,
    queryId: readQueryId(dir),
    plannedBatches: range(planned),
    committedBatches: range(committed),
    onRestart,
    watermark: latest ? iso(latest.entry.metadata.batchWatermarkMs) : null,
    lastBatchTime: latest ? iso(latest.entry.metadata.batchTimestampMs) : null,
    fixedConf: latest?.entry.metadata.conf ?? {},
    sources: (latest?.entry.offsets ?? []).map((o, i) => ({ index: i, latestOffset: o, files: countFiles(join(dir, "sources", String(i))).files })),
    stateOperators: listDirs(join(dir, "state")).map((op) => {
      const partitions = listDirs(join(dir, "state", op));
      const counted = countFiles(join(dir, "state", op));
      const versions = partitions.flatMap((p) => listStateFiles(join(dir, "state", op, p)).files.map((f) => f.version));
      return { operator: op, partitions: partitions.length, latestVersion: versions.length ? Math.max(...versions) : null, files: counted.files, bytes: counted.bytes };
    }),
    recentBatches,
  };
}

function readQueryId(dir: string): string | null {
  const f = join(dir, "metadata");
  if (!existsSync(f)) return null;
  try {
    const parsed = JSON.parse(readFileSync(f, "utf8")) as { id?: unknown };
    return typeof parsed.id === "string" ? parsed.id : null;
  } catch {
    throw new CheckpointError("CHECKPOINT_CORRUPT", `The checkpoint file ${f} is not valid JSON.`);
  }
}

function readdirSafe(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

function listDirs(d: string): string[] {
  return readdirSafe(d).filter((n) => !n.startsWith(".") && statSync(join(d, n)).isDirectory()).sort((a, b) => (Number(a) - Number(b)) || a.localeCompare(b));
}

function countFiles(d: string): { files: number; bytes: number } {
  let files = 0, bytes = 0;
  for (const n of readdirSafe(d)) {
    const p = join(d, n);
    const s = statSync(p);
    if (s.isDirectory()) {
      const c = countFiles(p);
      files += c.files;
      bytes += c.bytes;
    } else {
      files++;
      bytes += s.size;
    }
  }
  return { files, bytes };
}

/** The report as text: a summary, then Spark-style tables of sources, state and recent batches. */
export function formatCheckpointReport(r: CheckpointReport, table: (header: string[], rows: string[][]) => string): string {
  const lines = [
    `Checkpoint ${r.path}`,
    `  query id        ${r.queryId ?? "(none)"}`,
    `  planned batches ${r.plannedBatches ? `${r.plannedBatches.first}..${r.plannedBatches.last}` : "none"}`,
    `  committed       ${r.committedBatches ? `${r.committedBatches.first}..${r.committedBatches.last}` : "none"}`,
    `  on restart      ${r.onRestart}`,
    `  watermark       ${r.watermark ?? "-"}`,
    `  last batch at   ${r.lastBatchTime ?? "-"}`,
    `  fixed settings  ${Object.entries(r.fixedConf).map(([k, v]) => `${k}=${v}`).join(", ") || "-"}`,
    "",
    "Sources",
    table(["source", "latest offset", "log files"], r.sources.map((s) => [String(s.index), JSON.stringify(s.latestOffset) ?? "null", String(s.files)])),
    "State operators",
    r.stateOperators.length ? table(["operator", "partitions", "latest version", "files", "bytes"], r.stateOperators.map((s) => [s.operator, String(s.partitions), s.latestVersion === null ? "-" : String(s.latestVersion), String(s.files), String(s.bytes)])) : "(none: the query keeps no state)\n",
    "Recent batches",
    table(["batch", "committed", "timestamp", "watermark", "offsets"], r.recentBatches.map((b) => [String(b.batchId), String(b.committed), b.timestamp, b.watermark, b.offsets])),
  ];
  return lines.join("\n");
}
