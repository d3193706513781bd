import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { Session } from "../../../src/api/session.js";
import { query, nexmarkTables } from "../../../bench/nexmark/queries.js";
import { col, window } from "../../../src/index.js";
import { stageRuns } from "../../../src/physical/parallel/parallel-stage-exec.js";

const spark = Session.builder().getOrCreate();
spark.conf.set("spark.sql.session.timeZone", "UTC");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-nexmark-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const key = (r: Record<string, unknown>): string => JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));

void describe("readStream.format('nexmark')", () => {
  void it("stateless queries (q0, q2, q22) give the batch answer, in micro-batches of maxEventsPerTrigger events", async () => {
    const options = { eventsNum: 5000, eventsPerSecond: 1000 };
    const batch = nexmarkTables(spark, options);
    for (const name of ["q0", "q2", "q22"]) {
      const q = query(name);
      const stream = nexmarkTables(spark, { ...options, maxEventsPerTrigger: 1200 }, true);
      const df = q.dataframe(stream);
      assert.equal(df.isStreaming, true);
      const sq = await df.writeStream.format("memory").queryName(`nexmark_${name}`).option("checkpointLocation", path.join(root, name)).start();
      await sq.processAllAvailable();
      const progress = sq.recentProgress.filter((p) => p.numInputRows > 0);
      await sq.stop();
      assert.equal(progress.length, 5, `${name}: 5000 events in batches of at most 1200`);
      const got = (await spark.table(`nexmark_${name}`).collect()).map(key).sort();
      const expected = (await q.dataframe(batch).collect()).map(key).sort();
      assert.deepEqual(got, expected, name);
    }
  });

  void it("on two threads, each micro-batch's events are generated and pre-aggregated on the workers, with one thread's answer", async () => {
    // A windowed count of bids per auction with a watermark: the watermark measured in the tasks.
    const run = async (threads: number): Promise<{ rows: string[]; input: number[]; eventTimes: string[] }> => {
      const s = Session.builder().appName(`nexmark-workers-${threads}`).config("sluice.executor.threads", threads).config("sluice.executor.minRowsPerTask", 500).config("spark.sql.session.timeZone", "UTC").create();
      try {
        const bids = s.readStream.format("nexmark").options({ table: "bid", eventsNum: 20000, eventsPerSecond: 1000, maxEventsPerTrigger: 5000, batchSize: 1000 }).load();
        const counts = bids.withWatermark("dateTime", "2 seconds").groupBy(window(col("dateTime"), "3 seconds"), col("auction")).count();
        const sq = await counts.writeStream.format("memory").queryName(`nexmark_workers_${threads}`).outputMode("append").option("checkpointLocation", path.join(root, `workers${threads}`)).trigger({ availableNow: true }).start();
        await sq.awaitTermination();
        const rows = (await s.table(`nexmark_workers_${threads}`).collect()).map(key).sort();
        return { rows, input: sq.recentProgress.map((p) => p.numInputRows), eventTimes: sq.recentProgress.map((p) => JSON.stringify(p.eventTime)) };
      } finally {
        s.stop();
      }
    };
    const one = await run(1);
    const before = stageRuns.onWorkers;
    const two = await run(2);
    assert.ok(stageRuns.onWorkers > before, "the batches ran on the workers");
    assert.ok(one.rows.length > 0);
    assert.deepEqual(two.rows, one.rows);
    // Four batches of 5,000 events, whose bids are the batch read's.
    const bids = await spark.read.format("nexmark").options({ table: "bid", eventsNum: 20000, eventsPerSecond: 1000 }).load().count();
    assert.equal(one.input.filter((n) => n > 0).length, 4);
    assert.equal(one.input.reduce((a, b) => a + b, 0), bids);
    assert.deepEqual(two.input, one.input);
    assert.deepEqual(two.eventTimes, one.eventTimes);
  });

  void it("a restarted query continues after its committed offsets", async () => {
    const ckpt = path.join(root, "restart");
    const read = (): ReturnType<typeof spark.readStream.load> => spark.readStream.format("nexmark").option("table", "person").option("eventsNum", 2000).option("maxEventsPerTrigger", 1000).load();
    const q1 = await read().select("id").writeStream.format("memory").queryName("nx_restart1").option("checkpointLocation", ckpt).trigger({ once: true }).start();
    await q1.awaitTermination();
    const q2 = await read().select("id").writeStream.format("memory").queryName("nx_restart2").option("checkpointLocation", ckpt).trigger({ availableNow: true }).start();
    await q2.awaitTermination();
    const first = (await spark.table("nx_restart1").collect()).map((r) => r["id"]);
    const second = (await spark.table("nx_restart2").collect()).map((r) => r["id"]);
    assert.deepEqual([...first, ...second], Array.from({ length: 40 }, (_, i) => 1000 + i));
  });
});
