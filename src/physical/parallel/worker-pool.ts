import { Worker } from "node:worker_threads";
import { AnalysisError, ExecutionError, FileFormatError, IllegalArgumentError, SluiceError, StreamingError } from "../../errors/errors.js";
import type { StageResult, StageTask } from "./stage-task.js";
import type { StatefulTask, StatefulTaskResult } from "./stateful-task.js";

/** What a worker runs: a stage task (any worker) or a stateful partition's task (the worker that owns the partition). */
export type WorkerTask = StageTask | StatefulTask;
type WorkerResult = StageResult | StatefulTaskResult;

/** A task's failure as it crosses back from a worker. */
export interface TaskFailure {
  readonly name: string;
  readonly errorClass?: string;
  readonly message: string;
  readonly stack?: string;
  /** Error classes of the error's causes, outermost first. */
  readonly causeClasses?: readonly string[];
}

/** A worker's answer; `startedAt`/`endedAt`: when the task ran, as wall time (performance.timeOrigin + now), for SLUICE_TRACE_TASKS. */
type Reply = { readonly id: number; readonly ok: true; readonly result: WorkerResult; readonly startedAt: number; readonly endedAt: number } | { readonly id: number; readonly ok: false; readonly error: TaskFailure };

interface Slot {
  readonly worker: Worker;
  busy: boolean;
  /** Tasks for this worker only (stateful partitions it owns), run before shared ones. */
  readonly pinned: Queued[];
}

interface Pending {
  resolve(r: WorkerResult): void;
  reject(e: Error): void;
}

/** A task in flight: what it is and when it was sent (for SLUICE_TRACE_TASKS). */
interface Sent {
  readonly kind: string;
  readonly at: number;
}

interface Queued {
  readonly task: WorkerTask;
  readonly transfer: ArrayBuffer[];
  readonly pending: Pending;
}

/**
 * `sluice.executor.threads` worker threads that run stage tasks (stage-task.ts). Workers start
 * on first use and are unreferenced while idle, so an idle pool never keeps the process alive.
 * Tasks queue when every worker is busy; a worker that dies fails its task and is replaced.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly assigned = new Map<Worker, number>();
  private readonly sent = new Map<number, Sent>();
  /** SLUICE_TRACE_TASKS=1: a line per task on stderr (worker, kind, time in the worker and round trip), for profiling stages. */
  private get trace(): boolean {
    return process.env.SLUICE_TRACE_TASKS === "1";
  }
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number) {}

  run(task: StageTask, transfer: ArrayBuffer[] = []): Promise<StageResult> {
    if (this.closed) return Promise.reject(stopped());
    return new Promise<WorkerResult>((resolve, reject) => {
      this.queue.push({ task, transfer, pending: { resolve, reject } });
      this.dispatch();
    }) as Promise<StageResult>;
  }

  /**
   * Runs a task on worker `index` (0 .. size-1), after the tasks already queued for it: a
   * stateful partition stays with one worker, which keeps its state store loaded between
   * batches (Spark's executor affinity for state store partitions).
   */
  runOn(index: number, task: StatefulTask, transfer: ArrayBuffer[] = []): Promise<StatefulTaskResult> {
    if (this.closed) return Promise.reject(stopped());
    if (!Number.isInteger(index) || index < 0 || index >= this.size) return Promise.reject(new Error(`internal error: no worker ${index} in a pool of ${this.size}`));
    while (this.slots.length <= index) this.spawn();
    return new Promise<WorkerResult>((resolve, reject) => {
      this.slots[index]!.pinned.push({ task, transfer, pending: { resolve, reject } });
      this.dispatch();
    }) as Promise<StatefulTaskResult>;
  }

  /** Runs a task on every worker started so far (e.g. to drop a stopped query's state). */
  async broadcast(task: StatefulTask): Promise<void> {
    await Promise.all(this.slots.map((_, i) => this.runOn(i, task)));
  }

  async terminate(): Promise<void> {
    this.closed = true;
    const err = stopped();
    for (const q of this.queue.splice(0)) q.pending.reject(err);
    for (const slot of this.slots) for (const q of slot.pinned.splice(0)) q.pending.reject(err);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    for (const slot of this.slots) if (!slot.busy && slot.pinned.length > 0) this.send(slot, slot.pinned.shift()!);
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      this.send(slot, this.queue.shift()!);
    }
  }

  private send(slot: Slot, next: Queued): void {
    const id = this.nextId++;
    slot.busy = true;
    slot.worker.ref();
    this.pending.set(id, next.pending);
    this.assigned.set(slot.worker, id);
    if (this.trace) this.sent.set(id, { kind: next.task.kind, at: performance.now() });
    try {
      slot.worker.postMessage({ id, task: next.task }, next.transfer);
    } catch (e) {
      this.settle(slot, id);
      next.pending.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private spawn(): Slot {
    const worker = spawnWorker();
    const slot: Slot = { worker, busy: false, pinned: [] };
    worker.on("message", (m: Reply) => {
      const p = this.pending.get(m.id);
      if (this.sent.size > 0) this.traceReply(slot, m);
      this.settle(slot, m.id);
      if (p) {
        if (m.ok) p.resolve(m.result);
        else p.reject(rebuildError(m.error));
      }
      this.dispatch();
    });
    const fail = (why: Error): void => {
      const id = this.assigned.get(worker);
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      if (id !== undefined) {
        const p = this.pending.get(id);
        this.pending.delete(id);
        this.assigned.delete(worker);
        p?.reject(new ExecutionError("EXECUTOR_LOST", `A worker thread died while running a task: ${why.message}`, { cause: why }));
      }
      // Tasks pinned to it needed what it held (open state stores): they fail too.
      for (const q of slot.pinned.splice(0)) q.pending.reject(new ExecutionError("EXECUTOR_LOST", `The worker thread that owned a state partition died: ${why.message}`, { cause: why }));
      if (!this.closed) this.dispatch();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => {
      if (!this.closed) fail(new Error(`exit code ${code}`));
    });
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private traceReply(slot: Slot, m: Reply): void {
    const sent = this.sent.get(m.id);
    this.sent.delete(m.id);
    if (!sent) return;
    const now = performance.now(), total = now - sent.at;
    // Wall times: each thread's performance.now() counts from its own start.
    const wall = (t: number): number => performance.timeOrigin + t;
    const ran = m.ok ? `ran ${(m.endedAt - m.startedAt).toFixed(1)} ms (started ${(m.startedAt - wall(sent.at)).toFixed(1)} ms after sending, reply took ${(wall(now) - m.endedAt).toFixed(1)} ms), ` : "failed, ";
    process.stderr.write(`sluice task ${m.id}: worker ${this.slots.indexOf(slot)}, ${sent.kind}, sent at ${sent.at.toFixed(1)} ms, ${ran}${total.toFixed(1)} ms from sending to the reply\n`);
  }

  private settle(slot: Slot, id: number): void {
    this.pending.delete(id);
    this.assigned.delete(slot.worker);
    slot.busy = false;
    slot.worker.unref();
  }
}

/**
 * The worker script: the compiled file in dist; under tsx (tests, `npm start`, the benchmarks)
 * the TypeScript source, loaded after registering tsx in the worker, since Node 20 does not
 * carry the parent's module hooks into worker threads. Either is imported from an evaluated
 * string, so that a parent started with `--input-type` (a `node -e` script) passes it on to an
 * input it applies to.
 */
function spawnWorker(): Worker {
  const ts = import.meta.url.endsWith(".ts");
  const entry = JSON.stringify(new URL(ts ? "./worker-main.ts" : "./worker-main.js", import.meta.url).href);
  if (!ts) return new Worker(`import(${entry});`, { eval: true, ...inheritedOptions() });
  return new Worker(`import("tsx/esm/api").then((t) => { t.register(); return import(${entry}); });`, { eval: true, execArgv: [] });
}

/**
 * The parent's node options, as Node passes them to a worker by default: given explicitly, a V8
 * option among them (`node --max-old-space-size=4096 app.js`) fails the worker's creation with
 * ERR_WORKER_INVALID_EXEC_ARGV, while inherited ones are taken. The test runner's options are
 * the exception: a worker gets none of them (nor the rest, which it may not be given explicitly).
 */
function inheritedOptions(): { execArgv?: string[] } {
  return process.execArgv.some((a) => a.startsWith("--test")) ? { execArgv: [] } : {};
}

const stopped = (): Error => new IllegalArgumentError("EXECUTOR_STOPPED", "The worker pool of this session was stopped.");

const ERROR_CLASSES: Record<string, new (errorClass: string, message: string) => SluiceError> = {
  AnalysisError,
  ExecutionError,
  IllegalArgumentError,
  FileFormatError,
  StreamingError,
  SluiceError,
};

/** The worker's error as the class the user would have seen from a single-threaded run. */
function rebuildError(f: TaskFailure): Error {
  const Cls = ERROR_CLASSES[f.name];
  const e = Cls && f.errorClass ? new Cls(f.errorClass, f.message) : new ExecutionError("TASK_FAILED", `A task failed in a worker thread: ${f.name}: ${f.message}`);
  if (f.stack) e.stack = `${e.name}: ${e.message}\n    (in a worker thread)\n${f.stack.split("\n").slice(1).join("\n")}`;
  // The chain of causes comes back as their classes (e.g. a udf that is not self-contained).
  let at: Error = e;
  for (const cls of f.causeClasses ?? []) {
    const c = new ExecutionError(cls, f.message);
    at.cause = c;
    at = c;
  }
  return e;
}
