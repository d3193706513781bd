import assert from "node:assert/strict";
import { test } from "node:test";
import { Session, col } from "../../src/index.js";

const spark = Session.builder().create();
const left = spark.createDataFrame(
  [{ k: 1, a: "x" }, { k: 2, a: "y" }, { k: null, a: "z" }, { k: 2, a: "w" }],
  "k INT, a STRING",
);
const right = spark.createDataFrame(
  [{ k: 2, b: "p" }, { k: 3, b: "q" }, { k: null, b: "r" }, { k: 2, b: "s" }],
  "k INT, b STRING",
);
left.createOrReplaceTempView("jl");
right.createOrReplaceTempView("jr");

/** Rows as sorted strings, so that tests do not depend on the join's output order. */
const key = (rows: readonly Record<string, unknown>[]): string[] => rows.map((r) => JSON.stringify(r)).sort();

test("inner join on a column name outputs the key once and pairs duplicate keys many-to-many", async () => {
  const df = left.join(right, "k");
  assert.deepEqual(df.columns, ["k", "a", "b"]);
  const rows = await df.collect();
  assert.deepEqual(key(rows), key([
    { k: 2, a: "y", b: "p" }, { k: 2, a: "y", b: "s" }, { k: 2, a: "w", b: "p" }, { k: 2, a: "w", b: "s" },
  ]));
});

test("left and right outer joins keep unmatched rows (null keys never match) with nulls on the other side", async () => {
  const l = await left.join(right, "k", "left").collect();
  assert.equal(l.length, 6);
  assert.deepEqual(key(l.filter((r) => r.b === null)), key([{ k: 1, a: "x", b: null }, { k: null, a: "z", b: null }]));
  const r = await left.join(right, ["k"], "right_outer").collect();
  assert.equal(r.length, 6);
  // USING right join: the key comes from the right side.
  assert.deepEqual(key(r.filter((x) => x.a === null)), key([{ k: 3, a: null, b: "q" }, { k: null, a: null, b: "r" }]));
});

test("full outer USING join coalesces the key from both sides", async () => {
  const rows = await left.join(right, "k", "full").collect();
  assert.equal(rows.length, 8);
  assert.ok(rows.some((r) => r.k === 3 && r.b === "q" && r.a === null), "right-only key 3 is filled from the right side");
  assert.ok(rows.some((r) => r.k === 1 && r.a === "x" && r.b === null));
  assert.equal(rows.filter((r) => r.k === null).length, 2, "the two null keys stay separate rows");
});

test("left_semi and left_anti return left columns only; a null key is never matched by =", async () => {
  const semi = left.join(right, "k", "left_semi");
  assert.deepEqual(semi.columns, ["k", "a"]);
  assert.deepEqual(key(await semi.collect()), key([{ k: 2, a: "y" }, { k: 2, a: "w" }]));
  const anti = await left.join(right, left.col("k").eq(right.col("k")), "left_anti").collect();
  assert.deepEqual(key(anti), key([{ k: 1, a: "x" }, { k: null, a: "z" }]));
});

test("<=> matches null keys with each other, = does not", async () => {
  const eq = await spark.sql("SELECT jl.a, jr.b FROM jl JOIN jr ON jl.k = jr.k").collect();
  const ns = await spark.sql("SELECT jl.a, jr.b FROM jl JOIN jr ON jl.k <=> jr.k").collect();
  assert.equal(eq.length, 4);
  assert.equal(ns.length, 5);
  assert.ok(ns.some((r) => r.a === "z" && r.b === "r"));
});

test("a join condition with a non-equi residual filters matched pairs, and outer joins keep the rest", async () => {
  const inner = await spark.sql("SELECT jl.a, jr.b FROM jl JOIN jr ON jl.k = jr.k AND jl.a > jr.b").collect();
  assert.deepEqual(key(inner), key([{ a: "y", b: "p" }, { a: "y", b: "s" }, { a: "w", b: "p" }, { a: "w", b: "s" }]));
  const narrow = await spark.sql("SELECT jl.a, jr.b FROM jl LEFT JOIN jr ON jl.k = jr.k AND jr.b = 's'").collect();
  assert.deepEqual(key(narrow), key([{ a: "y", b: "s" }, { a: "w", b: "s" }, { a: "x", b: null }, { a: "z", b: null }]));
  const nonEqui = await spark.sql("SELECT jl.a, jr.b FROM jl JOIN jr ON jl.k < jr.k").collect();
  assert.deepEqual(key(nonEqui), key([{ a: "x", b: "p" }, { a: "x", b: "q" }, { a: "x", b: "s" }, { a: "y", b: "q" }, { a: "w", b: "q" }]));
});

test("cross join pairs every row; join without a condition is a cross join", async () => {
  assert.equal(await left.crossJoin(right).count(), 16);
  assert.equal(await left.join(right).count(), 16);
  const rows = await spark.sql("SELECT count(*) AS n FROM jl CROSS JOIN jr").collect();
  assert.deepEqual(rows, [{ n: 16 }]);
});

test("a self-join through aliases distinguishes the two sides", async () => {
  const rows = await left.alias("x").join(left.alias("y"), col("x.k").eq(col("y.k")))
    .select(col("x.a").alias("xa"), col("y.a").alias("ya")).collect();
  assert.deepEqual(key(rows), key([
    { xa: "x", ya: "x" }, { xa: "y", ya: "y" }, { xa: "y", ya: "w" }, { xa: "w", ya: "y" }, { xa: "w", ya: "w" },
  ]));
  const sql = await spark.sql("SELECT count(*) AS n FROM jl a JOIN jl b ON a.k = b.k AND a.a <> b.a").collect();
  assert.deepEqual(sql, [{ n: 2 }]);
});

test("an unqualified column present on both sides of a join is ambiguous", () => {
  const joined = left.join(right, left.col("k").eq(right.col("k")));
  assert.throws(() => joined.select("k"), (e: Error & { errorClass?: string }) => e.errorClass === "AMBIGUOUS_REFERENCE" && /`k`/.test(e.message));
  assert.throws(() => spark.sql("SELECT k FROM jl JOIN jr ON jl.k = jr.k"), /AMBIGUOUS_REFERENCE/);
});

test("join type names are validated", () => {
  assert.throws(() => left.join(right, "k", "sideways"), /Unsupported join type 'sideways'/);
});
