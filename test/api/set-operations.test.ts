import assert from "node:assert/strict";
import { test } from "node:test";
import { Session } from "../../src/index.js";

const spark = Session.builder().create();
const sorted = (rows: readonly Record<string, unknown>[]): string[] => rows.map((r) => JSON.stringify(r)).sort();
const a = spark.createDataFrame([{ x: 1, y: "a" }, { x: 1, y: "a" }, { x: 1, y: "a" }, { x: 2, y: null }, { x: null, y: null }], "x INT, y STRING");
const b = spark.createDataFrame([{ x: 1, y: "a" }, { x: null, y: null }, { x: null, y: null }, { x: 3, y: "c" }], "x INT, y STRING");

test("union and unionAll keep duplicates; SQL UNION removes them", async () => {
  assert.equal(await a.union(b).count(), 9);
  assert.equal(await a.unionAll(b).count(), 9);
  const rows = await spark.sql("SELECT 1 AS v UNION SELECT 1 UNION SELECT 2").collect();
  assert.deepEqual(sorted(rows), sorted([{ v: 1 }, { v: 2 }]));
});

test("union widens column types by position", async () => {
  const df = spark.sql("SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2L, 3");
  assert.deepEqual(df.dtypes, [["a", "bigint"], ["b", "string"]]);
  assert.deepEqual(await df.collect(), [{ a: 1, b: "x" }, { a: 2, b: "3" }]);
});

test("unionByName matches by name, and allowMissingColumns fills nulls", async () => {
  const l = spark.createDataFrame([{ a: 1, b: "x" }], "a INT, b STRING");
  const r = spark.createDataFrame([{ b: "y", a: 2 }], "b STRING, a INT");
  assert.deepEqual(await l.unionByName(r).collect(), [{ a: 1, b: "x" }, { a: 2, b: "y" }]);
  const m = spark.createDataFrame([{ b: "z", c: 5 }], "b STRING, c BIGINT");
  const u = l.unionByName(m, true);
  assert.deepEqual(u.columns, ["a", "b", "c"]);
  assert.deepEqual(await u.collect(), [{ a: 1, b: "x", c: null }, { a: null, b: "z", c: 5 }]);
  assert.throws(() => l.unionByName(m), /`?a`?|"a"/);
});

test("intersect and subtract are distinct and treat nulls as equal", async () => {
  assert.deepEqual(sorted(await a.intersect(b).collect()), sorted([{ x: 1, y: "a" }, { x: null, y: null }]));
  assert.deepEqual(sorted(await a.subtract(b).collect()), sorted([{ x: 2, y: null }]));
  assert.deepEqual(sorted(await spark.sql("SELECT * FROM VALUES (1), (1), (2), (NULL) AS t(v) EXCEPT SELECT * FROM VALUES (2) AS s(v)").collect()), sorted([{ v: 1 }, { v: null }]));
});

test("intersectAll and exceptAll count duplicates", async () => {
  assert.deepEqual(sorted(await a.intersectAll(b).collect()), sorted([{ x: 1, y: "a" }, { x: null, y: null }]));
  assert.deepEqual(sorted(await b.intersectAll(a).collect()), sorted([{ x: 1, y: "a" }, { x: null, y: null }]));
  assert.deepEqual(sorted(await a.exceptAll(b).collect()), sorted([{ x: 1, y: "a" }, { x: 1, y: "a" }, { x: 2, y: null }]));
  assert.deepEqual(sorted(await b.exceptAll(a).collect()), sorted([{ x: null, y: null }, { x: 3, y: "c" }]));
});

test("set operations need the same number of columns", () => {
  assert.throws(() => spark.sql("SELECT 1 AS a INTERSECT SELECT 1, 2"), /NUM_COLUMNS_MISMATCH/);
});

test("distinct and dropDuplicates(cols) keep the first row of each key", async () => {
  const d = spark.createDataFrame([{ a: 1, b: 1 }, { a: 1, b: 2 }, { a: 2, b: 1 }, { a: 1, b: 1 }, { a: null, b: 3 }, { a: null, b: 4 }], "a INT, b INT");
  assert.deepEqual(sorted(await d.distinct().collect()), sorted([{ a: 1, b: 1 }, { a: 1, b: 2 }, { a: 2, b: 1 }, { a: null, b: 3 }, { a: null, b: 4 }]));
  assert.deepEqual(await d.dropDuplicates(["a"]).collect(), [{ a: 1, b: 1 }, { a: 2, b: 1 }, { a: null, b: 3 }]);
  assert.equal(await d.dropDuplicates().count(), 5);
  assert.deepEqual(sorted(await spark.sql("SELECT DISTINCT y FROM VALUES ('a'), ('a'), (NULL), (NULL) AS t(y)").collect()), sorted([{ y: "a" }, { y: null }]));
});
