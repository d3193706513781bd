import type { RecordBatch } from "../batch/record-batch.js";
import { IllegalArgumentError } from "../errors/errors.js";

/** `sluice.sql.streaming.multipleWatermarkPolicy`: how one global watermark follows several withWatermark inputs. */
export type MultipleWatermarkPolicy = "min" | "max";

export const WATERMARK_POLICY_CONF = "sluice.sql.streaming.multipleWatermarkPolicy";

export function parseWatermarkPolicy(s: string | undefined): MultipleWatermarkPolicy {
  const v = (s ?? "min").trim().toLowerCase();
  if (v === "min" || v === "max") return v;
  throw new IllegalArgumentError("INVALID_CONF_VALUE", `The value '${s}' of the config "${WATERMARK_POLICY_CONF}" must be "min" or "max".`);
}

/**
 * Event times (milliseconds since the epoch) of the rows one EventTimeWatermark node let through
 * in one batch: Spark's EventTimeStats. `count` is 0 when the node saw no rows with an event time.
 */
export interface EventTimeStats {
  readonly max: number;
  readonly min: number;
  readonly sum: number;
  readonly count: number;
  /**
   * Set for a withWatermark downstream of a stateful operator (e.g. on the output of
   * flatMapGroupsWithState before an aggregation): it declares an event-time column, but the
   * watermark of that part of the query is the one the upstream operators propagate, so the node
   * does not take part in the global watermark (under the min policy it would otherwise hold it
   * back until the upstream operator emits, which may itself wait for the watermark).
   */
  readonly derived?: boolean;
}

export const EMPTY_EVENT_TIME_STATS: EventTimeStats = Object.freeze({ max: Number.NEGATIVE_INFINITY, min: Number.POSITIVE_INFINITY, sum: 0, count: 0 });

export function mergeEventTimeStats(a: EventTimeStats, b: EventTimeStats): EventTimeStats {
  if (a.count === 0) return b;
  if (b.count === 0) return a;
  return { max: Math.max(a.max, b.max), min: Math.min(a.min, b.min), sum: a.sum + b.sum, count: a.count + b.count };
}

/** Max, min, sum and count of a timestamp column (microseconds) in milliseconds, as Spark's EventTimeStats. */
export function eventTimeStatsOf(batches: readonly RecordBatch[], column: number): EventTimeStats {
  let max = Number.NEGATIVE_INFINITY, min = Number.POSITIVE_INFINITY, sum = 0, count = 0;
  for (const b of batches) {
    const v = b.columns[column]!;
    const vals = v.values as ArrayLike<number>, nulls = v.nulls;
    for (let i = 0; i < b.numRows; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const ms = Math.trunc(Number(vals[i]) / 1000);
      if (ms > max) max = ms;
      if (ms < min) min = ms;
      sum += ms;
      count++;
    }
  }
  return count === 0 ? EMPTY_EVENT_TIME_STATS : { max, min, sum, count };
}

/**
 * The global event-time watermark of a query (Spark's WatermarkTracker). Pure bookkeeping: the
 * trigger loop feeds it, at the end of each batch, the event-time statistics of every
 * EventTimeWatermark node (in a fixed order) and their delays; the watermark it returns is the
 * one the *next* batch runs with.
 *
 * - A node's watermark is `max event time seen - delay`; it only moves forward, and only when
 *   the node saw rows. A node that has seen no rows yet counts as 0 (the epoch), so under the
 *   min policy one idle input holds the global watermark back, as in Spark.
 * - The global watermark is the min (default) or max of the nodes' watermarks, and never moves
 *   back: a restart seeds it from the checkpoint and a smaller value is ignored.
 *
 * Per-node values are not checkpointed (as in Spark): after a restart they are rebuilt from the
 * batches that follow, while the global value resumes from the offset log.
 */
export class WatermarkTracker {
  private readonly perNode = new Map<number, number>();
  private global: number;

  constructor(
    readonly policy: MultipleWatermarkPolicy,
    initialWatermarkMs = 0,
  ) {
    this.global = initialWatermarkMs;
  }

  get currentWatermarkMs(): number {
    return this.global;
  }

  /** Restores the global watermark (restart); never moves it back. */
  setWatermark(ms: number): void {
    if (ms > this.global) this.global = ms;
  }

  /** Folds in one batch's statistics (`stats[i]` of node i, whose delay is `delaysMs[i]`); returns the new global watermark. */
  update(stats: readonly EventTimeStats[], delaysMs: readonly number[]): number {
    if (delaysMs.length === 0) return this.global;
    delaysMs.forEach((delay, i) => {
      const s = stats[i];
      if (s?.derived === true) return;
      if (s !== undefined && s.count > 0) {
        const candidate = s.max - delay;
        const prev = this.perNode.get(i);
        if (prev === undefined || candidate > prev) this.perNode.set(i, candidate);
      } else if (!this.perNode.has(i)) {
        this.perNode.set(i, 0);
      }
    });
    const values = [...this.perNode.values()];
    if (values.length === 0) return this.global;
    const chosen = this.policy === "min" ? Math.min(...values) : Math.max(...values);
    if (chosen > this.global) this.global = chosen;
    return this.global;
  }
}
