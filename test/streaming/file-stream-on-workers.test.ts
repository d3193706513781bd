import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { type DataFrame, Session, col, expr, timestamp_seconds, window } from "../../src/index.js";
import { stageRuns } from "../../src/physical/parallel/parallel-stage-exec.js";
import { type WorkerEvent, disorderedEvents } from "../support/worker-streams.js";

// A file stream hands each micro-batch to the engine as a scan of the batch's files
// (Source.batchScan), planned like spark.read: a batch large enough splits its files across the
// worker threads, which parse them and run the filters and projections above. The rows, their
// order and the batches' input row counts must be one thread's.
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-file-stream-workers-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const sessionWith = (threads: number): Session =>
  Session.builder().appName(`file-stream-workers-${threads}`).config("sluice.executor.threads", threads).config("sluice.executor.minRowsPerTask", 100).create();

/** Writes each batch of events as one JSON-lines file, named in order, into a new directory. */
function writeFiles(name: string, batches: readonly (readonly WorkerEvent[])[]): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  batches.forEach((rows, i) => writeFile(dir, i, rows));
  return dir;
}

function writeFile(dir: string, i: number, rows: readonly WorkerEvent[]): void {
  const file = path.join(dir, `part-${String(i).padStart(3, "0")}.json`);
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  // Oldest first: the source takes files by modification time.
  const t = new Date(Date.UTC(2026, 0, 1, 0, 0, i));
  fs.utimesSync(file, t, t);
}

type Query = (events: DataFrame) => DataFrame;

/**
 * The query over the directory, one file per batch (Trigger.AvailableNow), into a memory table:
 * its rows, each batch's numInputRows and its event-time figures (max, min, avg, watermark).
 */
async function run(spark: Session, dir: string, query: Query, mode: "append" | "update" | "complete", name: string, checkpoint: string): Promise<{ rows: string[]; inputRows: number[]; eventTimes: string[] }> {
  const events = spark.readStream.schema("k STRING, t INT, v INT").option("maxFilesPerTrigger", 1).json(dir);
  const q = await query(events).writeStream.format("memory").queryName(name).outputMode(mode).option("checkpointLocation", checkpoint).trigger({ availableNow: true }).start();
  await q.awaitTermination();
  const rows = (await spark.table(name).collect()).map((r) => JSON.stringify(r));
  return { rows, inputRows: q.recentProgress.filter((p) => p.sources[0]!.numInputRows > 0).map((p) => p.sources[0]!.numInputRows), eventTimes: q.recentProgress.map((p) => JSON.stringify(p.eventTime)) };
}

const QUERIES: Record<string, { query: Query; mode: "append" | "update" | "complete" }> = {
  "a filter and a projection (append)": { query: (e) => e.filter(col("v").mod(3).notEqual(0)).select(col("k"), col("v").multiply(2).alias("v2"), col("t")), mode: "append" },
  "a windowed count with a watermark (append)": {
    // The watermark node measures the rows' event times in the tasks that read the files.
    query: (e) => e.withColumn("ts", timestamp_seconds(col("t"))).withWatermark("ts", "5 seconds").groupBy(window(col("ts"), "10 seconds"), col("k")).agg(expr("count(*) AS n"), expr("sum(v) AS s")),
    mode: "append",
  },
  "a count by key (complete)": { query: (e) => e.filter("v > 10").groupBy("k").agg(expr("count(*) AS n")), mode: "complete" },
};

describe("file stream micro-batches on worker threads", () => {
  const one = sessionWith(1);
  const two = sessionWith(2);
  after(() => {
    one.stop();
    two.stop();
  });

  for (const [title, { query, mode }] of Object.entries(QUERIES)) {
    it(`${title}: two threads read the files and give one thread's rows and input counts`, async () => {
      const data = disorderedEvents(4, 3000, title.length);
      const dir = writeFiles(title.replace(/\W+/g, "_"), data);
      const id = title.replace(/\W+/g, "_");
      const expected = await run(one, dir, query, mode, `f1_${id}`, path.join(root, `ck1_${id}`));
      const before = stageRuns.onWorkers;
      const got = await run(two, dir, query, mode, `f2_${id}`, path.join(root, `ck2_${id}`));
      assert.ok(stageRuns.onWorkers > before, "the batches' scans ran on the workers");
      assert.deepEqual(expected.inputRows, [3000, 3000, 3000, 3000]);
      assert.deepEqual(got.inputRows, expected.inputRows);
      // The watermark's event times are measured where the rows are read (on the workers) and merged.
      assert.deepEqual(got.eventTimes, expected.eventTimes);
      assert.ok(expected.rows.length > 0);
      assert.deepEqual(got.rows, expected.rows);
    });
  }

  it("a restart reads only the files after the last committed batch, on the workers", async () => {
    const data = disorderedEvents(5, 2000, 7);
    const dir = writeFiles("restart", data.slice(0, 3));
    const checkpoint = path.join(root, "ck-restart");
    const query: Query = (e) => e.filter(col("v").gt(50)).select("k", "v");
    const first = await run(two, dir, query, "append", "restart1", checkpoint);
    writeFile(dir, 3, data[3]!);
    writeFile(dir, 4, data[4]!);
    const second = await run(two, dir, query, "append", "restart2", checkpoint);
    assert.deepEqual([...first.inputRows, ...second.inputRows], [2000, 2000, 2000, 2000, 2000]);
    const expected = data.flat().filter((r) => r.v !== null && r.v > 50).map((r) => JSON.stringify({ k: r.k, v: r.v }));
    assert.deepEqual([...first.rows, ...second.rows], expected);
  });

  it("partition columns of a partitioned directory, first in the stream's schema, come back in its order, as scans and as rows", async () => {
    const dir = path.join(root, "partitioned");
    const data = disorderedEvents(2, 2000, 11);
    data.forEach((rows, d) => {
      fs.mkdirSync(path.join(dir, `day=${d + 1}`), { recursive: true });
      fs.writeFileSync(path.join(dir, `day=${d + 1}`, "events.json"), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    });
    const read = async (spark: Session, name: string): Promise<string[]> => {
      const q = await spark.readStream.schema("day INT, k STRING, v INT").json(dir).filter("v > 20").select("v", "day").writeStream.format("memory").queryName(name).option("checkpointLocation", path.join(root, `ck-${name}`)).trigger({ availableNow: true }).start();
      await q.awaitTermination();
      return (await spark.table(name).collect()).map((r) => JSON.stringify(r));
    };
    const before = stageRuns.onWorkers;
    const got = await read(two, "partitioned2");
    assert.ok(stageRuns.onWorkers > before, "the batch's scan ran on the workers");
    const expected = data.flatMap((rows, d) => rows.filter((r) => r.v !== null && r.v > 20).map((r) => JSON.stringify({ v: r.v, day: d + 1 })));
    assert.deepEqual(got, expected);
    assert.deepEqual(await read(one, "partitioned1"), expected);
    // Batches too small to take as scans come as rows (getBatch) of the columns read, in the stream's order.
    const small = Session.builder().appName("file-stream-rows").config("sluice.executor.minRowsPerTask", 1_000_000).create();
    try {
      assert.deepEqual(await read(small, "partitioned0"), expected);
    } finally {
      small.stop();
    }
  });

  it("a malformed line read on a worker fails the query naming the file and its line; nothing is committed", async () => {
    const dir = path.join(root, "malformed");
    fs.mkdirSync(dir);
    const lines = disorderedEvents(1, 6000, 5)[0]!.map((r) => JSON.stringify(r));
    lines[4999] = '{"k": "x", "t": ';
    fs.writeFileSync(path.join(dir, "events.json"), lines.join("\n") + "\n");
    const checkpoint = path.join(root, "ck-malformed");
    const before = stageRuns.onWorkers;
    const q = await two.readStream.schema("k STRING, t INT, v INT").option("mode", "FAILFAST").json(dir).filter("v > 3").writeStream.format("memory").queryName("malformed").option("checkpointLocation", checkpoint).trigger({ availableNow: true }).start();
    await assert.rejects(q.awaitTermination(), (e: Error) => /MALFORMED_RECORD_IN_PARSING/.test(e.message) && e.message.includes(`${path.join(dir, "events.json")} line 5000`));
    assert.ok(stageRuns.onWorkers > before, "the file was parsed on the workers");
    assert.ok(fs.existsSync(path.join(checkpoint, "offsets", "0")), "batch 0 was planned");
    assert.equal(fs.existsSync(path.join(checkpoint, "commits", "0")), false);
  });

  it("a stream read twice in one query (a self-union) counts its rows once", async () => {
    const dir = writeFiles("self-union", disorderedEvents(2, 1500, 3));
    const got = await run(two, dir, (e) => e.select("k").union(e.select("k")), "append", "selfunion", path.join(root, "ck-selfunion"));
    assert.deepEqual(got.inputRows, [1500, 1500]);
    assert.equal(got.rows.length, 6000);
  });
});
