import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { CheckpointError } from "../checkpoint/checkpoint-error.js";
import { IllegalArgumentError } from "../errors/errors.js";
import { type ProgressJson, QueryTracker } from "../monitoring/query-tracker.js";
import { inspectCheckpoint } from "./checkpoint-inspect.js";
import { describeError } from "./main.js";
import { readProgressLog } from "./pipeline/progress-log.js";
import { onStopSignal } from "./run-command.js";

export interface UiCommandOptions {
  readonly port: string;
  readonly host?: string;
}

const isCheckpoint = (d: string): boolean => existsSync(join(d, "offsets")) || existsSync(join(d, "metadata"));

/**
 * The checkpoints a `sluice ui` argument names: the directory itself, or (a `sluice run
 * --checkpoint` root) the checkpoints directly under it.
 */
export function findCheckpoints(dir: string): string[] {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new CheckpointError("CHECKPOINT_NOT_FOUND", `No checkpoint directory at ${dir}.`);
  if (isCheckpoint(abs)) return [abs];
  const inner = readdirSync(abs).map((n) => join(abs, n)).filter((p) => statSync(p).isDirectory() && isCheckpoint(p)).sort();
  if (inner.length === 0) throw new CheckpointError("NOT_A_CHECKPOINT", `${dir} is not a streaming checkpoint (it has neither metadata nor offsets/), nor a directory of checkpoints.`);
  return inner;
}

/**
 * Adds the runs of one checkpoint to a tracker: the runs in its progress log (`sluice run` writes
 * it), or else one run reconstructed from the offset and commit logs (batch ids and times only).
 */
export function loadCheckpointRuns(tracker: QueryTracker, checkpoint: string): number {
  const logged = readProgressLog(checkpoint);
  for (const r of logged) tracker.addFinishedRun(r);
  if (logged.length > 0) return logged.length;
  const report = inspectCheckpoint(checkpoint, Number.MAX_SAFE_INTEGER);
  const id = report.queryId ?? basename(checkpoint);
  const committed = report.recentBatches.filter((b) => b.committed);
  const progress: ProgressJson[] = committed.map((b) => ({ batchId: b.batchId, timestamp: b.timestamp, id, runId: `${id}-checkpoint`, name: basename(checkpoint), eventTime: { watermark: b.watermark } }));
  tracker.addFinishedRun({
    id,
    runId: `${id}-checkpoint`.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 128),
    name: basename(checkpoint),
    startedAt: report.recentBatches[0]?.timestamp ?? new Date(statSync(checkpoint).mtimeMs).toISOString(),
    endedAt: report.lastBatchTime,
    progress,
  });
  return 1;
}

/** `sluice ui DIR...`: the web UI over the finished queries of checkpoints; runs until Ctrl-C. */
export async function runUi(dirs: readonly string[], o: UiCommandOptions, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let signals: ReturnType<typeof onStopSignal> | null = null;
  try {
    const port = Number(o.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new IllegalArgumentError("INVALID_OPTION", `--port must be a port number (0-65535, 0: any free port), got '${o.port}'.`);
    const checkpoints = [...new Set(dirs.flatMap(findCheckpoints))];
    const tracker = new QueryTracker({ retainedQueries: Math.max(100, checkpoints.length * 20) });
    let runs = 0;
    for (const c of checkpoints) runs += loadCheckpointRuns(tracker, c);
    const { UiServer } = await import("../ui/ui-server.js");
    const ui = new UiServer(tracker, { port, maxRetries: 0, appName: "sluice ui", ...(o.host !== undefined ? { host: o.host } : {}) });
    signals = onStopSignal();
    const url = await ui.start();
    out.write(`Sluice UI at ${url} (${runs} run${runs === 1 ? "" : "s"} from ${checkpoints.length} checkpoint${checkpoints.length === 1 ? "" : "s"}); Ctrl-C to stop\n`);
    await signals.stopped;
    await ui.stop();
    return 0;
  } catch (e) {
    err.write(`sluice ui: ${describeError(e)}\n`);
    return 1;
  } finally {
    signals?.dispose();
  }
}
