/**
 * A first transformWithState: a StatefulProcessor with named value / list / map state, timers
 * in processing and event time (firing in batches without data), TTL, and restart from the
 * checkpoint, on the flatMapGroupsWithState operator.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { col, timestamp_seconds } from "../../src/api/functions.js";
import { type ExpiredTimerInfo, type ListState, type MapState, type StatefulProcessor, type StatefulProcessorHandle, type TimerValues, type ValueState, rebuiltProcessor, shippedProcessor } from "../../src/api/transform-with-state.js";
import { ExecutionError } from "../../src/errors/errors.js";
import { ManualClock } from "../../src/streaming/clock.js";
import { statefulWorkerRuns } from "../../src/physical/parallel/stateful-on-workers.js";
import { workerSession } from "../support/worker-streams.js";
import { AddData, AdvanceClock, AssertOnQuery, CheckNewAnswer, ExpectFailure, StartStream, StopStream, testStream } from "../streaming/stream-test.js";

const spark = Session.builder().getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-tws-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const ckpt = (): string => path.join(root, `ckpt-${n++}`);
type Row = Record<string, unknown>;

/** Counts words per key (value state), remembers the last 2 words (list state) and counts per word (map state); a session closes 5 s after its last row. */
class SessionTracker implements StatefulProcessor<string, Row, Row> {
  private count!: ValueState<number>;
  private recent!: ListState<string>;
  private perWord!: MapState<string, number>;
  private handle!: StatefulProcessorHandle;
  init(handle: StatefulProcessorHandle): void {
    this.handle = handle;
    this.count = handle.getValueState<number>("count");
    this.recent = handle.getListState<string>("recent");
    this.perWord = handle.getMapState<string, number>("perWord");
  }
  handleInputRows(user: string, rows: Iterable<Row>, timers: TimerValues): Row[] {
    const ws = [...rows].map((r) => r.word as string);
    const c = (this.count.get() ?? 0) + ws.length;
    this.count.update(c);
    this.recent.put([...this.recent.get(), ...ws].slice(-2));
    for (const w of ws) this.perWord.updateValue(w, (this.perWord.getValue(w) ?? 0) + 1);
    for (const t of this.handle.listTimers()) this.handle.deleteTimer(t);
    this.handle.registerTimer(timers.getCurrentProcessingTimeInMs() + 5000);
    return [{ user, count: c, recent: this.recent.get().join(","), distinct: this.perWord.keys().length, closed: false }];
  }
  handleExpiredTimer(user: string, _timers: TimerValues, info: ExpiredTimerInfo): Row[] {
    const out = [{ user, count: this.count.get() ?? 0, recent: `closed@${info.getExpiryTimeInMs()}`, distinct: this.perWord.keys().length, closed: true }];
    this.count.clear();
    this.recent.clear();
    this.perWord.clear();
    return out;
  }
}

const SCHEMA = "user STRING, count INT, recent STRING, distinct INT, closed BOOLEAN";

void describe("transformWithState", () => {
  void it("value, list and map state with processing-time timers, across a restart", async () => {
    await sessionTrackerScenario(spark);
  });

  void it("on worker threads: the processor travels (class source and fields), with the same answers", async () => {
    const two = workerSession("tws-workers", 2);
    try {
      const before = statefulWorkerRuns.partitions;
      await sessionTrackerScenario(two);
      assert.ok(statefulWorkerRuns.partitions >= before + 4 * 4, `the partitions ran on the workers (${statefulWorkerRuns.partitions - before} runs)`);
    } finally {
      two.stop();
    }
  });

  void it("on worker threads, a processor that reads a variable around it runs on the calling thread, with a warning; one of a subclass stays there", async () => {
    const two = workerSession("tws-fallback", 2);
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }): void => {
      if (w.code === "SLUICE_STATE_NOT_PARALLEL") warnings.push(w.message);
    };
    process.on("warning", onWarning);
    try {
      const prefix = "n=";
      class Labeled implements StatefulProcessor<string, Row, Row> {
        private count!: ValueState<number>;
        init(h: StatefulProcessorHandle): void {
          this.count = h.getValueState<number>("count");
        }
        handleInputRows(user: string, rows: Iterable<Row>): Row[] {
          const c = (this.count.get() ?? 0) + [...rows].length;
          this.count.update(c);
          return [{ user, label: prefix + String(c) }];
        }
      }
      class Base {
        protected step = 1;
      }
      class Stepped extends Base implements StatefulProcessor<string, Row, Row> {
        private count!: ValueState<number>;
        init(h: StatefulProcessorHandle): void {
          this.count = h.getValueState<number>("count");
        }
        handleInputRows(user: string, rows: Iterable<Row>): Row[] {
          const c = (this.count.get() ?? 0) + this.step * [...rows].length;
          this.count.update(c);
          return [{ user, label: `s${c}` }];
        }
      }
      for (const [processor, first, second] of [[new Labeled(), "n=2", "n=3"], [new Stepped(), "s2", "s3"]] as const) {
        const before = statefulWorkerRuns.partitions;
        const input = two.memoryStream("user STRING, word STRING");
        const df = input.toDF().groupByKey((r) => r.user as string).transformWithState(processor, "None", "update", "user STRING, label STRING");
        await testStream(df, "update", [
          StartStream({ checkpoint: ckpt() }),
          AddData(input, [{ user: "u", word: "a" }, { user: "u", word: "b" }]),
          CheckNewAnswer([{ user: "u", label: first }]),
          AddData(input, [{ user: "u", word: "c" }]),
          CheckNewAnswer([{ user: "u", label: second }]),
        ]);
        assert.equal(statefulWorkerRuns.partitions, before, "no partition ran on a worker");
      }
      await new Promise((r) => setImmediate(r));
      assert.ok(warnings.some((w) => /calling thread.*prefix is not defined/s.test(w)), `warned: ${warnings.join(" | ")}`);
      assert.equal(warnings.length, 1, "the subclass stays without a warning");
    } finally {
      process.off("warning", onWarning);
      two.stop();
    }
  });

  void it("a processor travels as its class's source and its fields as they were when the query was built; not one that a clone would change", () => {
    class Tuned implements StatefulProcessor<string, Row, Row> {
      limits = { low: 1, high: new Set([5]) };
      init(): void {}
      handleInputRows(): Row[] {
        return [];
      }
    }
    const p = new Tuned();
    const shipped = shippedProcessor(p)!;
    assert.ok(shipped.classSource?.startsWith("class Tuned"), shipped.classSource);
    p.limits.low = 2;
    assert.deepEqual(shipped.fields, { limits: { low: 1, high: new Set([5]) } }, "a copy");
    const rebuilt = rebuiltProcessor(shipped, "Tuned") as unknown as Tuned;
    assert.deepEqual(rebuilt.limits, { low: 1, high: new Set([5]) });
    assert.equal(typeof rebuilt.handleInputRows, "function");
    class Helper {
      twice(x: number): number {
        return 2 * x;
      }
    }
    assert.equal(shippedProcessor(Object.assign(new Tuned(), { helper: new Helper() })), null, "a field of a class would arrive without its methods");
    class Sub extends Tuned {}
    assert.equal(shippedProcessor(new Sub()), null, "a subclass: its parent is not in its source");
    const literal = shippedProcessor({ n: 3, init(): void {}, handleInputRows: (k: string): Row[] => [{ k }] })!;
    assert.equal(literal.classSource, undefined);
    assert.deepEqual(Object.keys(literal.methods).sort(), ["handleInputRows", "init"]);
    assert.deepEqual(rebuiltProcessor(literal, "literal").handleInputRows("a", [], null as unknown as TimerValues), [{ k: "a" }]);
  });

  async function sessionTrackerScenario(spark: Session): Promise<void> {
    const input = spark.memoryStream("user STRING, word STRING");
    const df = input.toDF().groupByKey((r) => r.user as string).transformWithState(new SessionTracker(), "ProcessingTime", "update", SCHEMA);
    const clock = new ManualClock(0);
    const checkpoint = ckpt();
    const trigger = { processingTime: "1 second" };
    await testStream(df, "update", [
      StartStream({ trigger, clock, checkpoint }),
      AddData(input, [{ user: "u", word: "a" }, { user: "u", word: "b" }, { user: "v", word: "a" }]),
      AdvanceClock(1000), // t=1 s, timers at 6 s
      CheckNewAnswer([{ user: "u", count: 2, recent: "a,b", distinct: 2, closed: false }, { user: "v", count: 1, recent: "a", distinct: 1, closed: false }]),
      StopStream,
      StartStream({ trigger, clock, checkpoint }),
      AddData(input, [{ user: "u", word: "a" }]),
      AdvanceClock(2000), // t=3 s: u's timer moves to 8 s
      CheckNewAnswer([{ user: "u", count: 3, recent: "b,a", distinct: 2, closed: false }]),
      AdvanceClock(4000), // t=7 s, no data: v's timer (6 s) fires
      CheckNewAnswer([{ user: "v", count: 1, recent: "closed@6000", distinct: 1, closed: true }]),
      AdvanceClock(2000), // t=9 s: u's timer (8 s) fires
      CheckNewAnswer([{ user: "u", count: 3, recent: "closed@8000", distinct: 2, closed: true }]),
      AssertOnQuery((q) => q.lastProgress?.stateOperators[0]?.numRowsTotal === 0, "state emptied"),
    ]);
  }

  void it("event-time timers fire when the watermark passes them", async () => {
    class LastSeen implements StatefulProcessor<string, Row, Row> {
      private last!: ValueState<number>;
      private h!: StatefulProcessorHandle;
      init(h: StatefulProcessorHandle): void {
        this.h = h;
        this.last = h.getValueState<number>("last");
      }
      handleInputRows(key: string, rows: Iterable<Row>): Row[] {
        const max = Math.max(...[...rows].map((r) => (r.ts as Date).getTime()), this.last.get() ?? 0);
        this.last.update(max);
        this.h.listTimers().forEach((t) => this.h.deleteTimer(t));
        this.h.registerTimer(max + 5000);
        return [];
      }
      handleExpiredTimer(key: string, timers: TimerValues): Row[] {
        const last = this.last.get()!;
        this.last.clear();
        return [{ key, lastSec: last / 1000, watermarkSec: timers.getCurrentWatermarkInMs() / 1000 }];
      }
    }
    const input = spark.memoryStream("key STRING, t INT");
    const df = input
      .toDF()
      .select(col("key"), timestamp_seconds(col("t")).alias("ts"))
      .withWatermark("ts", "10 seconds")
      .groupByKey((r) => r.key as string)
      .transformWithState(new LastSeen(), "EventTime", "append", "key STRING, lastSec INT, watermarkSec INT");
    await testStream(df, "append", [
      AddData(input, [{ key: "a", t: 10 }, { key: "b", t: 12 }]), // timers a@15 s, b@17 s
      CheckNewAnswer([]),
      AddData(input, [{ key: "c", t: 26 }]), // watermark -> 16 s: a fires in the no-data batch
      CheckNewAnswer([{ key: "a", lastSec: 10, watermarkSec: 16 }]),
      AddData(input, [{ key: "c", t: 40 }]), // watermark -> 30 s: b fires (c moved its timer to 45 s)
      CheckNewAnswer([{ key: "b", lastSec: 12, watermarkSec: 30 }]),
    ]);
  });

  void it("TTL: an expired value reads as absent and is purged in processing-time mode", async () => {
    class Remember implements StatefulProcessor<string, Row, Row> {
      private v!: ValueState<string>;
      init(h: StatefulProcessorHandle): void {
        this.v = h.getValueState<string>("v", { ttlDuration: "3 seconds" });
      }
      handleInputRows(key: string, rows: Iterable<Row>): Row[] {
        const prev = this.v.get() ?? null;
        const rs = [...rows];
        this.v.update(rs[rs.length - 1]!.word as string);
        return [{ key, prev }];
      }
    }
    const input = spark.memoryStream("user STRING, word STRING");
    const df = input.toDF().groupByKey((r) => r.user as string).transformWithState(new Remember(), "ProcessingTime", "update", "key STRING, prev STRING");
    const clock = new ManualClock(0);
    const trigger = { processingTime: "1 second" };
    await testStream(df, "update", [
      StartStream({ trigger, clock }),
      AddData(input, [{ user: "u", word: "x" }]),
      AdvanceClock(1000), // t=1 s: expires at 4 s
      CheckNewAnswer([{ key: "u", prev: null }]),
      AddData(input, [{ user: "u", word: "y" }]),
      AdvanceClock(1000), // t=2 s: still there; expires at 5 s
      CheckNewAnswer([{ key: "u", prev: "x" }]),
      AdvanceClock(4000), // t=6 s: a no-data batch purges it
      CheckNewAnswer([]),
      AssertOnQuery((q) => q.lastProgress?.numInputRows === 0 && q.lastProgress.stateOperators[0]?.numRowsTotal === 0, "purged by TTL"),
      AddData(input, [{ user: "u", word: "z" }]),
      AdvanceClock(1000),
      CheckNewAnswer([{ key: "u", prev: null }]),
    ]);
  });

  void it("a throwing processor stops the query naming it; misuse is refused", async () => {
    class Broken implements StatefulProcessor<string, Row, Row> {
      init(): void {}
      handleInputRows(): Row[] {
        throw new Error("no");
      }
    }
    const input = spark.memoryStream("user STRING");
    const df = input.toDF().groupByKey((r) => r.user as string).transformWithState(new Broken(), "None", "update", "user STRING");
    await testStream(df, "update", [AddData(input, [{ user: "u" }]), ExpectFailure(ExecutionError, /user function Broken of transformWithState failed for key "u": Error: no/)]);

    class Timers implements StatefulProcessor<string, Row, Row> {
      private h!: StatefulProcessorHandle;
      init(h: StatefulProcessorHandle): void {
        this.h = h;
        assert.throws(() => h.getValueState("x").get(), /only be used inside/);
        h.getValueState("x");
        assert.throws(() => h.getListState("x"), /already defined as value/);
      }
      handleInputRows(): Row[] {
        this.h.registerTimer(1);
        return [];
      }
    }
    const df2 = spark.createDataFrame([{ user: "u" }], "user STRING").groupByKey((r) => r.user).transformWithState(new Timers(), "None", "update", "user STRING");
    await assert.rejects(df2.collect(), /Timers need the time mode ProcessingTime or EventTime/);
    assert.throws(() => input.toDF().groupByKey((r) => r.user).transformWithState(new Timers(), "Sometimes" as "None", "update", "user STRING"), /time mode must be/);
  });
});
