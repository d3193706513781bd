/**
 * User state with groupByKey(...).mapGroupsWithState / flatMapGroupsWithState: the semantics of
 * Spark's FlatMapGroupsWithStateSuite that users rely on — running counts kept across batches
 * and restarts, processing-time timeouts driven by a ManualClock (a batch runs for a due timeout
 * without new data), event-time timeouts that fire once the watermark passes, late rows dropped,
 * output-mode rules, batch queries, GroupState's errors, and a throwing user function that stops
 * the query and leaves state at the last committed version.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { col, timestamp_seconds } from "../../src/api/functions.js";
import { type GroupState, GroupStateError, GroupStateImpl, GroupStateTimeout, NO_TIMESTAMP, OutputMode } from "../../src/api/group-state.js";
import { ExecutionError, StreamingError } from "../../src/errors/errors.js";
import { ManualClock } from "../../src/streaming/clock.js";
import { groupStateKey } from "../../src/physical/stateful/flat-map-groups-with-state-exec.js";
import { AddData, AdvanceClock, AssertOnQuery, CheckNewAnswer, ExpectFailure, StartStream, StopStream, testStream } from "../streaming/stream-test.js";
import * as sluice from "../../src/index.js";
import { statefulWorkerRuns } from "../../src/physical/parallel/stateful-on-workers.js";
import { workerSession } from "../support/worker-streams.js";

const spark = Session.builder().getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-group-state-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const ckpt = (): string => path.join(root, `ckpt-${n++}`);

type Row = Record<string, unknown>;
const words = (...ws: string[]): Row[] => ws.map((word) => ({ word }));

/**
 * Spark's processing-time test function: count per key, time out 10 s after the last activity,
 * then emit -1 and forget. Self-contained, so it can run on a worker thread.
 */
function countOrExpire(key: unknown, values: Iterable<Row>, state: GroupState<number>): Row[] {
  if (state.hasTimedOut) {
    state.remove();
    return [{ key, count: -1 }];
  }
  const c = (state.getOption() ?? 0) + [...values].length;
  state.update(c);
  state.setTimeoutDuration("10 seconds");
  return [{ key, count: c }];
}

/** countOrExpire, checking that a timed-out call has no values. */
function countWithTimeout(key: unknown, values: Iterable<Row>, state: GroupState<number>): Row[] {
  if (state.hasTimedOut) assert.equal([...values].length, 0, "a timed-out call has no values");
  return countOrExpire(key, values, state);
}

void describe("flatMapGroupsWithState / mapGroupsWithState", () => {
  void it("mapGroupsWithState keeps a running count per key across batches and a restart", async () => {
    const input = spark.memoryStream("word STRING");
    const df = input
      .toDF()
      .groupByKey((r) => r.word)
      .mapGroupsWithState(
        "NoTimeout",
        function runningCount(word, values, state: GroupState<bigint>) {
          const c = (state.getOption() ?? 0n) + BigInt([...values].length);
          state.update(c);
          return { word, count: c };
        },
        "word STRING, count BIGINT",
      );
    const checkpoint = ckpt();
    await testStream(df, "update", [
      StartStream({ checkpoint }),
      AddData(input, words("a", "b", "a")),
      CheckNewAnswer([{ word: "a", count: 2 }, { word: "b", count: 1 }]),
      AssertOnQuery((q) => q.lastProgress?.stateOperators[0]?.operatorName === "flatMapGroupsWithState", "operator name"),
      AssertOnQuery((q) => q.lastProgress?.stateOperators[0]?.numRowsTotal === 2, "2 keys in state"),
      StopStream,
      StartStream({ checkpoint }),
      AddData(input, words("a", "c")),
      CheckNewAnswer([{ word: "a", count: 3 }, { word: "c", count: 1 }]),
    ]);
  });

  void it("processing-time timeout with a ManualClock: timeouts fire in batches without data, across a restart", async () => {
    const input = spark.memoryStream("word STRING");
    const df = input.toDF().groupByKey((r) => r.word).flatMapGroupsWithState("update", "ProcessingTimeTimeout", countWithTimeout, "key STRING, count INT");
    const clock = new ManualClock(0);
    const checkpoint = ckpt();
    const trigger = { processingTime: "1 second" };
    await testStream(df, "update", [
      StartStream({ trigger, clock, checkpoint }),
      AddData(input, words("a")),
      AdvanceClock(1000), // batch at t=1 s: a's timeout is 11 s
      CheckNewAnswer([{ key: "a", count: 1 }]),
      AddData(input, words("b")),
      AdvanceClock(1000), // t=2 s: b's timeout is 12 s
      CheckNewAnswer([{ key: "b", count: 1 }]),
      AddData(input, words("b")),
      AdvanceClock(10_000), // t=12 s: a times out (11 s < 12 s); b counted again, its timeout now 22 s
      CheckNewAnswer([{ key: "a", count: -1 }, { key: "b", count: 2 }]),
      AssertOnQuery((q) => q.lastProgress?.stateOperators[0]?.numRowsTotal === 1, "a removed from state"),
      StopStream,
      StartStream({ trigger, clock, checkpoint }),
      AddData(input, words("c")),
      AdvanceClock(11_000), // t=23 s: b times out; c's timeout 33 s
      CheckNewAnswer([{ key: "b", count: -1 }, { key: "c", count: 1 }]),
      AdvanceClock(12_000), // t=35 s, no data: a batch runs only because c's timeout is due
      CheckNewAnswer([{ key: "c", count: -1 }]),
      AssertOnQuery((q) => q.lastProgress?.numInputRows === 0 && q.lastProgress.stateOperators[0]?.numRowsTotal === 0, "a no-data batch emptied the state"),
      AdvanceClock(60_000), // nothing due: no batch
      AssertOnQuery((q) => q.lastProgress?.timestamp === new Date(35_000).toISOString(), "no batch without data or a due timeout"),
    ]);
  });

  void it("on worker threads: the functions travel as source text, timeouts fire in batches without data, across a restart", async () => {
    const two = workerSession("group-state-workers", 2);
    try {
      const input = two.memoryStream("word STRING");
      // Self-contained (no variable around it): it runs where each key's state partition lives.
      const df = input.toDF().groupByKey((r) => r.word).flatMapGroupsWithState("update", "ProcessingTimeTimeout", countOrExpire, "key STRING, count INT");
      const clock = new ManualClock(0);
      const checkpoint = ckpt();
      const trigger = { processingTime: "1 second" };
      const before = statefulWorkerRuns.partitions;
      await testStream(df, "update", [
        StartStream({ trigger, clock, checkpoint }),
        AddData(input, words("a", "d", "e")),
        AdvanceClock(1000),
        CheckNewAnswer([{ key: "a", count: 1 }, { key: "d", count: 1 }, { key: "e", count: 1 }]),
        AddData(input, words("b")),
        AdvanceClock(1000),
        CheckNewAnswer([{ key: "b", count: 1 }]),
        StopStream,
        StartStream({ trigger, clock, checkpoint }),
        AddData(input, words("b", "c")),
        AdvanceClock(10_000), // t=12 s: a, d, e time out (11 s < 12 s); b counted again, c new
        CheckNewAnswer([{ key: "a", count: -1 }, { key: "b", count: 2 }, { key: "c", count: 1 }, { key: "d", count: -1 }, { key: "e", count: -1 }]),
        AdvanceClock(11_000), // t=23 s, no data: a batch runs only because the workers reported b's and c's timeouts (22 s)
        CheckNewAnswer([{ key: "b", count: -1 }, { key: "c", count: -1 }]),
        AssertOnQuery((q) => q.lastProgress?.numInputRows === 0 && q.lastProgress.stateOperators[0]?.numRowsTotal === 0, "a no-data batch emptied the state"),
        AdvanceClock(60_000), // nothing due: no batch
        AssertOnQuery((q) => q.lastProgress?.timestamp === new Date(23_000).toISOString(), "no batch without data or a due timeout"),
      ]);
      assert.ok(statefulWorkerRuns.partitions >= before + 4 * 4, `the partitions ran on the workers (${statefulWorkerRuns.partitions - before} runs)`);
    } finally {
      two.stop();
    }
  });

  void it("a timeout is not due at exactly last activity + duration (Spark fires when the timestamp is earlier than the batch time); a restart finds pending timeouts", async () => {
    const input = spark.memoryStream("word STRING");
    const df = input.toDF().groupByKey((r) => r.word).flatMapGroupsWithState("update", "ProcessingTimeTimeout", countWithTimeout, "key STRING, count INT");
    const clock = new ManualClock(0);
    const trigger = { processingTime: "1 second" };
    const checkpoint = ckpt();
    await testStream(df, "update", [
      StartStream({ trigger, clock, checkpoint }),
      AddData(input, words("a")),
      AdvanceClock(1000),
      CheckNewAnswer([{ key: "a", count: 1 }]),
      AdvanceClock(10_000), // t = 11 s = timeout: not yet
      CheckNewAnswer([]),
      StopStream,
      StartStream({ trigger, clock, checkpoint }), // the restarted query finds the pending timeout in the committed state
      AdvanceClock(1000),
      CheckNewAnswer([{ key: "a", count: -1 }]),
    ]);
  });

  void it("event-time timeout fires once the watermark passes the timeout timestamp; late rows are dropped", async () => {
    const input = spark.memoryStream("key STRING, t INT");
    const df = input
      .toDF()
      .select(col("key"), timestamp_seconds(col("t")).alias("eventTime"))
      .withWatermark("eventTime", "10 seconds")
      .groupByKey((r) => r.key as string)
      .flatMapGroupsWithState(
        OutputMode.Update as "update",
        GroupStateTimeout.EventTimeTimeout,
        (key, values, state: GroupState<number>) => {
          if (state.hasTimedOut) {
            state.remove();
            return [{ key, maxEventTime: -1 }];
          }
          const maxSec = Math.max(...[...values].map((v) => (v.eventTime as Date).getTime() / 1000), state.getOption() ?? 0);
          state.update(maxSec);
          state.setTimeoutTimestamp((maxSec + 5) * 1000);
          assert.ok(state.getCurrentWatermarkMs() >= 0);
          return [{ key, maxEventTime: maxSec }];
        },
        "key STRING, maxEventTime INT",
      );
    await testStream(df, "update", [
      AddData(input, [{ key: "a", t: 11 }, { key: "a", t: 13 }, { key: "a", t: 15 }]), // a's timeout 20 s; watermark -> 5 s
      CheckNewAnswer([{ key: "a", maxEventTime: 15 }]),
      AddData(input, [{ key: "a", t: 4 }]), // behind the watermark: dropped
      CheckNewAnswer([]),
      AssertOnQuery((q) => q.recentProgress.filter((p) => p.numInputRows > 0).at(-1)?.stateOperators[0]?.numRowsDroppedByWatermark === 1, "1 late row dropped"),
      AddData(input, [{ key: "a", t: 10 }]), // newer than the watermark, max unchanged
      CheckNewAnswer([{ key: "a", maxEventTime: 15 }]),
      AddData(input, [{ key: "b", t: 31 }]), // watermark -> 21 s > 20 s: the no-data batch after times a out
      CheckNewAnswer([{ key: "a", maxEventTime: -1 }, { key: "b", maxEventTime: 31 }]),
    ]);
  });

  void it("append output mode, object keys and bigint state; flatMapGroupsWithState may emit many or no rows", async () => {
    const input = spark.memoryStream("user STRING, device STRING, n BIGINT");
    const df = input
      .toDF()
      .groupByKey((r) => ({ user: r.user, device: r.device }))
      .flatMapGroupsWithState(
        "append",
        "NoTimeout",
        (key: { user: unknown; device: unknown }, values, state: GroupState<{ total: bigint }>) => {
          const total = [...values].reduce((s, v) => s + BigInt(v.n as number | bigint), state.getOption()?.total ?? 0n);
          state.update({ total });
          // Emit only when a total crosses 2^53 or each time for device x.
          return total > 2n ** 53n || key.device === "x" ? [{ user: key.user, device: key.device, total }] : [];
        },
        "user STRING, device STRING, total BIGINT",
      );
    const big = 2n ** 53n;
    await testStream(df, "append", [
      AddData(input, [{ user: "u", device: "x", n: 1 }, { user: "u", device: "y", n: big }]),
      CheckNewAnswer([{ user: "u", device: "x", total: 1 }]),
      AddData(input, [{ user: "u", device: "y", n: 1 }, { device: "x", user: "u", n: 2 }]),
      CheckNewAnswer([{ user: "u", device: "y", total: big + 1n }, { user: "u", device: "x", total: 3 }]),
    ]);
    assert.equal(groupStateKey({ a: 1, b: 2n }), groupStateKey({ b: 2n, a: 1 }), "object keys compare by content");
    assert.notEqual(groupStateKey(1), groupStateKey("1"));
    assert.notEqual(groupStateKey(1n), groupStateKey("1"));
  });

  void it("output modes and watermark rules are checked when the query starts", async () => {
    const input = spark.memoryStream("word STRING");
    const kv = input.toDF().groupByKey((r) => r.word);
    const emit = (): Row[] => [];
    await assert.rejects(testStream(kv.flatMapGroupsWithState("update", "NoTimeout", emit, "word STRING"), "append", []), (e: unknown) => e instanceof StreamingError && /update mode.*append/.test(e.message));
    await assert.rejects(testStream(kv.mapGroupsWithState("NoTimeout", () => ({ word: "x" }), "word STRING"), "append", []), (e: unknown) => e instanceof StreamingError && /mapGroupsWithState.*update output mode/.test(e.message));
    await assert.rejects(
      testStream(kv.flatMapGroupsWithState("update", "EventTimeTimeout", emit, "word STRING"), "update", []),
      (e: unknown) => e instanceof StreamingError && /EventTimeTimeout needs a watermark/.test(e.message),
    );
    assert.throws(() => kv.flatMapGroupsWithState("complete" as "update", "NoTimeout", emit, "word STRING"), /append.*update/);
    assert.throws(() => kv.flatMapGroupsWithState("update", "Sometimes" as "NoTimeout", emit, "word STRING"), /NoTimeout, ProcessingTimeTimeout, EventTimeTimeout/);
  });

  void it("a throwing user function stops the query with the cause; state stays at the last committed version", async () => {
    const input = spark.memoryStream("word STRING");
    let failOn: string | null = "boom";
    const df = input
      .toDF()
      .groupByKey((r) => r.word)
      .mapGroupsWithState(
        "NoTimeout",
        function countWords(word, values, state: GroupState<number>) {
          if (word === failOn) throw new Error(`cannot count ${String(word)}`);
          const c = (state.getOption() ?? 0) + [...values].length;
          state.update(c);
          return { word, count: c };
        },
        "word STRING, count INT",
      );
    const checkpoint = ckpt();
    await testStream(df, "update", [
      StartStream({ checkpoint }),
      AddData(input, words("a")),
      CheckNewAnswer([{ word: "a", count: 1 }]),
      AddData(input, words("a", "boom")), // a is updated before boom throws: that change must not survive
      ExpectFailure(ExecutionError, /user function countWords of mapGroupsWithState failed for key "boom": Error: cannot count boom/),
      AssertOnQuery((q) => {
        const cause = q.exception()?.cause as ExecutionError;
        failOn = null;
        return cause.errorClass === "FLATMAPGROUPSWITHSTATE_USER_FUNCTION_ERROR" && (cause.cause as Error).message === "cannot count boom" && q.lastCommittedBatchId === 0;
      }, "cause kept, batch 1 not committed"),
      StartStream({ checkpoint }), // batch 1 re-runs against state version 1
      CheckNewAnswer([{ word: "a", count: 2 }, { word: "boom", count: 1 }]),
      AddData(input, words("a")),
      CheckNewAnswer([{ word: "a", count: 3 }]),
    ]);
  });

  void it("works on batch DataFrames: each key once, empty state, timeouts never fire", async () => {
    const df = spark.createDataFrame([{ k: "a", v: 1 }, { k: "b", v: 2 }, { k: "a", v: 3 }], "k STRING, v INT");
    const out = await df
      .groupByKey((r) => r.k)
      .flatMapGroupsWithState(
        "update",
        "ProcessingTimeTimeout",
        (k, values, state: GroupState<number>) => {
          assert.equal(state.exists, false);
          assert.equal(state.hasTimedOut, false);
          const vs = [...values].map((r) => r.v as number);
          state.update(vs.length);
          state.setTimeoutDuration(1000);
          return vs.map((v) => ({ k, v2: v * 2 }));
        },
        "k STRING, v2 INT",
      )
      .collect();
    assert.deepEqual(
      out.map((r) => `${String(r.k)}${String(r.v2)}`).sort(),
      ["a2", "a6", "b4"],
    );
    const mapped = await df.groupByKey((r) => r.k).mapGroupsWithState("NoTimeout", (k, vs) => ({ k, n: [...vs].length }), "k STRING, n INT").filter("n > 1").collect();
    assert.deepEqual(mapped, [{ k: "a", n: 2 }]);
  });

  void it("GroupState refuses misuse with clear errors", () => {
    const mk = (timeout: GroupStateTimeout, o: { exists?: boolean; value?: unknown; watermarkPresent?: boolean; watermarkMs?: number } = {}): GroupStateImpl<unknown> =>
      new GroupStateImpl({ exists: o.exists ?? false, value: o.value, timeout, batchTimestampMs: 5000, watermarkMs: o.watermarkMs ?? 0, watermarkPresent: o.watermarkPresent ?? false, hasTimedOut: false, operator: "flatMapGroupsWithState" });
    const s = mk("NoTimeout");
    assert.throws(() => s.get(), (e: unknown) => e instanceof GroupStateError && /not defined/.test(e.message));
    assert.equal(s.getOption(), undefined);
    assert.throws(() => s.update(null), /not a valid group state value/);
    assert.throws(() => s.setTimeoutDuration("10 seconds"), (e: unknown) => e instanceof GroupStateError && /ProcessingTimeTimeout/.test(e.message));
    assert.throws(() => s.setTimeoutTimestamp(1000), /EventTimeTimeout/);
    assert.throws(() => s.getCurrentWatermarkMs(), /no watermark/);
    assert.equal(s.getCurrentProcessingTimeMs(), 5000);

    const p = mk("ProcessingTimeTimeout");
    assert.throws(() => p.setTimeoutDuration("-1 seconds"), /must be positive/);
    assert.throws(() => p.setTimeoutDuration(0), /must be positive/);
    assert.throws(() => p.setTimeoutDuration("1 month"), /months/);
    assert.throws(() => p.setTimeoutDuration("soon"), GroupStateError);
    p.setTimeoutDuration("2 seconds");
    assert.equal(p.getTimeoutTimestampMs(), 7000);

    const e = mk("EventTimeTimeout", { watermarkPresent: true, watermarkMs: 10_000 });
    assert.throws(() => e.setTimeoutTimestamp(-5), /non-negative/);
    assert.throws(() => e.setTimeoutTimestamp(9_999), /cannot be earlier than the current watermark \(10000\)/);
    e.setTimeoutTimestamp(new Date(10_000), "1 second");
    assert.equal(e.getTimeoutTimestampMs(), 11_000);
    assert.equal(e.getCurrentWatermarkMs(), 10_000);

    // State is a copy: mutating an object after update does not change the state.
    const obj = { n: 1 };
    const c = mk("NoTimeout");
    c.update(obj);
    obj.n = 2;
    assert.deepEqual(c.get(), { n: 1 });
    c.remove();
    assert.equal(c.exists, false);
    assert.equal(c.isRemoved, true);
    assert.equal(c.timeoutTimestamp, NO_TIMESTAMP);
  });

  void it("is exported from the package entry with Spark's names", () => {
    assert.equal(sluice.GroupStateTimeout.ProcessingTimeTimeout, "ProcessingTimeTimeout");
    assert.equal(sluice.OutputMode.Update, "update");
    assert.equal(typeof sluice.KeyValueGroupedDataset, "function");
    assert.equal(typeof sluice.GroupStateError, "function");
  });

  void it("explain names the operator", () => {
    const input = spark.memoryStream("word STRING");
    const df = input.toDF().groupByKey((r) => r.word).flatMapGroupsWithState("update", "NoTimeout", function myFn() { return []; }, "word STRING");
    assert.match(df.explainString("extended"), /FlatMapGroupsWithState myFn, update, NoTimeout/);
  });
});


