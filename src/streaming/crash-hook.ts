/**
 * Test-only fault injection for the crash tests (test/crash/): when the environment variable
 * `SLUICE_TEST_CRASH_AT` is `<phase>:<batchId>` (several separated by commas), the process kills
 * itself with SIGKILL the moment the trigger loop reaches that phase of that batch — no
 * finally blocks, no flushing, exactly like `kill -9`. Unset (always, outside tests), a crash
 * point is one environment lookup cached at first use.
 *
 * Phases, in the order one batch passes them:
 * - `before-offsets-write`: the batch's offsets are known, `offsets/N` not yet written;
 * - `after-offsets-write`: `offsets/N` is durable, the batch has not run;
 * - `mid-sink-write`: inside the sink — for the file sink, data files renamed into place but the
 *   `_sluice_metadata/N` manifest not written; for the PostgreSQL sink, rows and progress row
 *   written in the open transaction, before COMMIT; a foreachBatch function may call crashPoint itself;
 * - `after-sink-before-commit`: the sink returned, `commits/N` not written;
 * - `after-commit`: `commits/N` is durable, sources not yet told, progress not reported.
 *
 * `after-state-commit` (queries with stateful operators only, so not in CRASH_PHASES): the state
 * stores' version N+1 files are durable and the sink has run (the two overlap), `commits/N` not written.
 */
export type CrashPhase = "before-offsets-write" | "after-offsets-write" | "after-state-commit" | "mid-sink-write" | "after-sink-before-commit" | "after-commit";

export const CRASH_PHASES: readonly CrashPhase[] = ["before-offsets-write", "after-offsets-write", "mid-sink-write", "after-sink-before-commit", "after-commit"];

let armed: Set<string> | null | undefined;

function crashPoints(): Set<string> | null {
  if (armed === undefined) {
    const spec = process.env["SLUICE_TEST_CRASH_AT"];
    armed = spec ? new Set(spec.split(",").map((s) => s.trim()).filter((s) => s.length > 0)) : null;
  }
  return armed;
}

/** Kills this process with SIGKILL when `SLUICE_TEST_CRASH_AT` names `phase:batchId`. */
export function crashPoint(phase: CrashPhase, batchId: number): void {
  const points = crashPoints();
  if (points === null || !points.has(`${phase}:${batchId}`)) return;
  process.kill(process.pid, "SIGKILL");
  // SIGKILL cannot be caught; block until the kernel delivers it so no further step can run.
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(cell, 0, 0, 1000);
}
