import assert from "node:assert/strict";
import { mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCli as run } from "./cli-harness.js";
import { Session, col } from "../../src/index.js";


const dir = mkdtempSync(join(tmpdir(), "sluice-inspect-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("checkpoint inspect reports batches, offsets and what a restart does", async () => {
  const spark = Session.builder().create();
  const input = spark.memoryStream("n INT");
  const ckpt = join(dir, "ckpt");
  const q = await input.toDF().filter(col("n").gt(0)).writeStream.format("memory").queryName("inspected").option("checkpointLocation", ckpt).start();
  for (const rows of [[{ n: 1 }], [{ n: 2 }, { n: 3 }], [{ n: -1 }]]) {
    input.addData(rows);
    await q.processAllAvailable();
  }
  await q.stop();

  const r = await run("checkpoint", "inspect", ckpt, "--json");
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out) as { queryId: string; plannedBatches: unknown; committedBatches: unknown; onRestart: string; sources: { latestOffset: unknown }[]; recentBatches: { batchId: number; committed: boolean }[] };
  assert.equal(report.queryId, q.id);
  assert.deepEqual(report.plannedBatches, { first: 0, last: 2 });
  assert.deepEqual(report.committedBatches, { first: 0, last: 2 });
  assert.equal(report.onRestart, "start batch 3");
  assert.deepEqual(report.sources.map((s) => s.latestOffset), [2]); // a memory stream offset is the index of its last addData call
  assert.deepEqual(report.recentBatches.map((b) => [b.batchId, b.committed]), [[0, true], [1, true], [2, true]]);

  // A batch planned but never committed (a crash after the offsets write) is re-run on restart.
  unlinkSync(join(ckpt, "commits", "2"));
  const text = await run("checkpoint", "inspect", ckpt);
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /on restart +re-run batch 2 with its logged offsets/);
  assert.match(text.out, /\|batch\|committed\|/);
  assert.match(text.out, /\|2 +\|false +\|/);
});

test("checkpoint inspect of a missing or foreign directory is a clear error", async () => {
  const missing = await run("checkpoint", "inspect", join(dir, "nope"));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /No checkpoint directory at .*nope/);
  const foreign = await run("checkpoint", "inspect", tmpdir());
  assert.equal(foreign.code, 1);
  assert.match(foreign.err, /is not a streaming checkpoint/);
});
