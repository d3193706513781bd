import assert from "node:assert/strict";
import { test } from "node:test";
import { Session, col } from "../../src/index.js";

const spark = Session.builder().config("sluice.sql.session.timeZone", "UTC").create();
const one = async (q: string): Promise<Record<string, unknown>> => {
  const rows = await spark.sql(q).collect();
  assert.equal(rows.length, 1, `one row from ${q}`);
  return rows[0]!;
};
const values = async (q: string): Promise<unknown[]> => Object.values(await one(q));

test("three-valued logic: NULL AND false is false, NULL OR true is true, otherwise NULL", async () => {
  assert.deepEqual(await values("SELECT NULL AND false, NULL AND true, NULL OR true, NULL OR false, NOT NULL, NULL = NULL, NULL <=> NULL"), [false, null, true, null, null, null, true]);
});

test("CASE: first matching branch, else, or null", async () => {
  assert.deepEqual(await values("SELECT CASE WHEN 1 > 2 THEN 'a' WHEN 2 > 1 THEN 'b' END, CASE 3 WHEN 1 THEN 'x' ELSE 'y' END, CASE WHEN false THEN 1 END, CASE WHEN NULL THEN 1 ELSE 2 END"), ["b", "y", null, 2]);
});

test("IN with nulls: NULL when not found and the list has a null", async () => {
  assert.deepEqual(await values("SELECT 3 IN (1, NULL), 1 IN (1, NULL), 3 NOT IN (1, NULL), NULL IN (1), 2 IN (1, 2)"), [null, true, null, null, true]);
});

test("BETWEEN and LIKE", async () => {
  assert.deepEqual(await values("SELECT 2 BETWEEN 1 AND 3, 5 NOT BETWEEN 1 AND 3, 'abc' LIKE 'a%', 'abc' LIKE 'a_c', 'abc' LIKE 'b%', NULL LIKE 'a'"), [true, true, true, true, false, null]);
});

test("arithmetic types: int / int is double, div is bigint, division by zero is NULL", async () => {
  const df = spark.sql("SELECT 7 / 2 AS q, 7 div 2 AS d, 7 % 3 AS m, -7 % 3 AS nm, 1 / 0 AS z, 1 % 0 AS zm, 2L * 3 AS l, 1.5D + 1 AS f");
  assert.deepEqual(df.dtypes.map((t) => t[1]), ["double", "bigint", "int", "int", "double", "int", "bigint", "double"]);
  assert.deepEqual(await df.collect(), [{ q: 3.5, d: 3, m: 1, nm: -1, z: null, zm: null, l: 6, f: 2.5 }]);
});

test("integer overflow wraps in legacy mode", async () => {
  assert.deepEqual(await values("SELECT 2147483647 + 1, CAST(-2147483648 AS INT) - 1"), [-2147483648, 2147483647]);
  const big = await one("SELECT 9223372036854775807 + 1 AS v");
  assert.equal(big.v, -9223372036854775808n);
});

test("integer overflow is an error with ANSI mode on", async () => {
  const s = Session.builder().create();
  s.conf.set("sluice.sql.ansi.enabled", true);
  const t = s.createDataFrame([{ a: 2147483647, b: 9223372036854775807n }], "a INT, b BIGINT");
  await assert.rejects(t.select(col("a").plus(1)).collect(), /ARITHMETIC_OVERFLOW/);
  await assert.rejects(t.select(col("b").multiply(2)).collect(), /ARITHMETIC_OVERFLOW/);
});

test("division by zero is an error with ANSI mode on", async () => {
  const s = Session.builder().create();
  s.conf.set("sluice.sql.ansi.enabled", true);
  const t = s.createDataFrame([{ a: 1, z: 0 }], "a INT, z INT");
  await assert.rejects(t.select(col("a").divide(col("z"))).collect(), /DIVIDE_BY_ZERO/);
});

test("longs beyond 2^53 stay exact from input to output", async () => {
  const t = spark.createDataFrame([{ a: 9007199254740993n, b: 1 }], "a BIGINT, b INT");
  const rows = await t.select(col("a"), col("a").plus(1).alias("a1"), col("a").multiply(col("b")).alias("ab"), col("a").minus(2).alias("am")).collect();
  assert.deepEqual(rows, [{ a: 9007199254740993n, a1: 9007199254740994n, ab: 9007199254740993n, am: 9007199254740991 }]);
  assert.equal((await one("SELECT 9007199254740993 AS v")).v, 9007199254740993n);
});

test("decimal arithmetic follows Spark's precision and scale rules", async () => {
  const df = spark.sql("SELECT 1.5 + 2.25 AS a, CAST(1.10 AS DECIMAL(5,2)) * 3 AS b, 10.0 / 3 AS c");
  assert.deepEqual(df.dtypes.map((t) => t[1]), ["decimal(4,2)", "decimal(16,2)", "decimal(14,12)"]);
  const r = (await df.collect())[0]!;
  assert.equal(r.a, 3.75);
  assert.equal(String(r.b), "3.30");
  assert.equal(r.c, 3.333333333333);
});

test("string-number comparisons cast the string to the number's type", async () => {
  assert.deepEqual(await values("SELECT '10' > 9, '10' = 10, '1.5' = 1, '1.5' = 1.5D, 'abc' < 'abd', '1.5' + 1"), [true, true, true, true, true, 2.5]);
});

test("timestamp and date arithmetic with intervals", async () => {
  const r = await one(`SELECT TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '1 day 2 hours' AS a,
    TIMESTAMP '2024-03-31 10:00:00' - INTERVAL 1 MONTH AS b,
    INTERVAL '30 minutes' + TIMESTAMP '2024-01-01 00:00:00' AS c,
    DATE '2024-01-31' + INTERVAL '1' MONTH AS d,
    DATE '2024-03-01' - INTERVAL '1' DAY AS e,
    date_add(DATE '2024-02-28', 2) AS f`);
  assert.deepEqual(r, {
    a: new Date("2024-01-02T02:00:00Z"),
    b: new Date("2024-02-29T10:00:00Z"),
    c: new Date("2024-01-01T00:30:00Z"),
    d: "2024-02-29",
    e: "2024-02-29",
    f: "2024-03-01",
  });
  const df = spark.sql("SELECT TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '90 minutes' AS t, DATE '2024-01-01' + INTERVAL '2' DAY AS d");
  assert.deepEqual(df.dtypes, [["t", "timestamp"], ["d", "date"]]);
  const ts = spark.createDataFrame([{ t: new Date("2024-01-01T00:00:00Z") }], "t TIMESTAMP");
  assert.deepEqual(await ts.selectExpr("t - INTERVAL 1 DAY AS y").collect(), [{ y: new Date("2023-12-31T00:00:00Z") }]);
  assert.deepEqual(ts.selectExpr("t + INTERVAL '1 hour'").columns, ["(t + INTERVAL '1 hours')"]);
});

test("a timestamp column plus or minus a constant interval: a fixed time part added in the loop, days and months by the calendar", async () => {
  // A constant interval without days or months is inlined in the generated code (interval-arithmetic.ts).
  const zoned = Session.builder().config("sluice.sql.session.timeZone", "America/New_York").create();
  const df = zoned.createDataFrame([{ t: new Date("2024-03-09T12:00:00Z") }, { t: null }], "t TIMESTAMP");
  const rows = await df.selectExpr("t - INTERVAL '10' SECOND AS a", "t + INTERVAL '1 day 2 hours' AS b", "t + INTERVAL '-90 minutes' AS c", "t + INTERVAL '25' HOUR AS d").collect();
  assert.deepEqual(rows, [
    // 1 day across the DST change is 23 hours of elapsed time; 25 hours are 25.
    { a: new Date("2024-03-09T11:59:50Z"), b: new Date("2024-03-10T13:00:00Z"), c: new Date("2024-03-09T10:30:00Z"), d: new Date("2024-03-10T13:00:00Z") },
    { a: null, b: null, c: null, d: null },
  ]);
});

test("explode, posexplode, LATERAL VIEW [OUTER]", async () => {
  assert.deepEqual(await spark.sql("SELECT explode(array(1, 2, 3)) AS v").collect(), [{ v: 1 }, { v: 2 }, { v: 3 }]);
  assert.deepEqual(await spark.sql("SELECT posexplode(array('a', 'b'))").collect(), [{ pos: 0, col: "a" }, { pos: 1, col: "b" }]);
  assert.deepEqual(await spark.sql("SELECT explode(map('a', 1))").collect(), [{ key: "a", value: 1 }]);
  const base = "FROM VALUES (1, array(10, 20)), (2, array()) AS t(k, arr)";
  assert.deepEqual(await spark.sql(`SELECT k, v ${base} LATERAL VIEW explode(arr) x AS v`).collect(), [{ k: 1, v: 10 }, { k: 1, v: 20 }]);
  assert.deepEqual(await spark.sql(`SELECT k, v ${base} LATERAL VIEW OUTER explode(arr) x AS v`).collect(), [{ k: 1, v: 10 }, { k: 1, v: 20 }, { k: 2, v: null }]);
});

test("VALUES inline tables, SELECT without FROM, CTEs", async () => {
  assert.deepEqual(await spark.sql("SELECT * FROM VALUES (1, 'a'), (2, 'b') AS t(x, y) WHERE x > 1").collect(), [{ x: 2, y: "b" }]);
  assert.deepEqual(spark.sql("SELECT * FROM VALUES (1, 2)").columns, ["col1", "col2"]);
  assert.deepEqual(await spark.sql("SELECT 1 AS one, 'two' AS two").collect(), [{ one: 1, two: "two" }]);
  assert.deepEqual(await spark.sql("WITH a AS (SELECT 1 AS x), b AS (SELECT x + 1 AS y FROM a) SELECT * FROM a, b").collect(), [{ x: 1, y: 2 }]);
});

test("uncorrelated scalar, IN and EXISTS subqueries", async () => {
  const r = await one("SELECT (SELECT max(x) FROM VALUES (1), (5) AS t(x)) AS m, 3 IN (SELECT x FROM VALUES (3) AS t(x)) AS i, EXISTS (SELECT 1 FROM VALUES (1) AS t(x) WHERE x > 2) AS e");
  assert.deepEqual(r, { m: 5, i: true, e: false });
  assert.deepEqual(spark.sql("SELECT (SELECT max(x) FROM VALUES (1), (5) AS t(x)) AS m").dtypes, [["m", "int"]]);
  const filtered = await spark.sql("SELECT x FROM VALUES (1), (2), (3) AS t(x) WHERE x > (SELECT avg(y) FROM VALUES (1), (3) AS s(y))").collect();
  assert.deepEqual(filtered, [{ x: 3 }]);
  await assert.rejects(spark.sql("SELECT (SELECT x FROM VALUES (1), (2) AS t(x)) AS m").collect(), /SCALAR_SUBQUERY_TOO_MANY_ROWS/);
});

test("correlated [NOT] EXISTS and [NOT] IN become semi/anti joins", async () => {
  spark.sql("CREATE OR REPLACE TEMP VIEW cq_o AS SELECT * FROM VALUES (1, 10), (2, 20), (3, NULL), (NULL, 5) AS o(id, v)");
  spark.sql("CREATE OR REPLACE TEMP VIEW cq_i AS SELECT * FROM VALUES (1, 'a'), (3, 'b'), (3, 'c'), (NULL, 'd') AS i(id, tag)");
  const ids = async (q: string): Promise<unknown[]> => (await spark.sql(q).collect()).map((r) => r.id).sort();
  assert.deepEqual(await ids("SELECT id FROM cq_o WHERE EXISTS (SELECT * FROM cq_i WHERE cq_i.id = cq_o.id AND tag <> 'b')"), [1, 3]);
  assert.deepEqual(await ids("SELECT id FROM cq_o WHERE NOT EXISTS (SELECT 1 FROM cq_i WHERE cq_i.id = cq_o.id)"), [2, null]);
  assert.deepEqual(await ids("SELECT id FROM cq_o o WHERE id IN (SELECT id FROM cq_i i WHERE i.tag < 'c' AND o.v > 0)"), [1]);
  // NOT IN: a row is dropped when it matches, when its value is null, or when the subquery has a null.
  assert.deepEqual(await ids("SELECT id FROM cq_o o WHERE id NOT IN (SELECT id FROM cq_i WHERE tag = 'a' AND o.v > 0)"), [2, 3]);
  assert.deepEqual(await ids("SELECT id FROM cq_o WHERE v > 0 AND id NOT IN (SELECT id FROM cq_i)"), []);
  // Correlated scalar subqueries become left outer joins (test/analyzer/scalar-subquery-rewrite.test.ts); non-aggregated ones are refused.
  assert.deepEqual((await spark.sql("SELECT id, (SELECT max(tag) FROM cq_i WHERE cq_i.id = cq_o.id) AS t FROM cq_o").collect()).map((r) => r.t).sort(), ["a", "c", null, null]);
  assert.throws(() => spark.sql("SELECT id, (SELECT tag FROM cq_i WHERE cq_i.id = cq_o.id) FROM cq_o"), /UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY/);
});

test("struct, array and map columns: field access, indexing, and struct() field names", async () => {
  const r = await one("SELECT s.f1, s.f2, arr[1], m['k'], named_struct('a', 1, 'b', 'x').b FROM (SELECT named_struct('f1', 1, 'f2', 'z') AS s, array(5, 6) AS arr, map('k', 'v') AS m)");
  assert.deepEqual(Object.values(r), [1, "z", 6, "v", "x"]);
  const df = spark.sql("SELECT struct(x, y AS yy, s.f, x + 1) AS st FROM (SELECT 1 AS x, 2 AS y, named_struct('f', 3) AS s)");
  assert.deepEqual(df.dtypes, [["st", "struct<x:int,yy:int,f:int,col4:int>"]]);
  assert.deepEqual(await df.collect(), [{ st: { x: 1, yy: 2, f: 3, col4: 2 } }]);
  const t = spark.createDataFrame([{ a: 1, b: "q" }], "a INT, b STRING");
  assert.deepEqual(await t.selectExpr("struct(a, b) AS s").select(col("s.b")).collect(), [{ b: "q" }]);
});

test("DISTRIBUTE BY (repartition to the default partition count) plans and runs", async () => {
  spark.range(0, 5).createOrReplaceTempView("dist_r");
  const df = spark.sql("SELECT id FROM dist_r DISTRIBUTE BY id");
  assert.match(df.explainString("extended"), /Repartition/);
  const rows = await df.collect();
  assert.deepEqual(rows.map((r) => r.id).sort(), [0, 1, 2, 3, 4]);
});

test("an aggregate's select list may hold window functions over its aggregates and correlated subqueries on its grouping columns", async () => {
  spark.sql("CREATE OR REPLACE TEMP VIEW ag_t AS SELECT * FROM VALUES ('a', 1), ('a', 4), ('b', 2), ('c', 7), ('c', 1) AS t(k, v)");
  spark.sql("CREATE OR REPLACE TEMP VIEW ag_u AS SELECT * FROM VALUES ('a', 10), ('a', 30), ('c', 5) AS u(k, x)");
  const ranked = await spark.sql("SELECT k, sum(v) AS s, rank() OVER (ORDER BY sum(v) DESC) AS r, upper(k) AS uk FROM ag_t GROUP BY k").collect();
  assert.deepEqual(ranked.map((r) => [r.k, r.s, r.r, r.uk]).sort(), [["a", 5, 2, "A"], ["b", 2, 3, "B"], ["c", 8, 1, "C"]]);
  const withSub = await spark.sql("SELECT k, count(*) AS n, (SELECT max(x) FROM ag_u WHERE ag_u.k = ag_t.k) AS m FROM ag_t GROUP BY k").collect();
  assert.deepEqual(withSub.map((r) => [r.k, r.n, r.m]).sort(), [["a", 2, 30], ["b", 1, null], ["c", 2, 5]]);
});
