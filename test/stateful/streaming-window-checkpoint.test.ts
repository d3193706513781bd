/**
 * The state formats of streaming window functions are fixtures (STYLE.md: old checkpoints are
 * fixtures): test/fixtures/checkpoints/v1-stream-window/ was written by the first version of the
 * operator (every row inside a key's entry; make-v1-stream-window.ts there), v2-stream-window/
 * by the second (an entry per buffered row; make-v2-stream-window.ts). The engine must restart
 * from a copy of each and carry on from the state's rows and carry-over.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { DataFrame } from "../../src/api/dataframe.js";
import { Session } from "../../src/api/session.js";
import { V1_STREAM_WINDOW_BATCHES, v1StreamWindowQuery } from "../fixtures/checkpoints/v1-stream-window-query.js";
import { V2_STREAM_WINDOW_BATCHES, v2StreamWindowQuery } from "../fixtures/checkpoints/v2-stream-window-query.js";

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "checkpoints");
const fixture = path.join(fixtures, "v1-stream-window");
const spark = Session.builder().getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-window-checkpoint-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

void describe("streaming window functions restart from a committed checkpoint fixture", () => {
  void it("v1-stream-window: the pending row and the carry-over survive", async () => {
    const copy = path.join(root, "v1");
    fs.cpSync(fixture, copy, { recursive: true });
    const input = spark.memoryStream("meter STRING, ts TIMESTAMP, value DOUBLE");
    for (const rows of V1_STREAM_WINDOW_BATCHES) input.addData(rows);
    const out = path.join(copy, "output");
    const q = await v1StreamWindowQuery(input.toDF() as unknown as DataFrame).writeStream.format("json").option("checkpointLocation", path.join(copy, "checkpoint")).start(out);
    await q.processAllAvailable();
    assert.deepEqual(q.recentProgress.filter((p) => p.numInputRows > 0), [], "nothing re-run: every batch of the fixture is committed");
    input.addData([{ meter: "a", ts: new Date(140_000), value: 8 }]); // watermark 130 s: a@120 is final
    await q.processAllAvailable();
    await q.stop();
    const rows = await spark.read.schema("meter STRING, ts TIMESTAMP, value DOUBLE, prev DOUBLE, n INT, total DOUBLE").json(out).collect();
    const seen = rows.map((r) => [r["meter"], (r["ts"] as Date).getTime() / 1000, r["prev"], r["n"], r["total"]]).sort((a, b) => String(a).localeCompare(String(b)));
    assert.deepEqual(seen, [["a", 101, null, 1, 1], ["a", 105, 1, 2, 3], ["a", 120, 2, 3, 7], ["b", 103, null, 1, 10]]);
    // The first batch moved the v1 key entries' rows to row entries.
    const state = await spark.read.format("state").load(path.join(copy, "checkpoint")).selectExpr("key.meter AS meter", "value.rowCount AS n", "size(value.pendingRows) AS pending", "size(value.lastRows) AS kept").collect();
    const count = (f: (r: Record<string, unknown>) => boolean) => state.filter(f).length;
    assert.equal(count((r) => r["n"] !== null && (r["pending"] !== 0 || r["kept"] !== 0)), 0, "key entries hold no rows");
    assert.deepEqual([count((r) => r["meter"] === "a" && r["kept"] === 1), count((r) => r["meter"] === "a" && r["pending"] === 1)], [1, 1], "a: a@120 kept for lag, a@140 pending");
  });

  void it("v2-stream-window: pending and kept row entries survive (lag, lead IGNORE NULLS, RANGE frame)", async () => {
    const copy = path.join(root, "v2");
    fs.cpSync(path.join(fixtures, "v2-stream-window"), copy, { recursive: true });
    const input = spark.memoryStream("meter STRING, ts TIMESTAMP, value DOUBLE");
    for (const rows of V2_STREAM_WINDOW_BATCHES) input.addData(rows);
    const out = path.join(copy, "output");
    const q = await v2StreamWindowQuery(input.toDF() as unknown as DataFrame).writeStream.format("json").option("checkpointLocation", path.join(copy, "checkpoint")).start(out);
    await q.processAllAvailable();
    assert.deepEqual(q.recentProgress.filter((p) => p.numInputRows > 0), [], "nothing re-run: every batch of the fixture is committed");
    input.addData([{ meter: "a", ts: new Date(150_000), value: 16 }]); // watermark 140 s: a@120 (its next value, 8 at 135 s, is final)
    await q.processAllAvailable();
    await q.stop();
    const rows = await spark.read.schema("meter STRING, ts TIMESTAMP, value DOUBLE, prev DOUBLE, next DOUBLE, recent DOUBLE").json(out).collect();
    const seen = rows.map((r) => [r["meter"], (r["ts"] as Date).getTime() / 1000, r["prev"], r["next"], r["recent"]]).sort((a, b) => String(a).localeCompare(String(b)));
    // a@120: lag is a@105's null (a kept row), the sum over [110 s, 120 s] is 4 alone; b@103 still waits for a value after it.
    assert.deepEqual(seen, [["a", 101, null, 4, 1], ["a", 105, 1, 4, 1], ["a", 120, null, 8, 4]]);
  });
});
