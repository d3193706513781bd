import assert from "node:assert/strict";
import { test } from "node:test";
import { Session, functions as F } from "../../src/index.js";

const spark = Session.builder().create();
const t = spark.createDataFrame(
  [{ g: "a", x: 1, s: "p" }, { g: "a", x: null, s: "q" }, { g: "b", x: null, s: null }, { g: "a", x: 4, s: "r" }, { g: null, x: 7, s: "q" }],
  "g STRING, x INT, s STRING",
);
t.createOrReplaceTempView("agg_t");
const sql = async (q: string): Promise<Record<string, unknown>[]> => spark.sql(q).collect();

test("count(*) counts rows, count(col) skips nulls, and an all-null group sums/averages to null", async () => {
  const rows = await sql("SELECT g, count(*) AS n, count(x) AS nx, sum(x) AS s, avg(x) AS m, min(x) AS lo, max(x) AS hi FROM agg_t GROUP BY g ORDER BY g");
  assert.deepEqual(rows, [
    { g: null, n: 1, nx: 1, s: 7, m: 7, lo: 7, hi: 7 },
    { g: "a", n: 3, nx: 2, s: 5, m: 2.5, lo: 1, hi: 4 },
    { g: "b", n: 1, nx: 0, s: null, m: null, lo: null, hi: null },
  ]);
});

test("a global aggregate over empty input returns one row: count 0, the others null", async () => {
  const rows = await sql("SELECT count(*) AS n, count(x) AS nx, sum(x) AS s, avg(x) AS m, max(s) AS hi FROM agg_t WHERE x > 100");
  assert.deepEqual(rows, [{ n: 0, nx: 0, s: null, m: null, hi: null }]);
  const api = await t.filter("x > 100").agg(F.count("*").alias("n"), F.sum("x").alias("s")).collect();
  assert.deepEqual(api, [{ n: 0, s: null }]);
  // Grouped aggregation over empty input has no groups.
  assert.deepEqual(await sql("SELECT g, count(*) FROM agg_t WHERE x > 100 GROUP BY g"), []);
});

test("count(DISTINCT) and FILTER (WHERE)", async () => {
  const rows = await sql("SELECT count(DISTINCT s) AS ds, count(*) FILTER (WHERE x > 1) AS big, sum(x) FILTER (WHERE g = 'a') AS sa FROM agg_t");
  assert.deepEqual(rows, [{ ds: 3, big: 2, sa: 5 }]);
});

test("GROUP BY an expression, a select alias and an ordinal", async () => {
  const byExpr = await sql("SELECT x % 2 AS parity, count(*) AS n FROM agg_t WHERE x IS NOT NULL GROUP BY x % 2 ORDER BY parity");
  assert.deepEqual(byExpr, [{ parity: 0, n: 1 }, { parity: 1, n: 2 }]);
  const byAlias = await sql("SELECT upper(g) AS G2, count(*) AS n FROM agg_t GROUP BY G2 ORDER BY G2");
  assert.deepEqual(byAlias, [{ G2: null, n: 1 }, { G2: "A", n: 3 }, { G2: "B", n: 1 }]);
  const byOrdinal = await sql("SELECT s, count(*) AS n FROM agg_t GROUP BY 1 ORDER BY 2 DESC, 1");
  assert.deepEqual(byOrdinal, [{ s: "q", n: 2 }, { s: null, n: 1 }, { s: "p", n: 1 }, { s: "r", n: 1 }]);
});

test("HAVING and ORDER BY may use aggregates that are not selected", async () => {
  const having = await sql("SELECT g FROM agg_t GROUP BY g HAVING count(x) >= 1 AND max(x) < 5");
  assert.deepEqual(having, [{ g: "a" }]);
  const ordered = await sql("SELECT g FROM agg_t GROUP BY g ORDER BY count(*) DESC, g");
  assert.deepEqual(ordered, [{ g: "a" }, { g: null }, { g: "b" }]);
  const both = await sql("SELECT g, count(*) AS n FROM agg_t GROUP BY g HAVING count(*) >= 1 ORDER BY max(s) DESC");
  assert.deepEqual(both.map((r) => r.g), ["a", null, "b"]);
});

test("a selected column outside GROUP BY is MISSING_AGGREGATION naming that column", () => {
  assert.throws(() => spark.sql("SELECT g, s FROM agg_t GROUP BY g"), (e: Error & { errorClass?: string }) =>
    e.errorClass === "MISSING_AGGREGATION" && e.message.includes('"s"') && e.message.includes("any_value(s)"));
});

test("ROLLUP, CUBE and GROUPING SETS with grouping() and grouping_id()", async () => {
  const rollup = await sql("SELECT g, count(*) AS n, grouping(g) AS gg FROM agg_t GROUP BY ROLLUP(g) ORDER BY gg, g");
  assert.deepEqual(rollup, [
    { g: null, n: 1, gg: 0 }, { g: "a", n: 3, gg: 0 }, { g: "b", n: 1, gg: 0 }, { g: null, n: 5, gg: 1 },
  ]);
  const cube = spark.sql("SELECT g, s, grouping_id() AS gid, count(*) AS n FROM agg_t WHERE g = 'a' GROUP BY CUBE(g, s)");
  const rows = await cube.collect();
  // grouping_id: bit 1 for g, bit 0 for s, set when the column is aggregated away.
  assert.deepEqual(rows.filter((r) => r.gid === 3), [{ g: null, s: null, gid: 3, n: 3 }]);
  assert.deepEqual(rows.filter((r) => r.gid === 1), [{ g: "a", s: null, gid: 1, n: 3 }]);
  assert.equal(rows.filter((r) => r.gid === 2).length, 3);
  assert.equal(rows.filter((r) => r.gid === 0).length, 3);
  assert.deepEqual(cube.columns, ["g", "s", "gid", "n"]);
  const sets = await sql("SELECT g, s, count(*) AS n FROM agg_t WHERE g = 'a' GROUP BY GROUPING SETS ((g), (s), ()) ORDER BY g, s");
  assert.deepEqual(sets, [
    { g: null, s: null, n: 3 }, { g: null, s: "p", n: 1 }, { g: null, s: "q", n: 1 }, { g: null, s: "r", n: 1 }, { g: "a", s: null, n: 3 },
  ]);
  const named = spark.sql("SELECT g, grouping(g), grouping_id() FROM agg_t GROUP BY ROLLUP(g)");
  assert.deepEqual(named.columns, ["g", "grouping(g)", "grouping_id()"]);
});

test("a grouping-set expression keeps its alias, and HAVING/ORDER BY over a cube resolve", async () => {
  const rows = await sql("SELECT x + 1 AS x1, count(*) AS n FROM agg_t WHERE x IS NOT NULL GROUP BY ROLLUP(x + 1) HAVING count(*) > 0 ORDER BY max(x), n");
  assert.deepEqual(rows, [{ x1: 2, n: 1 }, { x1: 5, n: 1 }, { x1: 8, n: 1 }, { x1: null, n: 3 }]);
  const api = await t.cube("g").agg(F.count("*").alias("n")).orderBy("n", "g").collect();
  assert.deepEqual(api, [{ g: null, n: 1 }, { g: "b", n: 1 }, { g: "a", n: 3 }, { g: null, n: 5 }]);
});

test("first/last IGNORE NULLS skip nulls; without it they take the first/last row's value", async () => {
  const v = spark.sql("SELECT * FROM VALUES (1, NULL), (2, 10), (3, 20), (4, NULL) AS v(i, y)");
  v.createOrReplaceTempView("agg_v");
  const rows = await sql(
    "SELECT first(y) AS f, first(y) IGNORE NULLS AS fi, last(y) AS l, last(y) IGNORE NULLS AS li, first_value(y) IGNORE NULLS AS fv, last_value(y) IGNORE NULLS AS lv, any_value(y) IGNORE NULLS AS av FROM (SELECT * FROM agg_v ORDER BY i)",
  );
  assert.deepEqual(rows, [{ f: null, fi: 10, l: null, li: 20, fv: 10, lv: 20, av: 10 }]);
  const explicit = await sql("SELECT first(y, true) AS f FROM (SELECT * FROM agg_v ORDER BY i)");
  assert.deepEqual(explicit, [{ f: 10 }]);
  assert.throws(() => spark.sql("SELECT first(y, false) IGNORE NULLS FROM agg_v"), /IGNORE NULLS/);
});

test("F.grouping and F.grouping_id in DataFrame rollups", async () => {
  const rows = await t.filter("g IS NOT NULL").rollup("g").agg(F.count("*").alias("n"), F.grouping("g").alias("gg"), F.grouping_id().alias("gid")).orderBy("gg", "g").collect();
  assert.deepEqual(rows, [{ g: "a", n: 3, gg: 0, gid: 0 }, { g: "b", n: 1, gg: 0, gid: 0 }, { g: null, n: 4, gg: 1, gid: 1 }]);
});

test("a sum that overflows fails under ANSI (naming try_sum), wraps a BIGINT or nulls a DECIMAL otherwise; try_sum is null", async () => {
  const over = "SELECT sum(x) AS s FROM (SELECT CAST('4611686018427387904' AS BIGINT) + id AS x FROM range(3))";
  const decOver = "SELECT sum(x) AS s FROM (SELECT CAST('99999999999999999999999999999999999999' AS DECIMAL(38,0)) AS x FROM range(2))";
  // Beyond BIGINT on the way, back within it at the end: one exact total, no error in either mode.
  const back = "SELECT sum(x) AS s FROM (SELECT CASE WHEN id < 3 THEN CAST('4611686018427387904' AS BIGINT) ELSE CAST('-4611686018427387904' AS BIGINT) END AS x FROM range(6))";
  const wrapped = BigInt.asIntN(64, 3n * 2n ** 62n + 3n);
  const session = Session.builder().create();
  try {
    assert.deepEqual(await session.sql(over).collect(), [{ s: wrapped }]);
    assert.deepEqual(await session.sql(decOver).collect(), [{ s: null }]);
    assert.deepEqual(await session.sql(back).collect(), [{ s: 0 }]);
    assert.deepEqual(await session.sql(over.replace("sum(x)", "try_sum(x)")).collect(), [{ s: null }]);
    session.conf.set("spark.sql.ansi.enabled", true);
    await assert.rejects(session.sql(over).collect(), /ARITHMETIC_OVERFLOW.*BIGINT.*try_sum/);
    await assert.rejects(session.sql(decOver).collect(), /ARITHMETIC_OVERFLOW.*DECIMAL\(38,0\)/);
    assert.deepEqual(await session.sql(back).collect(), [{ s: 0 }]);
    assert.deepEqual(await session.sql(over.replace("sum(x)", "try_sum(x)")).collect(), [{ s: null }]);
  } finally {
    session.stop();
  }
});
