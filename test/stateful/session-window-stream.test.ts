/**
 * Streaming aggregations by session_window (Spark's StreamingSessionWindowSuite, in outline):
 * sessions merge across micro-batches in state, append mode emits a session once the watermark
 * passes its end, late rows are dropped and counted, a restart resumes from the checkpoint.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { col, session_window } from "../../src/index.js";
import { readOperatorMetadata } from "../../src/checkpoint/operator-metadata.js";
import { StreamingError } from "../../src/errors/errors.js";
import { AddData, AssertOnQuery, CheckLastBatch, CheckNewAnswer, StartStream, StopStream, type StreamAction, testStream } from "../streaming/stream-test.js";

const spark = Session.builder().getOrCreate();
const at = (hm: string): Date => new Date(`2024-01-01T${hm}:00.000Z`);
const ev = (user: string, hm: string): { user: string; ts: Date } => ({ user, ts: at(hm) });
const out = (user: string, start: string, end: string, count: number): Record<string, unknown> => ({ session_window: { start: at(start), end: at(end) }, user, count });

function sessionCounts() {
  const input = spark.memoryStream("user STRING, ts TIMESTAMP");
  const df = input.toDF().withWatermark("ts", "10 minutes").groupBy(session_window(col("ts"), "5 minutes"), col("user")).count();
  return { input, df };
}

const droppedIs = (n: number): StreamAction =>
  AssertOnQuery((q) => q.recentProgress.some((p) => p.stateOperators[0]?.numRowsDroppedByWatermark === n), `${n} late rows dropped`);
const operatorIs = (name: string): StreamAction =>
  AssertOnQuery((q) => q.lastProgress?.stateOperators[0]?.operatorName === name, `operator ${name}`);

void describe("streaming aggregation by session_window", () => {
  void it("append mode: sessions merge across batches and are emitted once the watermark passes their end; late rows are dropped", async () => {
    const { input, df } = sessionCounts();
    await testStream(df, "append", [
      AddData(input, [ev("u1", "12:00"), ev("u1", "12:03"), ev("u2", "12:01")]),
      CheckNewAnswer([]),
      operatorIs("sessionWindowStateStoreSaveExec"),
      // u1's 12:07 extends [12:00, 12:08) to [12:00, 12:12); the watermark moves to 12:10, which
      // closes u2's [12:01, 12:06).
      AddData(input, [ev("u1", "12:07"), ev("u2", "12:20")]),
      CheckNewAnswer([out("u2", "12:01", "12:06", 1)]),
      // u1's 12:05 has its own session end at 12:10, at the watermark: late, dropped. Watermark 12:20
      // closes u1's merged session.
      AddData(input, [ev("u1", "12:05"), ev("u3", "12:30")]),
      CheckNewAnswer([out("u1", "12:00", "12:12", 3)]),
      droppedIs(1),
      AddData(input, [ev("u3", "12:33"), ev("u2", "12:50")]),
      CheckNewAnswer([out("u2", "12:20", "12:25", 1), out("u3", "12:30", "12:38", 2)]),
    ]);
  });

  const restartActions = (input: ReturnType<typeof sessionCounts>["input"], restart: boolean): StreamAction[] => [
    AddData(input, [ev("a", "10:00"), ev("b", "10:02")]),
    CheckNewAnswer([]),
    ...(restart ? [StopStream, StartStream()] : []),
    AddData(input, [ev("a", "10:04"), ev("b", "10:30")]),
    CheckNewAnswer([out("a", "10:00", "10:09", 2), out("b", "10:02", "10:07", 1)]),
    ...(restart ? [StopStream, StartStream()] : []),
    AddData(input, [ev("b", "10:33"), ev("b", "10:08"), ev("a", "10:50")]),
    // b's 10:08 (own session ends 10:13, behind the watermark 10:20) is late.
    CheckNewAnswer([out("b", "10:30", "10:38", 2)]),
    droppedIs(1),
  ];

  void it("a restart mid-stream resumes the sessions in state: identical output", async () => {
    const plain = sessionCounts();
    await testStream(plain.df, "append", restartActions(plain.input, false));
    const restarted = sessionCounts();
    await testStream(restarted.df, "append", restartActions(restarted.input, true));
  });

  void it("update mode: each trigger writes the sessions it changed, merged with the ones in state", async () => {
    const { input, df } = sessionCounts();
    await testStream(df, "update", [
      AddData(input, [ev("u1", "12:00"), ev("u2", "12:01")]),
      CheckNewAnswer([out("u1", "12:00", "12:05", 1), out("u2", "12:01", "12:06", 1)]),
      // 12:04 extends u1's session; u2 is untouched and not written.
      AddData(input, [ev("u1", "12:04")]),
      CheckNewAnswer([out("u1", "12:00", "12:09", 2)]),
      // 12:12 starts a new session of u1 (12:12 is after 12:09); 12:08 then bridges the two.
      AddData(input, [ev("u1", "12:12")]),
      CheckNewAnswer([out("u1", "12:12", "12:17", 1)]),
      AddData(input, [ev("u1", "12:08")]),
      CheckNewAnswer([out("u1", "12:00", "12:17", 4)]),
      // The watermark (12:40 - 10 min) evicts everything before 12:30; a row for the old session is late.
      AddData(input, [ev("u2", "12:40")]),
      CheckNewAnswer([out("u2", "12:40", "12:45", 1)]),
      AddData(input, [ev("u1", "12:10")]),
      CheckNewAnswer([]),
      droppedIs(1),
      AssertOnQuery((q) => q.lastProgress?.stateOperators[0]?.numRowsTotal === 1, "only u2's open session is left in state"),
    ]);
  });

  void it("the checkpoint records the session-window operator: keyed by the other columns, sessions with their buffers", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-sw-stream-"));
    try {
      const { input, df } = sessionCounts();
      await testStream(df, "append", [StartStream({ checkpoint: dir }), AddData(input, [ev("a", "10:00")]), CheckNewAnswer([])]);
      const m = readOperatorMetadata(dir, 0);
      assert.equal(m?.operatorName, "sessionWindowStateStoreSaveExec");
      assert.deepEqual(m?.keySchema, [{ name: "user", type: "STRING" }]);
      assert.deepEqual(m?.valueSchema.map((c) => c.name), ["session_window", "count(1)"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  void it("complete mode: every session in state, every batch", async () => {
    const { input, df } = sessionCounts();
    await testStream(df, "complete", [
      AddData(input, [ev("u1", "12:00"), ev("u2", "12:01")]),
      CheckLastBatch([out("u1", "12:00", "12:05", 1), out("u2", "12:01", "12:06", 1)]),
      AddData(input, [ev("u1", "12:03")]),
      CheckLastBatch([out("u1", "12:00", "12:08", 2), out("u2", "12:01", "12:06", 1)]),
    ]);
  });

  void it("without a watermark it is refused at start() with the reason", async () => {
    const input = spark.memoryStream("user STRING, ts TIMESTAMP");
    const df = input.toDF().groupBy(session_window(col("ts"), "5 minutes"), col("user")).count();
    await assert.rejects(
      () => df.writeStream.format("memory").queryName("sw_nowm").outputMode("update").start(),
      (e: unknown) => e instanceof StreamingError && e.errorClass === "STREAMING_SESSION_WINDOW_WITHOUT_WATERMARK" && /needs a watermark/.test(e.message),
    );
  });

  void it("the plan: each row's own session, then the session-window operator", () => {
    const { df } = sessionCounts();
    assert.deepEqual(df.columns, ["session_window", "user", "count"]);
  });
});
