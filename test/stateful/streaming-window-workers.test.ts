/**
 * Streaming window functions with their state partitions on worker threads give one thread's
 * rows: lag, lead IGNORE NULLS and a RANGE frame of event time, across a restart (the spec with
 * its new function kinds travels to the workers; row entries live in each partition's store).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import type { DataFrame } from "../../src/api/dataframe.js";
import { type Session, Window, col, functions as F } from "../../src/index.js";
import { statefulWorkerRuns } from "../../src/physical/parallel/stateful-on-workers.js";
import { type WorkerEvent, disorderedEvents, memorySinkRowsAcrossRestart, workerSession } from "../support/worker-streams.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-window-workers-"));
const sessionWith = (threads: number): Session => workerSession("window-workers", threads);
/** Rows of 7 keys, event time moving forward with some disorder, a fifth of the values null. */
const events = (batches: number, perBatch: number, seed: number): WorkerEvent[][] => disorderedEvents(batches, perBatch, seed, true);

function query(e: DataFrame): DataFrame {
  const w = Window.partitionBy("k").orderBy("ts");
  return e.select(
    col("k"), col("ts"), col("v"), F.lag("v").over(w).alias("prev"), F.lead("v", 2, null, true).over(w).alias("next2"),
    F.sum("v").over(w.rangeBetween("-6 seconds", "-1 second")).alias("before"),
  );
}

/** The memory sink's rows (sorted), restarting from the checkpoint after 3 batches. */
async function run(spark: Session, data: readonly WorkerEvent[][], name: string): Promise<string[]> {
  const input = spark.memoryStream("k STRING, t INT, v INT");
  const df = query(input.toDF().withColumn("ts", F.timestamp_seconds(col("t"))).withWatermark("ts", "5 seconds") as unknown as DataFrame);
  return (await memorySinkRowsAcrossRestart(spark, input, df, { name, checkpoint: path.join(root, name), mode: "append", restartAfter: 3 }, data)).sort();
}

void describe("streaming window functions on worker threads", () => {
  const one = sessionWith(1);
  const two = sessionWith(2);
  after(() => {
    one.stop();
    two.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  void it("two threads give one thread's rows, across a restart", async () => {
    const data = events(6, 40, 7);
    const expected = await run(one, data, "window_workers_one");
    const before = statefulWorkerRuns.partitions;
    const got = await run(two, data, "window_workers_two");
    assert.ok(statefulWorkerRuns.partitions > before, "the partitions ran on the workers");
    assert.ok(expected.length > 100, `the query emitted rows (${expected.length})`);
    assert.deepEqual(got, expected);
  });
});
