/**
 * A store whose keys do not start with the event time (count per key and window) is read through
 * for the entries behind the watermark only when the watermark passes the least event time its
 * entries are known to have (watermark-scan.ts): these check that nothing due is then missed.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { col, count, timestamp_seconds, window } from "../../src/api/functions.js";
import { createStateStoreProvider } from "../../src/state/state-store-registry.js";
import { eventTimeFloor, recordEventTimeFloor } from "../../src/state/event-time-floor.js";
import { AddData, AssertOnQuery, CheckAnswer, CheckNewAnswer, StartStream, StopStream, testStream } from "../streaming/stream-test.js";

const spark = Session.builder().config("sluice.executor.threads", 1).getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-eviction-floor-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** Counts per (key, 10-second window) with a 5-second watermark: keys lead the state key, windows follow. */
function countsPerKeyAndWindow() {
  const input = spark.memoryStream("k STRING, t INT");
  const df = input
    .toDF()
    .withColumn("ts", timestamp_seconds(col("t")))
    .withWatermark("ts", "5 seconds")
    .groupBy(col("k"), window(col("ts"), "10 seconds"))
    .agg(count("*").alias("n"))
    .select(col("k"), col("window.start").cast("long").alias("start"), col("n"));
  return { input, df };
}
const row = (k: string, start: number, n: number) => ({ k, start, n });
const stateRows = (k: number) => AssertOnQuery((q) => q.lastProgress?.stateOperators[0]?.numRowsTotal === k, `${k} state rows`);

describe("eviction of windows behind the watermark, keys first", () => {
  it("evicts a window put after the last read-through, earlier than the windows read then, once the watermark passes its end", async () => {
    const { input, df } = countsPerKeyAndWindow();
    await testStream(df, "update", [
      AddData(input, [{ k: "a", t: 12 }]), // window [10, 20); watermark 7 s from the next batch
      CheckAnswer([row("a", 10, 1)]),
      AddData(input, [{ k: "b", t: 3 }]), // [0, 10): not late (ends after 7 s), the earliest window now
      CheckNewAnswer([row("b", 0, 1)]),
      AddData(input, [{ k: "c", t: 16 }]), // watermark 11 s from the next batch: [0, 10) is due
      CheckNewAnswer([row("c", 10, 1)]),
      AddData(input, [{ k: "d", t: 17 }]),
      CheckNewAnswer([row("d", 10, 1)]),
      stateRows(3),
      AddData(input, [{ k: "b", t: 4 }]), // late: [0, 10) ended before the 12 s watermark
      CheckNewAnswer([]),
    ]);
  });

  it("a new query on a checkpoint path used before in this process evicts as the first did", async () => {
    const ck = path.join(root, "reused");
    const first = countsPerKeyAndWindow();
    await testStream(first.df, "update", [
      StartStream({ checkpoint: ck }),
      AddData(first.input, [{ k: "a", t: 50 }]),
      CheckAnswer([row("a", 50, 1)]),
      StopStream,
    ]);
    fs.rmSync(ck, { recursive: true, force: true });
    const second = countsPerKeyAndWindow();
    await testStream(second.df, "update", [
      StartStream({ checkpoint: ck }),
      AddData(second.input, [{ k: "x", t: 1 }]), // [0, 10) at version 1, as the first query's [50, 60) was
      CheckAnswer([row("x", 0, 1)]),
      AddData(second.input, [{ k: "y", t: 30 }]), // watermark 25 s from the next batch: [0, 10) is due
      CheckNewAnswer([row("y", 30, 1)]),
      AddData(second.input, [{ k: "z", t: 31 }]),
      CheckNewAnswer([row("z", 30, 1)]),
      stateRows(2),
    ]);
  });
});

describe("what a thread knows of a store's event times", () => {
  it("is forgotten when a provider for the store is created (it described another provider's copy)", async () => {
    const id = { checkpointLocation: path.join(root, "floor"), operatorId: 0, partitionId: 1 };
    recordEventTimeFloor(id, 3, 10_000_000);
    assert.equal(eventTimeFloor(id, 3), 10_000_000);
    assert.equal(eventTimeFloor(id, 2), undefined, "only for the version it was recorded for");
    const p = createStateStoreProvider(id, { providerClass: "memory", minDeltasForSnapshot: 10, minBatchesToRetain: 2 });
    assert.equal(eventTimeFloor(id, 3), undefined);
    await p.close();
  });
});
