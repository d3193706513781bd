import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProgressJson } from "../../monitoring/query-tracker.js";
import { progressToJson } from "../../monitoring/query-tracker.js";
import type { StreamingQueryListener } from "../../streaming/streaming-listener.js";

/**
 * The progress log of a checkpoint: `<checkpoint>/progress/<startMs>-<runId>.jsonl`, one file per
 * run, one JSON event a line (`started`, `progress`, `terminated`). `sluice run` writes it;
 * `sluice ui DIR` reads it back. Only recent runs and recent progress are kept.
 */
export const PROGRESS_DIR = "progress";
const RETAINED_RUNS = 20;
const RETAINED_PROGRESS = 500;

type LogLine =
  | { event: "started"; id: string; runId: string; name: string | null; timestamp: string; plan?: string | null }
  | { event: "progress"; progress: ProgressJson }
  | { event: "terminated"; timestamp: string; exception: string | null };

interface OpenRun { file: string; header: LogLine; recent: ProgressJson[]; lines: number }

/** A listener that appends every run's events to the progress log of its checkpoint (found by query name). */
export function progressLogListener(checkpointOf: (name: string | null) => string | null, planOf: (runId: string) => string | null = () => null): StreamingQueryListener {
  const runs = new Map<string, OpenRun>();
  const append = (r: OpenRun, line: LogLine): void => {
    try {
      appendFileSync(r.file, JSON.stringify(line) + "\n");
      r.lines++;
      if (r.lines > 2 * RETAINED_PROGRESS) {
        // keep the file bounded: the header and recent progress only
        writeFileSync(r.file, [r.header, ...r.recent.map((p) => ({ event: "progress", progress: p }))].map((l) => JSON.stringify(l) + "\n").join(""));
        r.lines = r.recent.length + 1;
      }
    } catch {
      // the progress log is a convenience: never fail a query for it
    }
  };
  return {
    onQueryStarted: (e) => {
      const ckpt = checkpointOf(e.name);
      if (ckpt === null) return;
      try {
        const dir = join(ckpt, PROGRESS_DIR);
        mkdirSync(dir, { recursive: true });
        pruneRuns(dir, RETAINED_RUNS - 1);
        const start = Date.parse(e.timestamp);
        const file = join(dir, `${String(Number.isFinite(start) ? start : Date.now()).padStart(15, "0")}-${e.runId}.jsonl`);
        const header: LogLine = { event: "started", id: e.id, runId: e.runId, name: e.name, timestamp: e.timestamp, plan: planOf(e.runId) };
        const r: OpenRun = { file, header, recent: [], lines: 0 };
        runs.set(e.runId, r);
        append(r, header);
      } catch {
        // as above
      }
    },
    onQueryProgress: (e) => {
      const r = runs.get(e.progress.runId);
      if (!r) return;
      const p = progressToJson(e.progress);
      r.recent.push(p);
      if (r.recent.length > RETAINED_PROGRESS) r.recent.shift();
      append(r, { event: "progress", progress: p });
    },
    onQueryTerminated: (e) => {
      const r = runs.get(e.runId);
      if (!r) return;
      append(r, { event: "terminated", timestamp: new Date().toISOString(), exception: e.exception });
      runs.delete(e.runId);
    },
  };
}

function pruneRuns(dir: string, keep: number): void {
  const files = readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort();
  for (const f of files.slice(0, Math.max(0, files.length - keep))) rmSync(join(dir, f), { force: true });
}

/** A run read back from a progress log. */
export interface LoggedRun {
  readonly id: string;
  readonly runId: string;
  readonly name: string | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly exception: string | null;
  readonly plan: string | null;
  readonly progress: readonly ProgressJson[];
}

/** The runs logged under `<checkpoint>/progress/`, oldest first; lines that do not parse (a torn last line) are skipped. */
export function readProgressLog(checkpoint: string): LoggedRun[] {
  const dir = join(checkpoint, PROGRESS_DIR);
  if (!existsSync(dir)) return [];
  const runs: LoggedRun[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".jsonl")).sort()) {
    let header: Extract<LogLine, { event: "started" }> | null = null;
    let end: Extract<LogLine, { event: "terminated" }> | null = null;
    const progress: ProgressJson[] = [];
    for (const text of readFileSync(join(dir, f), "utf8").split("\n")) {
      if (text.trim() === "") continue;
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        continue;
      }
      if (line.event === "started") header = line;
      else if (line.event === "progress" && line.progress && typeof line.progress.batchId === "number") progress.push(line.progress);
      else if (line.event === "terminated") end = line;
    }
    if (header === null) continue;
    runs.push({
      id: header.id,
      runId: header.runId,
      name: header.name,
      startedAt: header.timestamp,
      // a run without an end line was killed: its last progress is when it was last seen
      endedAt: end?.timestamp ?? progress.at(-1)?.timestamp ?? null,
      exception: end?.exception ?? null,
      plan: header.plan ?? null,
      progress: progress.slice(-RETAINED_PROGRESS),
    });
  }
  return runs;
}
