// The fused aggregation loop (FusedAggregate) must give exactly what the column-wise path
// (GroupTable + CountSlot/NumericSlot) gives: same groups in the same order, same values (bit
// for bit: both add in row order), on random data with nulls, NaN, -0, dense and sparse integer
// keys, several batches with and without nulls, and long sums beyond 2^53 and 2^63.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Session, col, functions as F, window } from "../../src/index.js";
import type { DataFrame } from "../../src/api/dataframe.js";
import { type RecordBatch, makeBatch } from "../../src/batch/record-batch.js";
import { VectorBuilder, valueAt } from "../../src/batch/vector.js";
import { Expr as E } from "../../src/expr/expression.js";
import { Plan } from "../../src/plan/logical-plan.js";
import { HashAggregateExec } from "../../src/physical/hash-aggregate-exec.js";
import type { PhysicalOp } from "../../src/physical/physical-op.js";
import { KeyCoder, TupleTable } from "../../src/physical/aggregate/key-coder.js";
import { BooleanType, type DataType, DoubleType, FloatType, IntegerType, LongType, StringType, TimestampType, structField, structType } from "../../src/types/data-type.js";
import { findOp } from "../support/find-op.js";

const spark = Session.builder().appName("fused-aggregate-test").create();

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ColumnSpec {
  name: string;
  type: DataType;
  gen: (r: () => number, i: number) => unknown;
  nullable: boolean;
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const COLUMNS: ColumnSpec[] = [
  // Mostly a dense small range, sometimes far away (widens the window or falls back to the Map).
  { name: "k", type: IntegerType, nullable: true, gen: (r) => (r() < 0.9 ? Math.floor(r() * 40) - 10 : pick(r, [1_000_000, -2147483648, 2147483647, 5000])) },
  { name: "s", type: StringType, nullable: true, gen: (r) => pick(r, ["a", "b", "c", "", "é", "long string"]) },
  { name: "b", type: BooleanType, nullable: true, gen: (r) => r() < 0.5 },
  { name: "i", type: IntegerType, nullable: true, gen: (r) => Math.floor(r() * 2001) - 1000 },
  { name: "d", type: DoubleType, nullable: true, gen: (r) => (r() < 0.05 ? pick(r, [NaN, -0, 0, Infinity, -Infinity]) : r() * 100 - 50) },
  { name: "f", type: FloatType, nullable: true, gen: (r) => Math.fround(r() * 10 - 5) },
  { name: "l", type: LongType, nullable: true, gen: (r) => (r() < 0.5 ? Math.floor(r() * 1e6) : pick(r, [2 ** 52, -(2 ** 52), 2 ** 53 - 1, 4611686018427387904n, -4611686018427387904n, 9223372036854775807n])) },
];

/** Batches of random rows; `nullRate` 0 gives batches without null masks. */
function randomBatches(seed: number, sizes: readonly number[], nullRates: readonly number[]): RecordBatch[] {
  const r = rng(seed);
  const schema = structType(COLUMNS.map((c) => structField(c.name, c.type, c.nullable)));
  return sizes.map((n, bi) => {
    const cols = COLUMNS.map((c) => {
      const b = new VectorBuilder(c.type, n);
      for (let i = 0; i < n; i++) b.append(r() < nullRates[bi]! ? null : c.gen(r, i));
      return b.finish();
    });
    return makeBatch(schema, cols, n);
  });
}

function frame(batches: readonly RecordBatch[]): DataFrame {
  const output = COLUMNS.map((c) => E.attr(c.name, c.type, c.nullable));
  return spark.dataFrame(Plan.localRelation(output, batches));
}

function findAggregate(op: PhysicalOp): HashAggregateExec {
  const found = findOp(op, HashAggregateExec);
  if (!found) throw new Error("no HashAggregateExec in the plan");
  return found;
}

async function runOp(op: PhysicalOp): Promise<unknown[][]> {
  const ctx = spark.execContext();
  const rows: unknown[][] = [];
  for await (const b of op.execute(ctx)) {
    for (let i = 0; i < b.numRows; i++) rows.push(b.columns.map((c) => valueAt(c, i)));
  }
  return rows;
}

/** Runs `df` with the fused loop and with the column-wise path and checks both agree. */
async function assertSameBothWays(df: DataFrame, expectFused = true): Promise<unknown[][]> {
  const op = spark.physicalPlan(df.plan);
  const agg = findAggregate(op);
  assert.equal(agg.codegenSource(spark.execContext()) !== null, expectFused, "fused path availability");
  agg.allowFused = true;
  const fused = await runOp(op);
  agg.allowFused = false;
  const columnwise = await runOp(op);
  assert.deepStrictEqual(fused, columnwise);
  return fused;
}

const allAggs = () => [
  F.count("*").alias("n"), F.count("d").alias("nd"), F.count("s").alias("ns"),
  F.sum("i").alias("si"), F.avg("i").alias("ai"), F.min("i").alias("mini"), F.max("i").alias("maxi"),
  F.sum("d").alias("sd"), F.avg("d").alias("ad"), F.min("d").alias("mind"), F.max("d").alias("maxd"),
  F.sum("f").alias("sf"), F.min("f").alias("minf"), F.max("f").alias("maxf"),
  F.sum("l").alias("sl"), F.avg("l").alias("al"), F.min("l").alias("minl"), F.max("l").alias("maxl"),
  F.sum("v").alias("sv"), F.avg("v").alias("av"), F.max("v").alias("maxv"),
];

const shapes: [string, (df: DataFrame) => DataFrame][] = [
  ["one int key", (df) => df.groupBy("k").agg(...allAggs())],
  ["one string key", (df) => df.groupBy("s").agg(...allAggs())],
  ["one boolean key", (df) => df.groupBy("b").agg(...allAggs())],
  ["one double key (NaN, -0)", (df) => df.groupBy("d").agg(F.count("*"), F.sum("i"))],
  ["one long key", (df) => df.groupBy("l").agg(F.count("*"), F.max("d"))],
  ["int and string keys", (df) => df.groupBy("k", "s").agg(...allAggs())],
  ["three keys", (df) => df.groupBy("s", "b", "k").agg(...allAggs())],
  ["key expression", (df) => df.groupBy(col("k").mod(7).alias("km")).agg(...allAggs())],
  ["no keys", (df) => df.agg(...allAggs())],
];

const withV = (df: DataFrame): DataFrame => df.withColumn("v", col("d").multiply(2).plus(col("i")));

for (const [name, shape] of shapes) {
  test(`fused aggregate = column-wise: ${name}, plain`, async () => {
    await assertSameBothWays(shape(withV(frame(randomBatches(1, [500, 700], [0.1, 0.2])))));
  });
  test(`fused aggregate = column-wise: ${name}, filter + project, batches with and without nulls`, async () => {
    const df = frame(randomBatches(2, [300, 1000, 257, 10], [0, 0.15, 0, 0.5]))
      .filter(col("i").mod(3).notEqual(0).or(col("d").gt(10)))
      .select(col("k"), col("s"), col("b"), col("i"), col("d"), col("f"), col("l"), col("d").multiply(2).plus(col("i")).alias("v"));
    await assertSameBothWays(shape(df));
  });
}

test("fused aggregate: empty input gives one row without keys, none with keys", async () => {
  const df = withV(frame(randomBatches(3, [100], [0.1]))).filter(col("i").gt(5000));
  const global = await assertSameBothWays(df.agg(...allAggs()));
  assert.equal(global.length, 1);
  assert.equal(global[0]![0], 0);
  assert.equal(global[0]![3], null);
  assert.equal((await assertSameBothWays(df.groupBy("k").agg(F.count("*")))).length, 0);
});

test("fused aggregate: FILTER (WHERE ...) clauses", async () => {
  frame(randomBatches(4, [400, 400], [0.1, 0])).createOrReplaceTempView("fused_t");
  await assertSameBothWays(spark.sql(`SELECT k, count(*) FILTER (WHERE d > 0) AS a, sum(i) FILTER (WHERE b) AS c, avg(i) FILTER (WHERE b) AS e,
    max(d) FILTER (WHERE s = 'a') AS m, count(*) AS n FROM fused_t WHERE i % 2 = 0 GROUP BY k`));
});

test("fused aggregate: long sums beyond 2^53 stay exact and wrap beyond 2^63 as the column-wise path", async () => {
  const rows = [
    ...Array.from({ length: 50 }, (_, i) => ({ g: i % 3, x: 2 ** 53 - 1 - i, y: 1 })),
    { g: 0, x: 9223372036854775807n, y: 2147483647 },
    { g: 0, x: 9223372036854775807n, y: 2147483647 },
    { g: 1, x: -9223372036854775807n, y: -2147483648 },
    { g: 2, x: null, y: null },
  ];
  const df = spark.createDataFrame(rows, "g INT, x BIGINT, y INT");
  const out = await assertSameBothWays(df.groupBy("g").agg(F.sum("x"), F.avg("x"), F.sum("y"), F.count("x"), F.max("y")));
  const g1 = out.find((r) => r[0] === 1)!;
  // Group 1: 17 values of 2^53 - 1 - i (i = 1, 4, ..., 49) plus -(2^63 - 1), exactly.
  let exact = -9223372036854775807n;
  for (let i = 1; i < 50; i += 3) exact += BigInt(2 ** 53 - 1 - i);
  assert.equal(BigInt(g1[1] as number | bigint), exact);
});

test("fused aggregate: int sums past 2^53 across many rows switch to bigints", async () => {
  const big = 2 ** 31 - 1;
  const batches: RecordBatch[] = [];
  const schema = structType([structField("g", IntegerType, false), structField("y", IntegerType, false)]);
  const n = 1 << 16;
  for (let b = 0; b < 3; b++) {
    const g = new VectorBuilder(IntegerType, n), y = new VectorBuilder(IntegerType, n);
    for (let i = 0; i < n; i++) {
      g.append(i & 1);
      y.append(big);
    }
    batches.push(makeBatch(schema, [g.finish(), y.finish()], n));
  }
  const output = [E.attr("g", IntegerType, false), E.attr("y", IntegerType, false)];
  const df = spark.dataFrame(Plan.localRelation(output, batches));
  // Not past 2^53 yet (3 * 2^15 * (2^31 - 1) < 2^53), so also check a constant-scaled sum.
  const out = await assertSameBothWays(df.groupBy("g").agg(F.sum(col("y").cast("bigint").multiply(4096)), F.sum("y")));
  const expected = BigInt(3 * (n / 2)) * BigInt(big) * 4096n;
  assert.ok(expected > 2n ** 53n);
  assert.equal(BigInt(out[0]![1] as number | bigint), expected);
});

test("fused aggregate: aggregates without a generated update use the column-wise path", async () => {
  await assertSameBothWays(frame(randomBatches(5, [200], [0.1])).groupBy("k").agg(F.countDistinct("s"), F.sum("i")), false);
});

test("KeyCoder: integer codes agree with a Map oracle while the dense window grows and gives up", () => {
  const r = rng(9);
  const coder = new KeyCoder(IntegerType);
  const oracle = new Map<number, number>();
  for (let i = 0; i < 20000; i++) {
    const phase = Math.floor(i / 5000);
    const v = phase === 0 ? Math.floor(r() * 100) : phase === 1 ? Math.floor(r() * 5000) - 2500 : phase === 2 ? Math.floor(r() * 2 ** 31) : -Math.floor(r() * 2 ** 31);
    // The generated loop's fast path first, as in the kernel.
    const o = v - coder.base;
    let c = (o >>> 0) < coder.dense.length ? coder.dense[o]! : -1;
    if (c < 0) c = coder.code(v);
    if (!oracle.has(v)) oracle.set(v, oracle.size);
    assert.equal(c, oracle.get(v), `value ${v}`);
  }
  // Every value met again, through code() alone (values in the window and values kept apart), and new ones between them.
  for (const [v, want] of oracle) assert.equal(coder.code(v), want, `value ${v} again`);
  for (let v = -3000; v < 3000; v += 7) {
    if (!oracle.has(v)) oracle.set(v, oracle.size);
    assert.equal(coder.code(v), oracle.get(v), `value ${v}`);
  }
  assert.equal(coder.size, oracle.size);
  assert.equal(coder.codeNull(), oracle.size);
  assert.equal(coder.codeNull(), oracle.size);
  assert.deepEqual(Array.from({ length: oracle.size }, (_, i) => coder.values.at(i)), [...oracle.keys()]);
  const dict = coder.dictionary();
  assert.deepEqual(Array.from({ length: oracle.size }, (_, i) => dict.values[i]), [...oracle.keys()]);
  assert.equal(dict.nulls?.[oracle.size], 1, "the null code's row is null");
});

test("KeyCoder: double and timestamp codes agree with a Map oracle through the number table (NaN = NaN, -0 = 0, growth); find adds nothing", () => {
  const r = rng(17);
  for (const type of [DoubleType, TimestampType]) {
    const coder = new KeyCoder(type);
    assert.ok(coder.hashed);
    const oracle = new Map<number, number>();
    const firstSeen: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const v = type === DoubleType
        ? pick(r, [NaN, -0, 0, 1.5, -1.5, 2 ** 53, Math.floor(r() * 3000) / 4, r()])
        : 1.7e15 + Math.floor(r() * 5000) * 2_000_000 + pick(r, [0, 1, -1]);
      // SameValueZero (a Map's equality) is Spark's grouping equality for these.
      if (!oracle.has(v)) {
        assert.equal(coder.find(v), -1, `unseen ${v}`);
        oracle.set(v, oracle.size);
        firstSeen.push(v);
      }
      assert.equal(coder.code(v), oracle.get(v), `value ${v}`);
      assert.equal(coder.find(v), oracle.get(v), `found ${v}`);
    }
    assert.ok(coder.hslots.length > 4096, "the table grew");
    assert.equal(coder.size, oracle.size);
    assert.deepEqual(Array.from({ length: coder.size }, (_, i) => coder.values.at(i)), firstSeen);
  }
});

test("TupleTable: the direct cache gives up past its size and lookups still work", () => {
  const t = new TupleTable(2);
  const codes = new Int32Array([1 << 20, 1 << 20]);
  t.cache(t.insert(TupleTable.hash(codes, 0, 2) & t.mask, codes), codes);
  assert.equal(t.bits[0], 0);
  assert.equal(t.direct.length, 1);
});

test("TupleTable: groups of code tuples survive rehashing", () => {
  const t = new TupleTable(2);
  const codes = new Int32Array(2);
  const oracle = new Map<string, number>();
  const r = rng(11);
  for (let i = 0; i < 30000; i++) {
    codes[0] = Math.floor(r() * 300);
    codes[1] = Math.floor(r() * 300);
    let s = TupleTable.hash(codes, 0, 2) & t.mask, g = -1;
    for (;;) {
      const e = t.slots[s]!;
      if (e === 0) {
        g = t.insert(s, codes);
        break;
      }
      if (t.keys[(e - 1) * 2] === codes[0] && t.keys[(e - 1) * 2 + 1] === codes[1]) {
        g = e - 1;
        break;
      }
      s = (s + 1) & t.mask;
    }
    // Codes up to 300 need 9 bits each: the direct cache stays on; check it after widening.
    t.cache(g, codes);
    const fits = (codes[0] >>> t.bits[0]!) === 0 && (codes[1] >>> t.bits[1]!) === 0;
    assert.ok(fits);
    assert.equal(t.direct[(codes[0] << t.shift[0]!) | (codes[1] << t.shift[1]!)], g + 1);
    const key = `${codes[0]},${codes[1]}`;
    if (!oracle.has(key)) oracle.set(key, oracle.size);
    assert.equal(g, oracle.get(key));
  }
});

test("TupleTable partitioned by a column: each part's groups survive its rehashing, group ids are global and in first-seen order", () => {
  const t = new TupleTable(3, 1);
  const codes = new Int32Array(3);
  const oracle = new Map<string, number>();
  const r = rng(17);
  for (let i = 0; i < 60000; i++) {
    codes[0] = Math.floor(r() * 300);
    // Parts of very different sizes: a few busy windows, many quiet ones.
    codes[1] = r() < 0.8 ? Math.floor(r() * 4) : Math.floor(r() * 200);
    codes[2] = Math.floor(r() * 3);
    const part = t.parts[codes[1]!] ?? t.part(codes[1]!);
    let s = t.partHash(codes, 0) & part.mask, g = -1;
    for (;;) {
      const e = part.slots[s]!;
      if (e === 0) {
        g = t.insertInPart(part, s, codes);
        break;
      }
      if (t.keys[(e - 1) * 3] === codes[0] && t.keys[(e - 1) * 3 + 2] === codes[2]) {
        assert.equal(t.keys[(e - 1) * 3 + 1], codes[1], "a part holds only its own code's groups");
        g = e - 1;
        break;
      }
      s = (s + 1) & part.mask;
    }
    const key = `${codes[0]},${codes[1]},${codes[2]}`;
    if (!oracle.has(key)) oracle.set(key, oracle.size);
    assert.equal(g, oracle.get(key));
  }
  assert.equal(t.count, oracle.size);
  for (const p of t.parts) if (p) assert.ok(p.count * 2 <= p.slots.length, "each part stays at most half full");
});

test("fused aggregate per key and sliding window over many keys and windows (the direct cache gives up; one hash table per window) = column-wise", async () => {
  const r = rng(23);
  const rows = Array.from({ length: 40_000 }, (_, i) => ({
    // Hot keys (groups met again) among 5,000: with 800 windows the codes need 23 bits.
    k: r() < 0.01 ? null : Math.floor(r() * (r() < 0.7 ? 50 : 5000)),
    // Mostly in time order, as events arrive, with some late ones.
    ts: r() < 0.02 ? null : new Date(i * 40 - (r() < 0.1 ? Math.floor(r() * 60_000) : 0)),
    d: r() * 10,
  }));
  const df = spark.createDataFrame(rows, "k BIGINT, ts TIMESTAMP, d DOUBLE").groupBy(col("k"), window(col("ts"), "10 seconds", "2 seconds")).agg(F.count("*").alias("n"), F.sum("d"), F.max("d"));
  const out = await assertSameBothWays(df as unknown as DataFrame);
  assert.ok(out.length > 60_000, `${out.length} groups`);
});

/** Rows with a timestamp (some null, some before 1970, not on whole seconds), a long key, a string and a double. */
function timedRows(seed: number, n: number): DataFrame {
  const r = rng(seed);
  const rows = Array.from({ length: n }, () => ({
    k: r() < 0.05 ? null : r() < 0.9 ? Math.floor(r() * 20) : pick(r, [2 ** 40, -(2 ** 45), 9223372036854775807n]),
    ts: r() < 0.05 ? null : new Date(Math.floor(r() * 120_000) - 20_000 + pick(r, [0, 0.5, 999])),
    s: pick(r, ["a", "b", null]),
    d: r() * 100 - 50,
  }));
  return spark.createDataFrame(rows, "k BIGINT, ts TIMESTAMP, s STRING, d DOUBLE") as unknown as DataFrame;
}

const expandShapes: [string, (df: DataFrame) => DataFrame][] = [
  ["sliding window alone", (df) => df.groupBy(window(col("ts"), "10 seconds", "2 seconds")).agg(F.count("*").alias("n"), F.sum("d"), F.max("d"))],
  ["key and sliding window", (df) => df.groupBy(col("k"), window(col("ts"), "10 seconds", "2 seconds")).agg(F.count("*").alias("n"), F.sum("d"))],
  ["window not a multiple of the slide, with a start time", (df) => df.groupBy(col("s"), window(col("ts"), "10 seconds", "3 seconds", "1 second"), col("k")).agg(F.count("*"), F.min("d"))],
  ["window over a filter and a projection", (df) => df.filter(col("d").gt(-20)).select(col("k"), col("ts"), col("d").multiply(2).alias("d")).groupBy(window(col("ts"), "5 seconds", "1 second"), col("k")).agg(F.avg("d"))],
  ["cube", (df) => df.cube("k", "s").agg(F.count("*").alias("n"), F.sum("d"), F.grouping_id().alias("gid"))],
  ["rollup", (df) => df.rollup("s", "k").agg(F.count("*").alias("n"), F.max("d"))],
];

for (const [name, shape] of expandShapes) {
  test(`fused aggregate with the Expand inside = column-wise: ${name}`, async () => {
    const df = shape(timedRows(21, 3000));
    const plan = spark.physicalPlan(df.plan);
    assert.ok(findAggregate(plan).codegenSource(spark.execContext())?.includes("aggregateKernel"));
    const rows = await assertSameBothWays(df);
    assert.ok(rows.length > 10);
  });
}

test("a tumbling window computed in a projection, then grouped by, is coded by its index (no struct per row) = column-wise", async () => {
  const df = timedRows(31, 3000).select(col("k"), window(col("ts"), "5 seconds").alias("w"), col("d")).groupBy("w", "k").agg(F.count("*").alias("n"), F.max("d"));
  const source = findAggregate(spark.physicalPlan(df.plan)).codegenSource(spark.execContext()) ?? "";
  assert.match(source, /let wi\d+ = 0;/, source);
  const rows = await assertSameBothWays(df);
  assert.ok(rows.length > 20);
});

test("fused sliding windows give the structs window() gives, nulls for null times", async () => {
  const df = spark.createDataFrame([{ ts: new Date(4500), k: 1 }, { ts: null, k: 1 }, { ts: new Date(-1500), k: 2 }], "ts TIMESTAMP, k BIGINT");
  const rows = await df.groupBy(col("k"), window(col("ts"), "4 seconds", "2 seconds")).agg(F.count("*").alias("n")).orderBy("k", "window.start").collect();
  const w = (a: number, b: number): { start: Date; end: Date } => ({ start: new Date(a), end: new Date(b) });
  assert.deepEqual(rows, [
    { k: 1, window: w(2000, 6000), n: 1 },
    { k: 1, window: w(4000, 8000), n: 1 },
    { k: 2, window: w(-4000, 0), n: 1 },
    { k: 2, window: w(-2000, 2000), n: 1 },
  ]);
});

test("a tumbling window drops rows whose time is null, as Spark does (grouped, selected, and over a DATE)", async () => {
  const df = spark.createDataFrame([{ ts: new Date(4500), d: new Date(Date.UTC(2024, 0, 2)), k: 1 }, { ts: null, d: null, k: 1 }, { ts: new Date(-1500), d: new Date(Date.UTC(2024, 0, 1)), k: 2 }], "ts TIMESTAMP, d DATE, k BIGINT");
  const grouped = await df.groupBy(col("k"), window(col("ts"), "4 seconds")).agg(F.count("*").alias("n")).orderBy("k").collect();
  assert.deepEqual(grouped.map((r) => [r["k"], (r["window"] as { start: Date } | null)?.start.getTime() ?? null, r["n"]]), [[1, 4000, 1], [2, -4000, 1]]);
  assert.equal((await df.select(window(col("ts"), "4 seconds"), col("k")).collect()).length, 2);
  assert.equal((await df.groupBy(window(col("d"), "1 day")).count().collect()).length, 2);
  assert.equal((await assertSameBothWays(df.groupBy(window(col("ts"), "2 seconds")).agg(F.count("*").alias("n")))).length, 2);
});

test("KeyCoder: long codes agree with a Map oracle (bigints and numbers far apart through the Map)", () => {
  const r = rng(13);
  const coder = new KeyCoder(LongType);
  const oracle = new Map<unknown, number>();
  for (let i = 0; i < 20000; i++) {
    const phase = Math.floor(i / 5000);
    const v: number | bigint = phase === 0 ? 2 ** 40 + Math.floor(r() * 100) : phase === 1 ? Math.floor(r() * 5000) - 2500 : phase === 2 ? (r() < 0.5 ? 2 ** 53 - 1 - Math.floor(r() * 3) : -(2 ** 32) - Math.floor(r() * 3)) : pick(r, [2n ** 60n, -(2n ** 62n), 7]);
    // The generated loop's fast path first, as in the kernel (exact index only).
    const o = typeof v === "number" ? v - coder.base : -1;
    let c = (o >>> 0) === o && o < coder.dense.length ? coder.dense[o]! : -1;
    if (c < 0) c = coder.code(v);
    if (!oracle.has(v)) oracle.set(v, oracle.size);
    assert.equal(c, oracle.get(v), `value ${v}`);
  }
});

test("EXPLAIN CODEGEN shows the fused aggregation loops, a result used twice (ReusedResult) once", () => {
  const one = Session.builder().config("sluice.executor.threads", 1).create();
  const counts = one.range(100).groupBy(col("id").mod(10).alias("k")).agg(F.count("*").alias("n"));
  const df = counts.join(counts.groupBy().agg(F.max("n").alias("m")), col("n").eq(col("m")));
  assert.match(df.explainString(), /ReusedResult/);
  const text = df.explainString("codegen");
  assert.deepEqual(text.match(/== Generated code for .* ==/g), [
    "== Generated code for HashAggregate (keys=[(id % 10L) AS k], functions=[count(*)]) ==",
    "== Generated code for HashAggregate (keys=[], functions=[max(n)]) ==",
  ]);
  assert.equal(text.match(/function aggregateKernel/g)?.length, 2);
});
