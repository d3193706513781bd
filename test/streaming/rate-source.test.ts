import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { batchesToRows } from "../../src/api/rows.js";
import { RATE_SCHEMA, RateStreamSource, rampUpSeconds, rateValueAtSecond } from "../../src/connectors/rate/rate-source.js";
import { ManualClock } from "../../src/streaming/clock.js";
import { AdvanceClock, AssertOnQuery, CheckAnswer, CheckNewAnswer, StartStream, StopStream, testStream } from "./stream-test.js";

const spark = Session.builder().getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-rate-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

void describe("rate sources", () => {
  void it("rate-micro-batch: rowsPerBatch rows per batch, timestamps advancing per batch", async () => {
    const ckpt = path.join(root, "rmb");
    const df = spark.readStream.format("rate-micro-batch").option("rowsPerBatch", 2).option("startTimestamp", 1000).option("advanceMillisPerBatch", 500).load();
    assert.deepEqual(df.columns, ["timestamp", "value"]);
    for (let i = 0; i < 2; i++) {
      const q = await df.writeStream.format("memory").queryName(`rmb${i}`).option("checkpointLocation", ckpt).trigger({ once: true }).start();
      await q.awaitTermination();
    }
    assert.deepEqual(await spark.table("rmb1").collect(), [
      { timestamp: new Date(1500), value: 2 },
      { timestamp: new Date(1500), value: 3 },
    ]);
  });

  void it("rate: rowsPerSecond rows per second of the query's clock", async () => {
    const clock = new ManualClock(10_000);
    const df = spark.readStream.format("rate").option("rowsPerSecond", 3).load();
    const q = await df.writeStream.format("memory").queryName("rate1").option("checkpointLocation", path.join(root, "rate")).clock(clock).start();
    await q.processAllAvailable();
    assert.deepEqual(await spark.table("rate1").collect(), []);
    clock.advance(2000);
    await q.processAllAvailable();
    await q.stop();
    const rows = await spark.table("rate1").collect();
    assert.deepEqual(rows.map((r) => r["value"]), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(rows[1]!["timestamp"], new Date(10_333));
  });
});

void describe("rate source rampUpTime", () => {
  const values = (from: number, to: number, tsOf: (v: number) => number): Record<string, unknown>[] =>
    Array.from({ length: to - from }, (_, i) => ({ timestamp: new Date(tsOf(from + i)), value: from + i }));

  void it("the row count after s seconds ramps up linearly, then grows by rowsPerSecond", () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((s) => rateValueAtSecond(s, 10, 4)), [0, 2, 6, 12, 20, 30, 40]);
    assert.deepEqual([0, 1, 2, 3].map((s) => rateValueAtSecond(s, 7, 0)), [0, 7, 14, 21]);
    // Slow ramps still produce every row exactly once: the cumulative count is floored, never the speed.
    const slow = Array.from({ length: 12 }, (_, s) => rateValueAtSecond(s, 2, 9));
    assert.deepEqual(slow, [0, 0, 0, 1, 2, 3, 4, 5, 7, 9, 11, 13]);
    for (let s = 1; s < 12; s++) assert.ok(slow[s]! >= slow[s - 1]!);
  });

  void it("rampUpTime accepts Spark's time strings (whole seconds) and refuses others", () => {
    assert.equal(rampUpSeconds(undefined), 0);
    assert.equal(rampUpSeconds("5s"), 5);
    assert.equal(rampUpSeconds("2m"), 120);
    assert.equal(rampUpSeconds("7"), 7);
    assert.equal(rampUpSeconds("1500ms"), 1);
    assert.throws(() => rampUpSeconds("-1s"), /rampUpTime/);
    assert.throws(() => rampUpSeconds("soon"), /rampUpTime/);
    assert.throws(() => spark.readStream.format("rate").option("rampUpTime", "5 fortnights").load(), /rampUpTime/);
  });

  void it("ramps up second by second on the manual clock, then steady; a restart continues without gaps or repeats", async () => {
    const clock = new ManualClock(100_000);
    const df = spark.readStream.format("rate").option("rowsPerSecond", 10).option("rampUpTime", "4s").load();
    const ts = (second: number, from: number, to: number) => (v: number) => 100_000 + (second - 1) * 1000 + Math.floor(((v - from) * 1000) / (to - from));
    await testStream(df, "append", [
      StartStream({ clock }),
      CheckAnswer([]),
      AdvanceClock(1000),
      CheckNewAnswer(values(0, 2, ts(1, 0, 2))),
      AdvanceClock(999),
      CheckNewAnswer([]),
      AdvanceClock(1),
      CheckNewAnswer(values(2, 6, ts(2, 2, 6))),
      StopStream,
      AdvanceClock(2000), // seconds 3 and 4 pass while the query is stopped
      StartStream({ clock }),
      CheckNewAnswer([...values(6, 12, ts(3, 6, 12)), ...values(12, 20, ts(4, 12, 20))]),
      AdvanceClock(2000),
      CheckNewAnswer([...values(20, 30, ts(5, 20, 30)), ...values(30, 40, ts(6, 30, 40))]),
      AssertOnQuery((q) => q.lastProgress?.sources[0]?.description === "RateStreamV2[rowsPerSecond=10, rampUpTimeSeconds=4, numPartitions=default]", "the description names the ramp-up"),
    ]);
  });

  void it("a batch re-read after a restart gives identical rows (offsets are elapsed seconds)", async () => {
    const meta = path.join(root, "ramp-replay");
    const clock = new ManualClock(5_000);
    const first = new RateStreamSource(10, null, clock, meta, 4);
    clock.advance(7_500);
    const end = first.latestOffset();
    assert.equal(end, 7);
    const rows = async (s: RateStreamSource): Promise<unknown[]> => batchesToRows(RATE_SCHEMA, await s.getBatch(2, end));
    const a = await rows(first);
    clock.advance(60_000); // a later restart: the start time comes from the metadata, not the clock
    const again = new RateStreamSource(10, null, clock, meta, 4);
    assert.deepEqual(await rows(again), a);
    assert.equal((await again.getBatch(2, end)).reduce((n, b) => n + b.numRows, 0), rateValueAtSecond(7, 10, 4) - rateValueAtSecond(2, 10, 4));
  });
});
