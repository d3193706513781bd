import { type RecordBatch, totalRows } from "../../batch/record-batch.js";
import type { AttributeRef, Expr } from "../../expr/expression.js";
import { exprSql } from "../../analyzer/expr-sql.js";
import { type LogicalPlan, Plan } from "../../plan/logical-plan.js";
import type { ExecContext, PhysicalOp } from "../physical-op.js";
import { estimateBatchBytes } from "../memory.js";
import type { PlannerOptions } from "../planner.js";
import { type TransferBatch, decodeBatches, transferListOf } from "./batch-transfer.js";
import { NotShippableError, encodeTree } from "./plan-codec.js";
import type { StageResult, StageTask, TaskSettings } from "./stage-task.js";
import type { SkippablePartial } from "./adaptive-partial.js";
import type { WorkerPool } from "./worker-pool.js";
import { replayProgress } from "../progress-tally.js";

/** One input of a stage: its map tasks' plans and, with an exchange, the keys its rows are partitioned by. */
export interface StageInput {
  readonly maps: readonly LogicalPlan[];
  /** Shuffle keys over the maps' output (null: a map-only stage). */
  readonly keys: readonly Expr[] | null;
  /**
   * A partial aggregation each map task runs over its output unless it finds too many groups
   * (adaptive-partial.ts): its partials go to exchange input 0, the rows it skips it for to input 1.
   */
  readonly partial?: SkippablePartial;
  /** How the maps divide the work, when explain() should say (no exchange). */
  readonly note?: string;
}

/** The shuffle of a stage: rows of input i go to partition pmod(hash(keys_i), partitions). */
export interface StageExchange {
  readonly partitions: number;
  /** Per input, the map fragments' output: the columns that cross the exchange. */
  readonly inputs: readonly (readonly AttributeRef[])[];
  /**
   * The reduce plan over some partitions' rows, one relation per input; `present` tells which
   * inputs have rows for this task (absent: any may).
   */
  readonly reduce: (rows: readonly LogicalPlan[], present?: readonly boolean[]) => LogicalPlan;
  /**
   * A further exchange on the workers: each reduce task hash-partitions its output by `keys`
   * (over the reduce plan's output) and `next` reduces those partitions in a second round.
   */
  readonly then?: { readonly keys: readonly Expr[]; readonly next: StageExchange };
  /**
   * With `then`: the same result in one round, `reduce` running the operators above as well,
   * when the map tasks partition their rows by `keys` (per input, over the maps' output: the keys
   * the operators above need, traced down). Map tasks then cut their rows by both hashes (a
   * partitions x partitions grid), and the stage picks a round per run: one, when the `keys`
   * partitions spread the rows evenly over the reduce tasks; else two (a few hot values of
   * `keys`, a day or a category, would load one task).
   */
  readonly oneRound?: { readonly keys: readonly (readonly Expr[])[]; readonly reduce: (rows: readonly LogicalPlan[]) => LogicalPlan };
}

/**
 * A join stage that may turn into a broadcast once one side's size is known (as Spark's adaptive
 * execution does): that side's map tasks run first, and when their rows are at most `maxBytes`,
 * or few next to the other side (copying them to every task costs less than shuffling the other
 * side: a quarter of its estimated rows per task, up to BROADCAST_CAP_BYTES), the other side runs
 * as map tasks each joining its split with those rows, and nothing is shuffled. Estimates cannot
 * see how much a filter keeps; the rows can.
 */
export interface AdaptiveBroadcast {
  /** Index of the input that may be broadcast. */
  readonly build: 0 | 1;
  readonly maxBytes: number;
  /** Estimated rows of the other input. */
  readonly streamedRows: number;
  /** The other input's map fragments, each joined with the built rows. */
  readonly joinWith: (built: LogicalPlan) => readonly LogicalPlan[];
}

/** The most a join stage copies into every task when it turns into a broadcast by row counts. */
const BROADCAST_CAP_BYTES = 256 * 1024 * 1024;

/**
 * Runs a stage on the session's worker threads (ExecContext.workers): one map task per split
 * of each input, then, with an exchange, one reduce task per worker over the shuffle partitions
 * it owns (partition p of every input belongs to worker p mod threads: the rows of one key meet
 * in one task, which is what a join needs). Without workers, or when the plan holds
 * something that cannot travel to a worker, it runs `fallback`, the same query on this thread.
 * Output order: map-only stages keep the input order; aggregations are unordered, as in Spark.
 */
export class ParallelStageExec implements PhysicalOp {
  readonly name = "ParallelStage";
  readonly children: readonly PhysicalOp[];

  constructor(
    readonly output: readonly AttributeRef[],
    readonly inputs: readonly StageInput[],
    readonly exchange: StageExchange | null,
    readonly fallback: PhysicalOp,
    readonly threads: number,
    /** Planner settings for the tasks (the same join strategies, no nested parallelism). */
    readonly taskPlanner: PlannerOptions,
    readonly adaptive: AdaptiveBroadcast | null = null,
  ) {
    this.children = [fallback];
  }

  describe(): string {
    const hashing = (keys: readonly Expr[], n: number): string => `, Exchange hashpartitioning(${keys.map((k) => exprSql(k)).join(", ")}, ${n})`;
    let ex = this.exchange ? this.inputs.map((i) => hashing(i.keys ?? [], this.exchange!.partitions)).join("") : "";
    for (let e = this.exchange?.then; e; e = e.next.then) ex += hashing(e.keys, e.next.partitions);
    const one = this.exchange?.oneRound;
    if (one) ex += ` or one${one.keys.map((k) => hashing(k, this.exchange!.partitions).slice(1)).join("")}`;
    const partial = this.inputs.some((i) => i.partial) ? ", partial aggregation where it reduces the rows" : "";
    const notes = this.inputs.flatMap((i) => (i.note ? [`, ${i.note}`] : [])).join("");
    return `(tasks=${this.inputs.map((i) => i.maps.length).join("+")}, threads=${this.threads}${ex}${partial}${notes})`;
  }

  async *execute(ctx: ExecContext): AsyncIterable<RecordBatch> {
    const pool = ctx.workers;
    const tasks = pool ? this.mapTasks(ctx, ++stageRunCount) : null;
    if (!pool || !tasks) {
      stageRuns.onCallingThread++;
      yield* this.fallback.execute(ctx);
      return;
    }
    stageRuns.onWorkers++;
    const runInput = (i: number): Promise<StageResult[]> => Promise.all(tasks[i]!.map((t) => runTask(ctx, pool, t.task, t.transfer)));
    let early: { index: number; results: StageResult[] } | null = null;
    if (this.adaptive && this.exchange) {
      const a = this.adaptive;
      const built = await runInput(a.build);
      const rows = decodeBatches(built.flatMap((r) => partitionsOf(r).flat()));
      const bytes = rows.reduce((n, b) => n + estimateBatchBytes(b), 0);
      const count = totalRows(rows);
      if (bytes <= a.maxBytes || (bytes <= BROADCAST_CAP_BYTES && count * this.threads * 4 <= a.streamedRows)) {
        stageRuns.joinsTurnedBroadcast++;
        const rel = Plan.localRelation(this.exchange.inputs[a.build]!, rows, "broadcast rows");
        const joined = a.joinWith(rel).map((plan) => {
          const body = encodeTree({ plan, keys: null });
          const task: StageTask = { kind: "map", body: body.encoded, partitions: 1, settings: this.settings(ctx) };
          return runTask(ctx, pool, task, body.transfer);
        });
        for (const r of await Promise.all(joined)) yield* decodeBatches(batchesOf(r));
        return;
      }
      early = { index: a.build, results: built };
    }
    const results = await Promise.all(tasks.map((_, i) => (early?.index === i ? Promise.resolve(early.results) : runInput(i))));
    if (!this.exchange) {
      for (const r of results[0]!) yield* decodeBatches(batchesOf(r));
      return;
    }
    let ex = this.exchange;
    let shuffled = results;
    // Map outputs cut by both hashes: cell kp * partitions + fp; the reduce tasks take cells by fp
    // for two rounds or by kp for one.
    let cellPartition: ((cell: number) => number) | undefined;
    if (ex.oneRound) {
      const n = ex.partitions, one = ex.oneRound;
      if (evenlySpread(results, n, Math.min(this.threads, n))) {
        stageRuns.oneRound++;
        ex = { partitions: n, inputs: ex.inputs, reduce: one.reduce };
        cellPartition = (cell) => Math.floor(cell / n);
      } else cellPartition = (cell) => cell % n;
    }
    for (;;) {
      const round = this.reduceRound(ex, shuffled, ctx, pool, cellPartition);
      cellPartition = undefined;
      if (!ex.then) {
        for (const r of await Promise.all(round)) yield* decodeBatches(batchesOf(r));
        return;
      }
      shuffled = [await Promise.all(round)];
      ex = ex.then.next;
    }
  }

  /**
   * The reduce tasks of `ex`: partition p of every map task, in map order, goes to the task of
   * worker p mod threads (a grid's cell to that of its partition for this round, `cellPartition`).
   * With a further exchange, the tasks partition their output for it.
   */
  private reduceRound(ex: StageExchange, results: readonly (readonly StageResult[])[], ctx: ExecContext, pool: WorkerPool, cellPartition?: (cell: number) => number): Promise<StageResult>[] {
    const reduceCount = Math.min(this.threads, ex.partitions);
    const rowsOf: TransferBatch[][][] = Array.from({ length: reduceCount }, () => ex.inputs.map(() => []));
    results.forEach((perInput, i) => {
      for (const r of perInput) {
        // A map task that skipped its partial aggregation sends rows to another input.
        const input = "input" in r && r.input !== undefined ? r.input : i;
        if (input !== i) stageRuns.partialAggregationsSkipped++;
        partitionsOf(r).forEach((rows, cell) => rowsOf[(cellPartition ? cellPartition(cell) : cell) % reduceCount]![input]!.push(...rows));
      }
    });
    return rowsOf.filter((rows) => rows.some((r) => r.length > 0)).map((rows) => {
      // The rows stay encoded: this thread only forwards their buffers to the reduce worker.
      const markers = rows.map((_, i) => `${SHUFFLED_ROWS} ${i}`);
      const plan = ex.reduce(ex.inputs.map((attrs, i) => Plan.localRelation(attrs, [], markers[i])), rows.map((r) => r.length > 0));
      const body = encodeTree({ plan, keys: ex.then?.keys ?? null }, Object.fromEntries(markers.map((m, i) => [m, rows[i]!])));
      const settings = this.settings(ctx);
      // With a further exchange the task cuts its output into that exchange's partitions, as a map task does.
      const task: StageTask = ex.then ? { kind: "map", body: body.encoded, partitions: ex.then.next.partitions, settings } : { kind: "reduce", body: body.encoded, settings };
      return runTask(ctx, pool, task, [...body.transfer, ...rows.flatMap((r) => transferListOf(r))]);
    });
  }

  private settings(ctx: ExecContext): TaskSettings {
    return taskSettings(ctx, this.taskPlanner);
  }

  /** The encoded map tasks per input, or null when the fragments cannot be shipped (a native function, ...). */
  private mapTasks(ctx: ExecContext, run: number): { task: StageTask; transfer: ArrayBuffer[] }[][] | null {
    try {
      const settings = { ...this.settings(ctx), stageRun: run };
      // The reduce plans too (operators above a shuffle may hold what the maps do not), before any task runs.
      for (let ex = this.exchange; ex; ex = ex.then?.next ?? null) {
        const rows = ex.inputs.map((attrs) => Plan.localRelation(attrs, [], SHUFFLED_ROWS));
        encodeTree(ex.reduce(rows));
        if (ex.oneRound) encodeTree(ex.oneRound.reduce(rows));
      }
      return this.inputs.map((input, i) =>
        input.maps.map((plan) => {
          const body = encodeTree({ plan, keys: input.keys, cellKeys: this.exchange?.oneRound?.keys[i] ?? null, partial: input.partial ?? null });
          const task: StageTask = { kind: "map", body: body.encoded, partitions: this.exchange?.partitions ?? 1, settings };
          return { task, transfer: body.transfer };
        }),
      );
    } catch (e) {
      if (!(e instanceof NotShippableError)) throw e;
      warnOnce(`A parallel stage runs on the calling thread: ${e.message}.`);
      return null;
    }
  }
}

/**
 * Whether the rows of map outputs cut into a partitions x partitions grid (cell kp * partitions +
 * fp), taken by kp, load no reduce task with more than a quarter over its share.
 */
function evenlySpread(results: readonly (readonly StageResult[])[], partitions: number, reduceCount: number): boolean {
  const load = new Float64Array(reduceCount);
  let total = 0;
  for (const perInput of results) {
    for (const r of perInput) {
      partitionsOf(r).forEach((rows, cell) => {
        const n = rows.reduce((s, b) => s + b.numRows, 0);
        load[Math.floor(cell / partitions) % reduceCount]! += n;
        total += n;
      });
    }
  }
  return Math.max(...load) <= 1.25 * (total / reduceCount);
}

/** What the tasks of a stage planned with `planner` need of the query's context. */
export function taskSettings(ctx: ExecContext, planner: PlannerOptions): TaskSettings {
  return { fctx: ctx.fctx, batchSize: ctx.batchSize, memoryLimitBytes: ctx.memoryLimitBytes, shufflePartitions: ctx.shufflePartitions, planner };
}

/** Runs a task on the pool and tells the query's ExecProgress what the task's operators reported (rows read, event times seen). */
export async function runTask(ctx: ExecContext, pool: WorkerPool, task: StageTask, transfer: ArrayBuffer[]): Promise<StageResult> {
  const r = await pool.run(task, transfer);
  if (ctx.progress && r.progress) replayProgress(r.progress, ctx.progress);
  return r;
}

/** Stage runs started in this process (TaskSettings.stageRun). */
let stageRunCount = 0;

/** How parallel stages ran in this process: on workers, or on the calling thread (no pool, or a plan that cannot travel). */
export const stageRuns = { onWorkers: 0, onCallingThread: 0, joinsTurnedBroadcast: 0, oneRound: 0, partialAggregationsSkipped: 0 };

const warned = new Set<string>();

export function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.emitWarning(message, { code: "SLUICE_STAGE_NOT_PARALLEL" });
}

/** Marks the in-memory relation whose rows are the shuffled partitions (filled in encoded form). */
const SHUFFLED_ROWS = "shuffle partitions";

export function batchesOf(r: StageResult): TransferBatch[] {
  if (!("batches" in r)) throw new Error("internal: a task returned shuffle partitions where rows were expected");
  return r.batches;
}

function partitionsOf(r: StageResult): TransferBatch[][] {
  if (!("partitions" in r)) throw new Error("internal: a map task returned rows where shuffle partitions were expected");
  return r.partitions;
}
