import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, it } from "node:test";
import { Session } from "../../src/index.js";
import { listStateFiles } from "../../src/state/state-file-plan.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-state-maintenance-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** Runs a count by key for `batches` batches; the state files of every partition of operator 0. */
async function stateFilesAfter(batches: number, interval: string, name: string): Promise<{ snapshots: number; oldestVersion: number }> {
  const spark = Session.builder().appName(name).config("sluice.executor.threads", 1)
    .config("sluice.sql.streaming.stateStore.minDeltasForSnapshot", 2)
    .config("sluice.sql.streaming.minBatchesToRetain", 2)
    .config("sluice.sql.streaming.stateStore.maintenanceInterval", interval)
    .create();
  const dir = path.join(root, name);
  const input = spark.memoryStream("k STRING");
  const q = await input.toDF().groupBy("k").count().writeStream.format("memory").queryName(name).outputMode("update").option("checkpointLocation", dir).start();
  for (let b = 0; b < batches; b++) {
    input.addData([{ k: `k${b % 5}` }, { k: "x" }]);
    await q.processAllAvailable();
  }
  await q.stop();
  const files = [0, 1, 2, 3].flatMap((p) => listStateFiles(path.join(dir, "state", "0", String(p))).files);
  return { snapshots: files.filter((f) => f.kind === "snapshot").length, oldestVersion: Math.min(...files.map((f) => f.version)) };
}

it("state maintenance (snapshots, cleanup) runs at most once per sluice.sql.streaming.stateStore.maintenanceInterval", async () => {
  const every = await stateFilesAfter(8, "0", "maintain_every_batch");
  assert.ok(every.snapshots > 0, "with interval 0 every batch may snapshot");
  assert.ok(every.oldestVersion > 1, `and old files go (oldest version ${every.oldestVersion})`);
  const hourly = await stateFilesAfter(8, "1 hour", "maintain_hourly");
  // Only the first batch's maintenance ran (nothing was due then): no snapshot, nothing deleted.
  assert.equal(hourly.snapshots, 0);
  assert.equal(hourly.oldestVersion, 1);
});
