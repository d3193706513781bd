import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Session, Window, col, functions as F } from "../../src/index.js";

const spark = Session.builder().create();
const scores = spark.createDataFrame(
  [{ g: "a", v: 10 }, { g: "a", v: 20 }, { g: "a", v: 20 }, { g: "a", v: 30 }, { g: "b", v: 5 }, { g: "b", v: null }],
  "g STRING, v INT",
);
scores.createOrReplaceTempView("win_s");
const sql = async (q: string): Promise<Record<string, unknown>[]> => spark.sql(q).collect();

test("row_number, rank, dense_rank, percent_rank and cume_dist with ties", async () => {
  const rows = await sql(`SELECT g, v,
      row_number() OVER w AS rn, rank() OVER w AS rk, dense_rank() OVER w AS dr,
      percent_rank() OVER w AS pr, cume_dist() OVER w AS cd
    FROM win_s WINDOW w AS (PARTITION BY g ORDER BY v) ORDER BY g, v, rn`);
  assert.deepEqual(rows, [
    { g: "a", v: 10, rn: 1, rk: 1, dr: 1, pr: 0, cd: 0.25 },
    { g: "a", v: 20, rn: 2, rk: 2, dr: 2, pr: 1 / 3, cd: 0.75 },
    { g: "a", v: 20, rn: 3, rk: 2, dr: 2, pr: 1 / 3, cd: 0.75 },
    { g: "a", v: 30, rn: 4, rk: 4, dr: 3, pr: 1, cd: 1 },
    { g: "b", v: null, rn: 1, rk: 1, dr: 1, pr: 0, cd: 0.5 },
    { g: "b", v: 5, rn: 2, rk: 2, dr: 2, pr: 1, cd: 1 },
  ]);
});

test("row_number, rank and dense_rank alone (one pass over the sorted rows) with ties, null keys, several order keys", async () => {
  const rows = await sql(`SELECT g, v, row_number() OVER w AS rn, rank() OVER w AS rk, dense_rank() OVER w AS dr
    FROM (SELECT g, v FROM win_s UNION ALL SELECT NULL, 7 UNION ALL SELECT NULL, 7 UNION ALL SELECT NULL, NULL) WINDOW w AS (PARTITION BY g ORDER BY v DESC) ORDER BY g, v DESC, rn`);
  assert.deepEqual(rows, [
    { g: null, v: 7, rn: 1, rk: 1, dr: 1 },
    { g: null, v: 7, rn: 2, rk: 1, dr: 1 },
    { g: null, v: null, rn: 3, rk: 3, dr: 2 },
    { g: "a", v: 30, rn: 1, rk: 1, dr: 1 },
    { g: "a", v: 20, rn: 2, rk: 2, dr: 2 },
    { g: "a", v: 20, rn: 3, rk: 2, dr: 2 },
    { g: "a", v: 10, rn: 4, rk: 4, dr: 3 },
    { g: "b", v: 5, rn: 1, rk: 1, dr: 1 },
    { g: "b", v: null, rn: 2, rk: 2, dr: 2 },
  ]);
  // The same ranks as the general path (which percent_rank in the window takes).
  const general = await sql(`SELECT g, v, row_number() OVER w AS rn, rank() OVER w AS rk, dense_rank() OVER w AS dr, percent_rank() OVER w AS pr
    FROM win_s WINDOW w AS (PARTITION BY g ORDER BY v, g DESC) ORDER BY g, v, rn`);
  const simple = await sql("SELECT g, v, row_number() OVER w AS rn, rank() OVER w AS rk, dense_rank() OVER w AS dr FROM win_s WINDOW w AS (PARTITION BY g ORDER BY v, g DESC) ORDER BY g, v, rn");
  assert.deepEqual(simple, general.map(({ pr: _pr, ...r }) => r));
});

test("ntile spreads the remainder over the first buckets", async () => {
  const rows = await spark.range(0, 7).select(col("id"), F.ntile(3).over(Window.orderBy("id")).alias("t")).collect();
  assert.deepEqual(rows.map((r) => r.t), [1, 1, 1, 2, 2, 3, 3]);
});

test("lag and lead with offsets and defaults", async () => {
  const rows = await sql("SELECT v, lag(v) OVER (ORDER BY v) AS p, lag(v, 2, -1) OVER (ORDER BY v) AS p2, lead(v, 1, 0) OVER (ORDER BY v) AS n FROM win_s WHERE g = 'a'");
  assert.deepEqual(rows, [
    { v: 10, p: null, p2: -1, n: 20 },
    { v: 20, p: 10, p2: -1, n: 20 },
    { v: 20, p: 20, p2: 10, n: 30 },
    { v: 30, p: 20, p2: 20, n: 0 },
  ]);
});

test("a running sum uses the default RANGE frame: peers share the value", async () => {
  const rows = await sql("SELECT v, sum(v) OVER (PARTITION BY g ORDER BY v) AS s FROM win_s WHERE g = 'a'");
  assert.deepEqual(rows.map((r) => r.s), [10, 50, 50, 80]);
  const rowsFrame = await sql("SELECT v, sum(v) OVER (PARTITION BY g ORDER BY v ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS s FROM win_s WHERE g = 'a'");
  assert.deepEqual(rowsFrame.map((r) => r.s), [10, 30, 50, 80]);
});

test("ROWS BETWEEN n PRECEDING AND m FOLLOWING", async () => {
  const rows = await sql("SELECT v, sum(v) OVER (ORDER BY v ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS s, count(*) OVER (ORDER BY v ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING) AS c FROM win_s WHERE g = 'a'");
  assert.deepEqual(rows, [{ v: 10, s: 30, c: 3 }, { v: 20, s: 50, c: 3 }, { v: 20, s: 70, c: 2 }, { v: 30, s: 50, c: 1 }]);
});

test("RANGE BETWEEN value offsets compares ORDER BY values, not row positions", async () => {
  const rows = await sql("SELECT v, sum(v) OVER (ORDER BY v RANGE BETWEEN 10 PRECEDING AND CURRENT ROW) AS s, count(*) OVER (ORDER BY v RANGE BETWEEN CURRENT ROW AND 10 FOLLOWING) AS c FROM win_s WHERE g = 'a'");
  assert.deepEqual(rows, [{ v: 10, s: 10, c: 3 }, { v: 20, s: 50, c: 3 }, { v: 20, s: 50, c: 3 }, { v: 30, s: 70, c: 1 }]);
  const desc = await sql("SELECT v, sum(v) OVER (ORDER BY v DESC RANGE BETWEEN 10 PRECEDING AND 0 FOLLOWING) AS s FROM win_s WHERE g = 'a'");
  assert.deepEqual(desc, [{ v: 30, s: 30 }, { v: 20, s: 70 }, { v: 20, s: 70 }, { v: 10, s: 50 }]);
});

test("without ORDER BY, or with an unbounded frame, the frame is the whole partition", async () => {
  const rows = await sql("SELECT g, count(*) OVER (PARTITION BY g) AS n, max(v) OVER (PARTITION BY g ORDER BY v ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS m FROM win_s ORDER BY g");
  assert.deepEqual(rows.map((r) => [r.g, r.n, r.m]), [["a", 4, 30], ["a", 4, 30], ["a", 4, 30], ["a", 4, 30], ["b", 2, 5], ["b", 2, 5]]);
});

test("ranking functions need ORDER BY", () => {
  assert.throws(() => spark.sql("SELECT rank() OVER (PARTITION BY g) FROM win_s"), /requires the window to be ordered/);
});

test("RANGE frames with INTERVAL offsets over timestamps and dates (SQL and rangeBetween)", async () => {
  const t = (s: number): Date => new Date(s * 1000);
  spark.createDataFrame([{ ts: t(0), d: "2024-01-01", x: 1 }, { ts: t(5), d: "2024-01-03", x: 2 }, { ts: t(5), d: "2024-01-03", x: 4 }, { ts: t(12), d: "2024-01-10", x: 8 }], "ts TIMESTAMP, d STRING, x INT")
    .selectExpr("ts", "CAST(d AS DATE) AS d", "x").createOrReplaceTempView("win_times");
  const rows = await sql(`SELECT x,
      sum(x) OVER (ORDER BY ts RANGE BETWEEN INTERVAL 7 SECONDS PRECEDING AND CURRENT ROW) AS s7,
      sum(x) OVER (ORDER BY ts RANGE BETWEEN INTERVAL 1 MINUTE PRECEDING AND INTERVAL 5 SECONDS PRECEDING) AS before,
      sum(x) OVER (ORDER BY d RANGE BETWEEN INTERVAL 2 DAYS PRECEDING AND CURRENT ROW) AS d2
    FROM win_times ORDER BY x`);
  assert.deepEqual(rows, [
    { x: 1, s7: 1, before: null, d2: 1 },
    { x: 2, s7: 7, before: 1, d2: 7 },
    { x: 4, s7: 7, before: 1, d2: 7 },
    { x: 8, s7: 14, before: 7, d2: 8 },
  ]);
  const api = await spark.table("win_times").select(col("x"), F.sum("x").over(Window.orderBy("ts").rangeBetween("-7 seconds", Window.currentRow)).alias("s7")).orderBy("x").collect();
  assert.deepEqual(api.map((r) => r["s7"]), [1, 7, 7, 14]);
  await assert.rejects(sql("SELECT sum(x) OVER (ORDER BY x RANGE BETWEEN INTERVAL 1 SECOND PRECEDING AND CURRENT ROW) AS s FROM win_times").then((r) => r), /needs a timestamp or date ORDER BY/);
});

test("partitions in and out of ORDER BY order, with peers, nulls and both directions, give the reference ranks and running sums (property)", async () => {
  // The window sorts only partitions whose rows arrive out of order (window-exec.ts windowOrder).
  type R = { id: number; p: number | null; o: number | null };
  const rowsArb = fc.array(fc.record({ p: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 3 })), o: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 6 })) }), { maxLength: 40 })
    .chain((rs) => fc.boolean().map((presorted) => (presorted ? [...rs].sort((a, b) => (a.o ?? -1) - (b.o ?? -1)) : rs)));
  await fc.assert(fc.asyncProperty(rowsArb, fc.boolean(), async (input, asc) => {
    const rows: R[] = input.map((r, id) => ({ id, ...r }));
    const df = spark.createDataFrame(rows, "id INT, p INT, o INT");
    const w = Window.partitionBy("p").orderBy(asc ? col("o").asc() : col("o").desc());
    const got = await df.select(col("id"), F.rank().over(w).alias("rk"), F.dense_rank().over(w).alias("dr"), F.sum("o").over(w).alias("s"), F.count("*").over(w).alias("c")).collect();
    // Spark: ascending puts nulls first, descending last; RANGE frame: a row sees its peers.
    const key = (o: number | null): number => (o === null ? (asc ? -Infinity : Infinity) : asc ? o : -o);
    const want = new Map<number, { rk: number; dr: number; s: number | null; c: number }>();
    for (const r of rows) {
      const part = rows.filter((x) => x.p === r.p);
      const before = part.filter((x) => key(x.o) < key(r.o));
      const upTo = part.filter((x) => key(x.o) <= key(r.o));
      const nonNull = upTo.filter((x) => x.o !== null);
      want.set(r.id, { rk: before.length + 1, dr: new Set(before.map((x) => key(x.o))).size + 1, s: nonNull.length ? nonNull.reduce((t, x) => t + x.o!, 0) : null, c: upTo.length });
    }
    assert.equal(got.length, rows.length);
    for (const g of got) assert.deepEqual({ rk: g["rk"], dr: g["dr"], s: g["s"] === null ? null : Number(g["s"]), c: Number(g["c"]) }, want.get(Number(g["id"])), `row ${String(g["id"])}`);
  }), { numRuns: 200 });
});
