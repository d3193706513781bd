import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { Session } from "../../src/api/session.js";
import { col, functions as F, session_window } from "../../src/index.js";
import { planOutput } from "../../src/analyzer/plan-output.js";
import { batchesToRows } from "../../src/api/rows.js";
import type { RecordBatch } from "../../src/batch/record-batch.js";
import { type StoredSessions, StreamingSessionWindowExec } from "../../src/physical/stateful/streaming-session-window-exec.js";
import type { Aggregate, LocalRelation } from "../../src/plan/logical-plan.js";
import { MemoryStateStoreProvider } from "../../src/state/memory-state-store.js";
import { DEFAULT_STATE_STORE_CONF } from "../../src/state/state-store.js";
import { structField, structType } from "../../src/types/data-type.js";
import { AddData, CheckNewAnswer, testStream } from "../streaming/stream-test.js";

const spark = Session.builder().getOrCreate();
const at = (hm: string): Date => new Date(`2024-01-01T${hm}:00.000Z`);

test("a streaming aggregation by session_window is accepted (see session-window-stream.test.ts)", () => {
  const input = spark.memoryStream("word STRING, ts TIMESTAMP");
  assert.doesNotThrow(() => input.toDF().withWatermark("ts", "10 minutes").groupBy(session_window(col("ts"), "5 minutes"), col("word")).count());
});

test("session_window outside an aggregation works on a stream: each row's own session, bad gaps dropped", async () => {
  const input = spark.memoryStream("word STRING, ts TIMESTAMP, gap STRING");
  const df = input.toDF().select(col("word"), session_window(col("ts"), col("gap")).alias("s"));
  await testStream(df, "append", [
    AddData(input, [{ word: "a", ts: at("12:00"), gap: "5 minutes" }, { word: "b", ts: at("12:01"), gap: "0 seconds" }]),
    CheckNewAnswer([{ word: "a", s: { start: at("12:00"), end: at("12:05") } }]),
    AddData(input, [{ word: "c", ts: at("12:02"), gap: "1 hour" }]),
    CheckNewAnswer([{ word: "c", s: { start: at("12:02"), end: at("13:02") } }]),
  ]);
});

// The stateful operator for streaming session windows, run batch by batch against a state store
// (the incremental planner uses it for streaming aggregations by session_window).
const SCHEMA = "user STRING, s STRUCT<start: TIMESTAMP, end: TIMESTAMP>, v INT";
const sec = (n: number): Date => new Date(Date.UTC(2024, 0, 1) + n * 1000);
const ev = (user: string, start: number, end: number, v = 1): Record<string, unknown> => ({ user, s: { start: sec(start), end: sec(end) }, v });
const wmMs = (n: number): number => sec(n).getTime();
const batchOf = (rows: Record<string, unknown>[]): readonly RecordBatch[] => (spark.createDataFrame(rows, SCHEMA).plan as LocalRelation).batches;

function sessionOperator(root: string) {
  const df = spark.createDataFrame([ev("x", 0, 1)], SCHEMA);
  const agg = df.groupBy(col("user"), col("s")).agg(F.count("*").alias("n"), F.sum("v").alias("total")).plan as Aggregate;
  assert.equal(agg.kind, "Aggregate");
  const exec = new StreamingSessionWindowExec(0, agg, planOutput(agg.child), 1, { timeZone: "UTC", ansi: false, currentTimestampMicros: 0 });
  const provider = new MemoryStateStoreProvider({ checkpointLocation: root, operatorId: 0, partitionId: 0 }, DEFAULT_STATE_STORE_CONF);
  let version = 0;
  const schema = structType(exec.output.map((a) => structField(a.name, a.dataType, a.nullable)));
  return {
    run(rows: Record<string, unknown>[], mode: "append" | "update" | "complete", watermark: number) {
      const store = provider.getStore<StoredSessions>(version);
      const r = exec.run(batchOf(rows), store, mode, wmMs(watermark));
      version = store.commit();
      const out = batchesToRows(schema, r.output).sort((a, b) => String(a["user"]).localeCompare(String(b["user"])) || (a["s"] as { start: Date }).start.getTime() - (b["s"] as { start: Date }).start.getTime());
      return { out, dropped: r.droppedByWatermark };
    },
  };
}
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-sw-"));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let tmpN = 0;
const tmpDir = (): string => path.join(tmpRoot, String(tmpN++));
const row = (user: string, start: number, end: number, n: number, total: number): Record<string, unknown> => ({ user, s: { start: sec(start), end: sec(end) }, n, total });

test("streaming session operator, append mode: sessions merge across batches and are emitted once the watermark passes their end; late rows are dropped", () => {
  const op = sessionOperator(tmpDir());
  let r = op.run([ev("u1", 10, 20), ev("u1", 15, 25), ev("u2", 12, 22)], "append", 0);
  assert.deepEqual(r.out, []);
  r = op.run([ev("u1", 24, 34), ev("u2", 5, 15)], "append", 22);
  assert.deepEqual(r.out, [row("u2", 12, 22, 1, 1)]);
  assert.equal(r.dropped, 1);
  r = op.run([], "append", 40);
  assert.deepEqual(r.out, [row("u1", 10, 34, 3, 3)]);
  r = op.run([], "append", 100);
  assert.deepEqual(r.out, []);
});

test("streaming session operator, update mode: a row bridging two stored sessions merges them; complete mode keeps everything", () => {
  const op = sessionOperator(tmpDir());
  let r = op.run([ev("k", 0, 10, 1), ev("k", 30, 40, 2)], "update", 0);
  assert.deepEqual(r.out, [row("k", 0, 10, 1, 1), row("k", 30, 40, 1, 2)]);
  r = op.run([ev("k", 8, 31, 4)], "update", 0);
  assert.deepEqual(r.out, [row("k", 0, 40, 3, 7)]);
  const c = sessionOperator(tmpDir());
  c.run([ev("a", 0, 10), ev("b", 0, 5)], "complete", 0);
  r = c.run([ev("a", 50, 60)], "complete", 1000);
  assert.deepEqual(r.out, [row("a", 0, 10, 1, 1), row("a", 50, 60, 1, 1), row("b", 0, 5, 1, 1)]);
});
