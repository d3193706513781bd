import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Writable } from "node:stream";
import { after, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { batchLogger, createLogger } from "../../src/monitoring/logger.js";
import { QueryMetrics } from "../../src/monitoring/metrics.js";
import { QueryTracker } from "../../src/monitoring/query-tracker.js";
import { StreamingQueryException } from "../../src/streaming/streaming-query-exception.js";
import { QID, RUN, progress, started } from "./fixtures.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-monitoring-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function lines(): { stream: Writable; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split("\n")) if (l.trim()) records.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { stream, records };
}

void describe("metrics", () => {
  void it("per-query gauges and counters labelled by name and id", async () => {
    const m = new QueryMetrics();
    m.listener.onQueryStarted!(started);
    m.listener.onQueryProgress!({ progress: progress(0, { eventTime: { watermark: "2024-01-01T00:00:00.000Z" }, state: [{ numRowsTotal: 42, memoryUsedBytes: 4096, numRowsDroppedByWatermark: 3 }] }) });
    m.listener.onQueryProgress!({ progress: progress(1, { inputRowsPerSecond: Number.NaN }) });
    m.listener.onQueryTerminated!({ id: QID, runId: RUN, exception: "Error: x", errorClassOnException: null, error: null });
    const text = await m.metrics();
    const l = `query_name="meters",query_id="${QID}"`;
    for (const line of [
      `sluice_query_input_rows_total{${l}} 200`,
      `sluice_query_batches_total{${l}} 2`,
      `sluice_query_input_rows_per_second{${l}} 100`,
      `sluice_query_batch_duration_seconds{${l}} 0.02`,
      `sluice_query_batch_phase_duration_seconds{${l},phase="addBatch"} 0.015`,
      `sluice_query_watermark_seconds{${l}} 1704067200`,
      `sluice_query_state_rows{${l},operator="0:stateStoreSave"} 42`,
      `sluice_query_state_memory_bytes{${l},operator="0:stateStoreSave"} 4096`,
      `sluice_query_late_rows_total{${l}} 3`,
      `sluice_query_failures_total{${l}} 1`,
      `sluice_query_active{${l}} 0`,
    ]) assert.ok(text.includes(line), `missing ${line} in\n${text}`);
    assert.match(m.contentType, /^text\/plain/);
  });
});

void describe("batch logging", () => {
  void it("one info line per batch; warnings for slow batches and falling behind; errors with the restart checkpoint", () => {
    const { stream, records } = lines();
    const l = batchLogger(createLogger({}, stream), { slowBatchMs: 100, fallingBehindBatches: 2, checkpointOf: () => "/data/ckpt/meters" });
    l.onQueryStarted!(started);
    l.onQueryProgress!({ progress: progress(0, { eventTime: { watermark: "2024-01-01T00:00:00.000Z" } }) });
    l.onQueryProgress!({ progress: progress(1, { batchDuration: 250, durationMs: { triggerExecution: 250, addBatch: 200 }, inputRowsPerSecond: 900, processedRowsPerSecond: 400 }) });
    l.onQueryProgress!({ progress: progress(2, { inputRowsPerSecond: 900, processedRowsPerSecond: 400 }) });
    l.onQueryTerminated!({ id: QID, runId: RUN, exception: "Error: disk full", errorClassOnException: null, error: new StreamingQueryException("meters", new Error("disk full"), 3) });
    const info = records.filter((r) => r["level"] === 30 && r["batchId"] !== undefined);
    assert.deepEqual(info.map((r) => r["batchId"]), [0, 1, 2]);
    assert.deepEqual({ rows: info[0]!["inputRows"], ms: info[0]!["durationMs"], wm: info[0]!["watermark"], q: info[0]!["query"] }, { rows: 100, ms: 20, wm: "2024-01-01T00:00:00.000Z", q: "meters" });
    const warns = records.filter((r) => r["level"] === 40).map((r) => r["msg"] as string);
    assert.equal(warns.length, 2);
    assert.match(warns[0]!, /slow batch 1 of meters: 250 ms \(over 100 ms\); most in addBatch \(200 ms\)/);
    assert.match(warns[1]!, /query meters is falling behind: processing 400 rows\/s < input 900 rows\/s for 2 batches/);
    const err = records.find((r) => r["level"] === 50)!;
    assert.match(err["msg"] as string, /query meters failed in batch 3: Error: disk full\. Fix the cause and start the query again with checkpointLocation \/data\/ckpt\/meters; batch 3 will be re-run/);
    assert.equal(err["checkpoint"], "/data/ckpt/meters");
    assert.equal((err["err"] as { message: string }).message, "disk full");
  });
});

void describe("query tracker", () => {
  void it("keeps runs, recent progress (bounded) and failures, newest first", () => {
    const t = new QueryTracker({ retainedProgressUpdates: 3, retainedQueries: 1, planOf: () => "== Physical Plan ==" });
    const events: string[] = [];
    t.subscribe((e) => events.push(e.type));
    t.listener.onQueryStarted!(started);
    for (let i = 0; i < 5; i++) t.listener.onQueryProgress!({ progress: progress(i) });
    assert.deepEqual(t.progress(QID)!.map((p) => p.batchId), [2, 3, 4]);
    const d = t.detail(RUN)!;
    assert.equal(d.batches, 5);
    assert.equal(d.inputRowsTotal, 500);
    assert.equal(d.plan, "== Physical Plan ==");
    assert.equal(d.status, "active");
    t.listener.onQueryTerminated!({ id: QID, runId: RUN, exception: "Error: x", errorClassOnException: null, error: null });
    assert.equal(t.detail(QID)!.status, "failed");
    assert.equal(t.detail(QID)!.exception, "Error: x");
    t.addFinishedRun({ id: "q2", runId: "r2", name: "old", startedAt: "2024-01-01T00:00:00Z", progress: [] });
    assert.deepEqual(t.list().map((q) => q.runId), ["r2"], "only retainedQueries finished runs are kept");
    assert.deepEqual(events, ["started", "progress", "progress", "progress", "progress", "progress", "terminated", "terminated"]);
  });

  void it("from a real session: logging and the tracker see a real query", async () => {
    const spark = Session.builder().create();
    const t = spark.monitoring.tracker;
    const m = await spark.monitoring.metrics();
    const input = spark.memoryStream("n INT");
    const q = await input.toDF().writeStream.format("memory").queryName("tracked").option("checkpointLocation", path.join(root, "t")).start();
    input.addData([{ n: 1 }, { n: 2 }]);
    await q.processAllAvailable();
    await q.stop();
    const d = t.detail(q.id)!;
    assert.equal(d.status, "finished");
    assert.equal(d.inputRowsTotal, 2);
    assert.match(d.plan ?? "", /Physical Plan/);
    assert.match(await m.metrics(), /sluice_query_active\{query_name="tracked",query_id="[^"]+"\} 0/);
  });
});
