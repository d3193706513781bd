// Operators whose reader keeps no column of their batches (ExecOptions.reuseBuffers: a hash
// join's streamed side, a fused aggregation's input) write batch after batch into the same
// arrays; every other reader gets fresh ones, and no output of such a reader aliases them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Session, col, functions as F } from "../../src/index.js";
import type { RecordBatch } from "../../src/batch/record-batch.js";
import { valueAt } from "../../src/batch/vector.js";
import { HashAggregateExec } from "../../src/physical/hash-aggregate-exec.js";
import { HashJoinExec } from "../../src/physical/join-exec.js";
import type { ExecContext, ExecOptions, PhysicalOp } from "../../src/physical/physical-op.js";
import { ProjectFilterExec } from "../../src/physical/project-filter-exec.js";
import { ReusableArrays } from "../../src/batch/reusable-arrays.js";
import { findOp } from "../support/find-op.js";

const spark = Session.builder().appName("exec-buffer-reuse-test").create();
spark.conf.set("sluice.executor.threads", 1);
spark.conf.set("sluice.sql.execution.batchSize", 1000);

function find<T extends PhysicalOp>(op: PhysicalOp, cls: abstract new (...a: never[]) => T): T {
  const found = findOp(op, cls);
  assert.ok(found, `no ${cls.name} in the plan`);
  return found;
}

/** Wraps `op.execute` to record what each run asks and the array behind each batch's column `column`. */
function watch(op: PhysicalOp, column: number): { asked: ExecOptions[]; buffers: ArrayBufferLike[] } {
  const seen = { asked: [] as ExecOptions[], buffers: [] as ArrayBufferLike[] };
  const execute = op.execute.bind(op);
  op.execute = async function* (ctx: ExecContext, options: ExecOptions = {}): AsyncIterable<RecordBatch> {
    seen.asked.push(options);
    for await (const b of execute(ctx, options)) {
      seen.buffers.push((b.columns[column]!.values as Float64Array).buffer);
      yield b;
    }
  };
  return seen;
}

async function rowsOf(op: PhysicalOp, options: ExecOptions = {}): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  for await (const b of op.execute(spark.execContext(), options)) for (let i = 0; i < b.numRows; i++) rows.push(b.columns.map((c) => valueAt(c, i)));
  return rows;
}

void describe("buffer reuse between operators", () => {
  void it("a projection writes every batch into the same arrays only for a reader that keeps no column", async () => {
    const op = spark.physicalPlan(spark.range(0, 10_000).select(col("id").multiply(3).cast("double").alias("x")).plan);
    const project = find(op, ProjectFilterExec);
    const seen = watch(project, 0);
    const reused = await rowsOf(op, { reuseBuffers: true });
    assert.ok(seen.buffers.length >= 10);
    assert.equal(new Set(seen.buffers).size, 1, "one array for every batch");
    assert.deepEqual(reused.map((r) => r[0]), Array.from({ length: 10_000 }, (_, i) => i * 3), "each batch read before the next");
    const batches = await spark.range(0, 10_000).select(col("id").multiply(3).cast("double").alias("x")).collectBatches();
    assert.equal(new Set(batches.map((b) => (b.columns[0]!.values as Float64Array).buffer)).size, batches.length, "collected batches: fresh arrays each");
    assert.deepEqual(batches.flatMap((b) => [...(b.columns[0]!.values as Float64Array)]), Array.from({ length: 10_000 }, (_, i) => i * 3));
  });

  void it("a hash join streams its probe side through reused arrays, and its output keeps none of them", async () => {
    const probe = spark.range(0, 20_000).select(col("id").mod(500).alias("k"), col("id").multiply(2).cast("double").alias("v"));
    const build = spark.range(0, 500).select(col("id").alias("bk"), col("id").multiply(10).alias("w"));
    const df = probe.join(build, col("k").equalTo(col("bk")).and(col("v").geq(col("w")))).select("k", "v", "w");
    const op = spark.physicalPlan(df.plan);
    const join = find(op, HashJoinExec);
    const streamed = find(join.left, ProjectFilterExec);
    const seen = watch(streamed, 1);
    const out: RecordBatch[] = [];
    for await (const b of op.execute(spark.execContext())) out.push(b);
    assert.deepEqual(seen.asked, [{ reuseBuffers: true }]);
    assert.equal(new Set(seen.buffers).size, 1, "the streamed side wrote every batch into one array");
    for (const b of out) for (const c of b.columns) assert.ok(!seen.buffers.includes((c.values as Float64Array).buffer), "an output column is the streamed array");
    // Read after the whole run: rows of early batches were not overwritten by later ones.
    const got = out.flatMap((b) => Array.from({ length: b.numRows }, (_, i) => b.columns.map((c) => Number(valueAt(c, i)))));
    const want: number[][] = [];
    for (let id = 0; id < 20_000; id++) if (id * 2 >= (id % 500) * 10) want.push([id % 500, id * 2, (id % 500) * 10]);
    assert.deepEqual(got, want);
  });

  void it("an aggregation read by a fused aggregation hands its groups over in reused arrays, and the answer stands", async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => ({ a: i % 7, b: i % 3001, v: i }));
    const df = spark.createDataFrame(rows, "a INT, b INT, v BIGINT").groupBy("a", "b").agg(F.count("*").alias("n"), F.sum("v").alias("s"))
      .groupBy("a").agg(F.sum("n").alias("rows"), F.max("s").alias("top"), F.count("*").alias("groups"));
    const op = spark.physicalPlan(df.plan);
    const outer = find(op, HashAggregateExec);
    const inner = find(outer.children[0]!, HashAggregateExec);
    assert.notEqual(outer.codegenSource(spark.execContext()), null, "the outer aggregation runs fused");
    const seen = watch(inner, 2);
    const got = new Map((await rowsOf(op)).map((r) => [r[0], r.slice(1).map(Number)]));
    assert.deepEqual(seen.asked, [{ reuseBuffers: true }]);
    assert.ok(seen.buffers.length > 2, "several batches of groups");
    const want = new Map<number, { rows: number; top: number; groups: Set<number>; sums: Map<number, number> }>();
    for (const { a, b, v } of rows) {
      const e = want.get(a) ?? { rows: 0, top: -Infinity, groups: new Set<number>(), sums: new Map<number, number>() };
      e.rows++;
      e.groups.add(b);
      e.sums.set(b, (e.sums.get(b) ?? 0) + v);
      want.set(a, e);
    }
    assert.equal(got.size, want.size);
    for (const [a, e] of want) assert.deepEqual(got.get(a), [e.rows, Math.max(...e.sums.values()), e.groups.size], `a = ${a}`);
  });

  void it("a struct key of several handed to such a reader is one plain array for every batch, and the answer stands", async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ ts: new Date(Date.UTC(2024, 0, 1) + i * 37), k: i % 211 }));
    const df = spark.createDataFrame(rows, "ts TIMESTAMP, k INT").groupBy(F.window(col("ts"), "10 seconds"), col("k")).count()
      .groupBy("window").agg(F.max("count").alias("top"), F.count("*").alias("keys"));
    const op = spark.physicalPlan(df.plan);
    const inner = find(find(op, HashAggregateExec).children[0]!, HashAggregateExec);
    const arrays: unknown[] = [];
    const execute = inner.execute.bind(inner);
    inner.execute = async function* (ctx: ExecContext, options: ExecOptions = {}): AsyncIterable<RecordBatch> {
      for await (const b of execute(ctx, options)) {
        const w = b.columns.find((c) => c.type.kind === "struct")!;
        assert.ok(Array.isArray(w.values));
        arrays.push(w.values);
        yield b;
      }
    };
    // A window value is [start, end] in microseconds.
    const got = new Map((await rowsOf(op)).map((r) => [(r[0] as number[])[0]! / 1000, [Number(r[1]), Number(r[2])]]));
    assert.ok(arrays.length > 2, "several batches of groups");
    assert.equal(new Set(arrays).size, 1, "one array for every batch");
    const want = new Map<number, Map<number, number>>();
    for (const { ts, k } of rows) {
      const start = ts.getTime() - (ts.getTime() % 10_000);
      const m = want.get(start) ?? new Map<number, number>();
      m.set(k, (m.get(k) ?? 0) + 1);
      want.set(start, m);
    }
    assert.equal(got.size, want.size);
    for (const [start, m] of want) assert.deepEqual(got.get(start), [Math.max(...m.values()), m.size], `window at ${start}`);
  });

  void it("a key the result only reads (a window's start) is built in one array for every batch even for a reader that keeps columns; keys passed on stay fresh", async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ ts: new Date(Date.UTC(2024, 0, 1) + i * 37), k: i % 211 }));
    spark.createDataFrame(rows, "ts TIMESTAMP, k INT").createOrReplaceTempView("keyed_events");
    const handed: unknown[] = [];
    const values = ReusableArrays.prototype.values;
    ReusableArrays.prototype.values = function (this: ReusableArrays, slot: number, n: number): unknown[] {
      const a = values.call(this, slot, n);
      handed.push(a);
      return a;
    };
    let batches: RecordBatch[];
    try {
      batches = await spark.sql("SELECT k, window.start AS s, count(*) AS n FROM keyed_events GROUP BY k, window(ts, '10 seconds')").collectBatches();
    } finally {
      ReusableArrays.prototype.values = values;
    }
    assert.ok(batches.length > 2, "several batches of groups");
    assert.ok(handed.length >= batches.length, "each batch's window keys");
    assert.equal(new Set(handed).size, 1, "one array of window keys for every batch");
    // Read after the whole run: the passed-on key k and the computed start were not overwritten by later batches.
    const got = new Map<string, number>();
    for (const b of batches) for (let i = 0; i < b.numRows; i++) got.set(`${String(valueAt(b.columns[0]!, i))}@${Number(valueAt(b.columns[1]!, i))}`, Number(valueAt(b.columns[2]!, i)));
    const want = new Map<string, number>();
    for (const { ts, k } of rows) {
      const key = `${k}@${(ts.getTime() - (ts.getTime() % 10_000)) * 1000}`;
      want.set(key, (want.get(key) ?? 0) + 1);
    }
    assert.deepEqual(got, want);
  });
});
