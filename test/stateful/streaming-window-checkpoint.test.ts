/**
 * The state format of streaming window functions is a fixture (STYLE.md: old checkpoints are
 * fixtures): test/fixtures/checkpoints/v1-stream-window/ was written by the first version of the
 * operator (make-v1-stream-window.ts there). The engine must restart from a copy of it and carry
 * on — lag, row_number and the running sum continuing from the state's carry-over.
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

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "checkpoints", "v1-stream-window");
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
  });
});
