import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { ManualClock } from "../../src/streaming/clock.js";

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
