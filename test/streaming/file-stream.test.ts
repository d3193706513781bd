import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { col } from "../../src/api/functions.js";
import { FILE_SINK_METADATA_DIR } from "../../src/checkpoint/file-sink-log.js";
import { listDataFiles } from "../../src/connectors/files/list-files.js";
import { IllegalArgumentError } from "../../src/errors/errors.js";

const spark = Session.builder().getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-file-stream-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string): string => path.join(root, `${name}-${n++}`);

/** Writes a file atomically (temp name, then rename), with a given modification time. */
function putFile(dir: string, name: string, text: string, mtimeMs: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${name}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.utimesSync(tmp, mtimeMs / 1000, mtimeMs / 1000);
  fs.renameSync(tmp, path.join(dir, name));
}

void describe("file stream source", () => {
  void it("needs a schema unless schema inference is on", () => {
    assert.throws(() => spark.readStream.format("json").load(fresh("in")), (e: unknown) => e instanceof IllegalArgumentError && /Schema must be specified/.test(e.message));
  });

  void it("reads new files oldest first, maxFilesPerTrigger per batch, across a restart", async () => {
    const input = fresh("in"), ckpt = fresh("ckpt");
    const t0 = Date.now() - 60_000;
    putFile(input, "b.json", '{"id":2}\n', t0 + 2000);
    putFile(input, "a.json", '{"id":1}\n{"id":11}\n', t0 + 1000);
    const df = () => spark.readStream.format("json").schema("id INT").option("maxFilesPerTrigger", 1).load(input).withColumn("twice", col("id").multiply(2));
    const q = await df().writeStream.format("memory").queryName("files1").option("checkpointLocation", ckpt).trigger({ availableNow: true }).start();
    await q.awaitTermination();
    assert.equal(q.recentProgress.length, 2, "one file per batch");
    assert.deepEqual(q.recentProgress.map((p) => p.numInputRows), [2, 1], "oldest file first");
    assert.deepEqual(q.recentProgress[1]!.sources[0]!.endOffset, { logOffset: 1 });
    assert.ok(fs.existsSync(path.join(ckpt, "sources", "0", "0")), "seen-files log under sources/0");
    putFile(input, "c.json", '{"id":3}\n', t0 + 3000);
    const q2 = await df().writeStream.format("memory").queryName("files2").option("checkpointLocation", ckpt).trigger({ availableNow: true }).start();
    await q2.awaitTermination();
    assert.deepEqual(await spark.table("files2").collect(), [{ id: 3, twice: 6 }], "files seen before the restart are not read again");
  });

  void it("latestFirst takes the newest files first", async () => {
    const input = fresh("in");
    const t0 = Date.now() - 60_000;
    putFile(input, "old.json", '{"id":1}\n', t0);
    putFile(input, "new.json", '{"id":2}\n', t0 + 5000);
    const q = await spark.readStream.format("json").schema("id INT").option("maxFilesPerTrigger", 1).option("latestFirst", true).load(input)
      .writeStream.format("memory").queryName("latest_first").option("checkpointLocation", fresh("ckpt")).trigger({ availableNow: true }).start();
    await q.awaitTermination();
    const sink = q.sink as unknown as { allRows(): Record<string, unknown>[] };
    assert.deepEqual(sink.allRows(), [{ id: 2 }, { id: 1 }]);
  });

  void it("maxFileAge skips files older than the newest by more than the age", async () => {
    const input = fresh("in");
    const t0 = Date.now() - 600_000;
    putFile(input, "old.json", '{"id":1}\n', t0);
    putFile(input, "new.json", '{"id":2}\n', t0 + 120_000);
    const q = await spark.readStream.format("json").schema("id INT").option("maxFileAge", "1 minute").load(input)
      .writeStream.format("memory").queryName("max_age").option("checkpointLocation", fresh("ckpt")).trigger({ once: true }).start();
    await q.awaitTermination();
    assert.deepEqual(await spark.table("max_age").collect(), [{ id: 2 }]);
  });
});

void describe("file stream sink", () => {
  void it("writes files per batch with a _sluice_metadata manifest that spark.read honours", async () => {
    const out = fresh("out"), ckpt = fresh("ckpt");
    const input = spark.memoryStream("id INT, word STRING");
    const q = await input.toDF().writeStream.format("json").option("checkpointLocation", ckpt).start(out);
    input.addData([{ id: 1, word: "a" }]);
    await q.processAllAvailable();
    input.addData([{ id: 2, word: "b" }]);
    await q.processAllAvailable();
    await q.stop();
    assert.deepEqual(fs.readdirSync(path.join(out, FILE_SINK_METADATA_DIR)).sort(), ["0", "1"]);
    // A file of a crashed batch (not in the manifest) is never read.
    fs.writeFileSync(path.join(out, "part-99999-orphan.json"), '{"id":99,"word":"zz"}\n');
    const rows = await spark.read.schema("id INT, word STRING").json(out).orderBy("id").collect();
    assert.deepEqual(rows, [{ id: 1, word: "a" }, { id: 2, word: "b" }]);
    assert.equal(listDataFiles([out], {}).files.length, 2);
  });

  void it("re-running a committed sink batch writes nothing twice", async () => {
    const out = fresh("out"), ckpt = fresh("ckpt");
    const input = spark.memoryStream("id INT");
    input.addData([{ id: 1 }]);
    const q = await input.toDF().writeStream.format("parquet").option("checkpointLocation", ckpt).trigger({ once: true }).start(out);
    await q.awaitTermination();
    // Simulate a crash after the sink committed batch 0 but before commits/0 was written.
    fs.rmSync(path.join(ckpt, "commits", "0"));
    const q2 = await input.toDF().writeStream.format("parquet").option("checkpointLocation", ckpt).trigger({ once: true }).start(out);
    await q2.awaitTermination();
    assert.equal(q2.lastProgress?.batchId, 0, "batch 0 re-run");
    assert.deepEqual(await spark.read.parquet(out).collect(), [{ id: 1 }]);
  });

  void it("compacts its manifest every compactInterval batches; spark.read and a restarted sink see exactly the committed files", async () => {
    const out = fresh("out"), ckpt = fresh("ckpt");
    spark.conf.set("sluice.sql.streaming.fileSink.log.compactInterval", 3);
    spark.conf.set("sluice.sql.streaming.fileSink.log.cleanupDelay", 0);
    try {
      const input = spark.memoryStream("id INT");
      const run = async (ids: readonly number[]): Promise<void> => {
        const q = await input.toDF().writeStream.format("json").option("checkpointLocation", ckpt).start(out);
        for (const id of ids) {
          input.addData([{ id }]);
          await q.processAllAvailable();
        }
        await q.stop();
      };
      await run([0, 1, 2, 3]);
      const meta = (): string[] => fs.readdirSync(path.join(out, FILE_SINK_METADATA_DIR)).filter((f) => !f.startsWith(".")).sort();
      assert.deepEqual(meta(), ["2.compact", "3"]);
      // A restart continues the manifest: batch 5 compacts 2.compact + 3 + 4 + 5 and the rest is deleted.
      await run([4, 5, 6]);
      assert.deepEqual(meta(), ["5.compact", "6"]);
      // Simulate a crash after the sink committed batch 6 but before commits/6: the re-run writes nothing.
      fs.rmSync(path.join(ckpt, "commits", "6"));
      const q = await input.toDF().writeStream.format("json").option("checkpointLocation", ckpt).trigger({ once: true }).start(out);
      await q.awaitTermination();
      assert.equal(q.lastProgress?.batchId, 6, "batch 6 re-run");
      fs.writeFileSync(path.join(out, "part-99999-orphan.json"), '{"id":99}\n');
      const rows = await spark.read.schema("id INT").json(out).orderBy("id").collect();
      assert.deepEqual(rows.map((r) => r["id"]), [0, 1, 2, 3, 4, 5, 6]);
      assert.equal(listDataFiles([out], {}).files.length, 7);
    } finally {
      spark.conf.unset("sluice.sql.streaming.fileSink.log.compactInterval");
      spark.conf.unset("sluice.sql.streaming.fileSink.log.cleanupDelay");
    }
  });

  void it("refuses a bad compaction setting, naming it", async () => {
    spark.conf.set("sluice.sql.streaming.fileSink.log.compactInterval", 0);
    try {
      await assert.rejects(spark.memoryStream("id INT").toDF().writeStream.format("json").option("checkpointLocation", fresh("ckpt")).start(fresh("out")), /sluice\.sql\.streaming\.fileSink\.log\.compactInterval/);
    } finally {
      spark.conf.unset("sluice.sql.streaming.fileSink.log.compactInterval");
    }
  });

  void it("file sinks need a checkpoint location", async () => {
    const input = spark.memoryStream("id INT");
    await assert.rejects(input.toDF().writeStream.format("json").start(fresh("out")), /checkpointLocation must be specified/);
  });
});
