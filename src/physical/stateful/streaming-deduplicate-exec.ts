import { type RecordBatch, takeBatch } from "../../batch/record-batch.js";
import { valueAt } from "../../batch/vector.js";
import type { AttributeRef } from "../../expr/expression.js";
import { type StateKey, type StateStore } from "../../state/state-store.js";
import { KeyEncoder } from "../../state/key-encoder.js";
import { entriesBehindWatermark } from "./watermark-scan.js";
import { DroppedRowsCollector } from "./dropped-rows.js";
import type { StatefulRunResult } from "./streaming-aggregate-exec.js";

/**
 * Streaming deduplication for one micro-batch (Spark's StreamingDeduplicateExec and
 * StreamingDeduplicateWithinWatermarkExec). The state holds one entry per key seen:
 *
 * - rows whose event time (the watermarked column of the input) is <= the watermark are late:
 *   dropped and counted;
 * - a row whose key is not in state is emitted and its key stored; later rows with that key are
 *   dropped (within a batch too);
 * - `dropDuplicates` keeps a key until the watermark passes its event-time column, when that
 *   column is one of the keys (otherwise forever: state is unbounded, as in Spark);
 * - `dropDuplicatesWithinWatermark` stores, per key, the first row's event time plus the delay,
 *   and forgets the key once the watermark reaches that time.
 */
export class StreamingDeduplicateExec {
  constructor(
    readonly operatorId: number,
    private readonly input: readonly AttributeRef[],
    private readonly keys: readonly AttributeRef[],
    private readonly withinWatermark: boolean,
  ) {}

  /** The watermarked event-time column of the input, if any. */
  private get eventTime(): { index: number; delayMicros: number } | null {
    const index = this.input.findIndex((a) => a.watermarkDelayMicros !== undefined);
    return index < 0 ? null : { index, delayMicros: this.input[index]!.watermarkDelayMicros! };
  }

  /** Position of the event-time column among the keys (what bounds `dropDuplicates` state). */
  get eventTimeKeyIndex(): number {
    const et = this.eventTime;
    return et === null ? -1 : this.keys.findIndex((k) => k.id === this.input[et.index]!.id);
  }

  get evictsOnWatermark(): boolean {
    return this.withinWatermark ? this.eventTime !== null : this.eventTimeKeyIndex >= 0;
  }

  run(batches: readonly RecordBatch[], store: StateStore<number>, watermarkMs: number): StatefulRunResult {
    const wm = watermarkMs * 1000;
    const et = this.eventTime;
    const keyIx = this.keys.map((k) => this.input.findIndex((a) => a.id === k.id));
    const out: RecordBatch[] = [];
    let dropped = 0;
    const late = new DroppedRowsCollector();
    const vals = new Array<unknown>(keyIx.length);
    const encoder = new KeyEncoder(keyIx.length);
    for (const b of batches) {
      // Keys of the batch's on-time rows, looked up in state in one call.
      const rows: number[] = [], keys: StateKey[] = [], times: (number | null)[] = [];
      for (let i = 0; i < b.numRows; i++) {
        const t = et === null ? null : (valueAt(b.columns[et.index]!, i) as number | null);
        if (t !== null && t <= wm) {
          dropped++;
          late.add(b, i);
          continue;
        }
        for (let j = 0; j < keyIx.length; j++) vals[j] = valueAt(b.columns[keyIx[j]!]!, i);
        rows.push(i);
        keys.push(encoder.encode(vals));
        times.push(t);
      }
      const stored = store.getMany(keys);
      const seen = new Set<StateKey>();
      const keep: number[] = [], newKeys: StateKey[] = [], newValues: number[] = [];
      for (let r = 0; r < rows.length; r++) {
        const key = keys[r]!;
        if (stored[r] !== undefined) continue;
        const before = seen.size;
        seen.add(key); // one lookup: a key already seen this batch leaves the size unchanged
        if (seen.size === before) continue;
        const t = times[r]!;
        newKeys.push(key);
        newValues.push(this.withinWatermark && t !== null && et !== null ? t + et.delayMicros : 0);
        keep.push(rows[r]!);
      }
      // The new keys were absent from state (getMany above) and are distinct.
      store.putMany(newKeys, newValues, new Array<undefined>(newKeys.length));
      if (keep.length === b.numRows) out.push(b);
      else if (keep.length > 0) out.push(takeBatch(b, keep));
    }
    const ek = this.eventTimeKeyIndex;
    if (this.withinWatermark) {
      const expired: StateKey[] = [];
      // In the store's own order: a sorted scan would make the store keep its keys sorted.
      for (const e of store.iterator()) if (e.value > 0 && e.value <= wm) expired.push(e.key);
      store.removeMany(expired);
    } else if (ek >= 0) {
      store.removeMany(entriesBehindWatermark(store, { index: ek, kind: "time" }, wm, false).map((e) => e.key));
    }
    return { output: out, droppedByWatermark: dropped, late: late.finish() };
  }
}
