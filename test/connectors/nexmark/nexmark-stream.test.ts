import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { Session } from "../../../src/api/session.js";
import { query, nexmarkTables } from "../../../bench/nexmark/queries.js";

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
