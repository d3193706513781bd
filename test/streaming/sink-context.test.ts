import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import type { RecordBatch } from "../../src/batch/record-batch.js";
import { type StreamSinkContext, registerStreamSink } from "../../src/streaming/sink-registry.js";
import type { Sink } from "../../src/streaming/sink.js";

const spark = Session.builder().getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-sink-context-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** A connector sink that records the context it was made with and the batch ids it got. */
const made: { ctx: StreamSinkContext; batchIds: number[] }[] = [];
registerStreamSink("test-context", (ctx) => {
  const rec = { ctx, batchIds: [] as number[] };
  made.push(rec);
  const sink: Sink = {
    description: "ContextSink",
    addBatch: async (batchId: number, _b: readonly RecordBatch[]) => void rec.batchIds.push(batchId),
  };
  return sink;
});

void describe("StreamSinkContext", () => {
  void it("tells a connector sink the query id, the checkpoint location and the batch ids, the same after a restart", async () => {
    const ckpt = path.join(root, "ckpt");
    const input = spark.memoryStream("v INT");
    const run = async (): Promise<string> => {
      const q = await input.toDF().writeStream.format("test-context").option("checkpointLocation", ckpt).start();
      input.addData([{ v: 1 }]);
      await q.processAllAvailable();
      await q.stop();
      return q.id;
    };
    const id1 = await run();
    const id2 = await run();
    assert.equal(id1, id2);
    assert.equal(made.length, 2);
    for (const m of made) {
      assert.equal(m.ctx.queryId, id1);
      assert.equal(m.ctx.checkpointLocation, ckpt);
      assert.equal(m.ctx.temporaryCheckpoint, false);
    }
    assert.deepEqual(made.map((m) => m.batchIds), [[0], [1]]);
  });

  void it("a temporary checkpoint is flagged, and removed when the sink cannot be made", async () => {
    // Other test files make temporary checkpoints in the shared tmpdir at the same time, so this
    // file (its own process) points TMPDIR at a directory only it uses.
    const privateTmp = path.join(root, "tmp");
    fs.mkdirSync(privateTmp);
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = privateTmp;
    try {
      registerStreamSink("test-failing", () => {
        throw new Error("cannot connect to 127.0.0.1:9");
      });
      await assert.rejects(spark.memoryStream("v INT").toDF().writeStream.format("test-failing").start(), /127\.0\.0\.1:9/);
      assert.deepEqual(fs.readdirSync(privateTmp), [], "the temporary checkpoint made for the failed start is gone");
      const q = await spark.memoryStream("v INT").toDF().writeStream.format("test-context").start();
      assert.equal(fs.readdirSync(privateTmp).filter((d) => d.startsWith("sluice-temporary-checkpoint-")).length, 1, "a started query has its temporary checkpoint");
      await q.stop();
      assert.deepEqual(fs.readdirSync(privateTmp), [], "a query that stops without failure deletes its temporary checkpoint");
      assert.equal(made.at(-1)!.ctx.temporaryCheckpoint, true);
      assert.equal(made.at(-1)!.ctx.queryId, q.id);
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    }
  });
});
