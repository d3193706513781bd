import assert from "node:assert/strict";
import { test } from "node:test";
import { Session, col, functions as F, session_window, window, window_time } from "../../src/index.js";

const spark = Session.builder().config("sluice.sql.session.timeZone", "UTC").create();
const sql = async (q: string): Promise<Record<string, unknown>[]> => spark.sql(q).collect();
const t = (s: string): Date => new Date(`${s.replace(" ", "T")}Z`);

test("session_window with a static gap (Spark's SQL reference example)", async () => {
  const rows = await sql(`SELECT a, session_window.start, session_window.end, count(*) AS cnt
    FROM VALUES ('A1', '2021-01-01 00:00:00'), ('A1', '2021-01-01 00:04:30'), ('A1', '2021-01-01 00:10:00'), ('A2', '2021-01-01 00:01:00') AS tab(a, b)
    GROUP BY a, session_window(b, '5 minutes') ORDER BY a, start`);
  assert.deepEqual(rows, [
    { a: "A1", start: t("2021-01-01 00:00:00"), end: t("2021-01-01 00:09:30"), cnt: 2 },
    { a: "A1", start: t("2021-01-01 00:10:00"), end: t("2021-01-01 00:15:00"), cnt: 1 },
    { a: "A2", start: t("2021-01-01 00:01:00"), end: t("2021-01-01 00:06:00"), cnt: 1 },
  ]);
});

test("session_window with a per-row gap expression (Spark's SQL reference example)", async () => {
  const rows = await sql(`SELECT a, session_window.start, session_window.end, count(*) AS cnt
    FROM VALUES ('A1', '2021-01-01 00:00:00'), ('A1', '2021-01-01 00:04:30'), ('A1', '2021-01-01 00:10:00'), ('A2', '2021-01-01 00:01:00'), ('A2', '2021-01-01 00:04:30') AS tab(a, b)
    GROUP BY a, session_window(b, CASE WHEN a = 'A1' THEN '5 minutes' WHEN a = 'A2' THEN '1 minute' ELSE '10 minutes' END) ORDER BY a, start`);
  assert.deepEqual(rows, [
    { a: "A1", start: t("2021-01-01 00:00:00"), end: t("2021-01-01 00:09:30"), cnt: 2 },
    { a: "A1", start: t("2021-01-01 00:10:00"), end: t("2021-01-01 00:15:00"), cnt: 1 },
    { a: "A2", start: t("2021-01-01 00:01:00"), end: t("2021-01-01 00:02:00"), cnt: 1 },
    { a: "A2", start: t("2021-01-01 00:04:30"), end: t("2021-01-01 00:05:30"), cnt: 1 },
  ]);
});

const events = spark.createDataFrame(
  [
    { user: "u1", ts: t("2024-01-01 10:00:00"), v: 1 },
    { user: "u1", ts: t("2024-01-01 10:09:00"), v: 2 },
    { user: "u1", ts: t("2024-01-01 10:25:00"), v: 4 },
    { user: "u1", ts: t("2024-01-01 10:05:00"), v: 8 },
    { user: "u2", ts: t("2024-01-01 10:03:00"), v: 16 },
    { user: "u2", ts: null, v: 32 },
  ],
  "user STRING, ts TIMESTAMP, v INT",
);

test("DataFrame groupBy(session_window(col, gap), key): out-of-order rows merge, null timestamps are dropped", async () => {
  const rows = await events.groupBy(session_window(col("ts"), "10 minutes"), col("user")).agg(F.sum("v").alias("s"), F.count("*").alias("n"))
    .orderBy(col("user"), col("session_window.start")).collect();
  assert.deepEqual(rows, [
    { session_window: { start: t("2024-01-01 10:00:00"), end: t("2024-01-01 10:19:00") }, user: "u1", s: 11, n: 3 },
    { session_window: { start: t("2024-01-01 10:25:00"), end: t("2024-01-01 10:35:00") }, user: "u1", s: 4, n: 1 },
    { session_window: { start: t("2024-01-01 10:03:00"), end: t("2024-01-01 10:13:00") }, user: "u2", s: 16, n: 1 },
  ]);
});

test("a row exactly at the session end joins the session; a global session window merges all keys", async () => {
  const df = spark.createDataFrame([{ ts: t("2024-01-01 10:00:00") }, { ts: t("2024-01-01 10:10:00") }, { ts: t("2024-01-01 10:30:00") }], "ts TIMESTAMP");
  const rows = await df.groupBy(session_window(col("ts"), "10 minutes")).count().orderBy(col("session_window.start")).collect();
  assert.deepEqual(rows, [
    { session_window: { start: t("2024-01-01 10:00:00"), end: t("2024-01-01 10:20:00") }, count: 2 },
    { session_window: { start: t("2024-01-01 10:30:00"), end: t("2024-01-01 10:40:00") }, count: 1 },
  ]);
});

test("rows whose gap is null, zero or negative are dropped (SPARK-36465)", async () => {
  const df = spark.createDataFrame(
    [
      { k: "a", ts: t("2024-01-01 10:00:00"), gap: "5 minutes" },
      { k: "a", ts: t("2024-01-01 10:02:00"), gap: "0 seconds" },
      { k: "a", ts: t("2024-01-01 10:03:00"), gap: "-5 minutes" },
      { k: "a", ts: t("2024-01-01 10:04:00"), gap: null },
      { k: "b", ts: t("2024-01-01 10:00:00"), gap: "1 minute" },
    ],
    "k STRING, ts TIMESTAMP, gap STRING",
  );
  const rows = await df.groupBy(col("k"), session_window(col("ts"), col("gap"))).count().orderBy("k").collect();
  assert.deepEqual(rows, [
    { k: "a", session_window: { start: t("2024-01-01 10:00:00"), end: t("2024-01-01 10:05:00") }, count: 1 },
    { k: "b", session_window: { start: t("2024-01-01 10:00:00"), end: t("2024-01-01 10:01:00") }, count: 1 },
  ]);
});

test("an interval gap, and session_window outside an aggregation gives each row its own session", async () => {
  const df = spark.createDataFrame([{ ts: t("2024-01-01 10:00:00") }, { ts: t("2024-01-01 10:01:00") }], "ts TIMESTAMP");
  const rows = await df.select(col("ts"), session_window(col("ts"), F.expr("INTERVAL 2 MINUTES"))).orderBy("ts").collect();
  assert.deepEqual(rows, [
    { ts: t("2024-01-01 10:00:00"), session_window: { start: t("2024-01-01 10:00:00"), end: t("2024-01-01 10:02:00") } },
    { ts: t("2024-01-01 10:01:00"), session_window: { start: t("2024-01-01 10:01:00"), end: t("2024-01-01 10:03:00") } },
  ]);
});

test("an invalid static gap and a non-timestamp column are analysis errors; session_window and window together are refused", () => {
  const df = spark.createDataFrame([{ ts: t("2024-01-01 10:00:00"), n: 1 }], "ts TIMESTAMP, n INT");
  assert.throws(() => df.groupBy(session_window(col("ts"), "ten minutes")).count(), /not a valid interval/);
  assert.throws(() => df.groupBy(session_window(col("n"), "1 minute")).count(), /TIMESTAMP/);
  assert.throws(() => df.groupBy(session_window(col("ts"), "1 minute"), window(col("ts"), "1 minute")).count(), /Multiple time\/session window/);
});

test("window_time is the window end minus one microsecond (Spark's SQL reference example)", async () => {
  const rows = await sql(`SELECT a, window.start AS start, window.end AS \`end\`, window_time(window), cnt FROM (
      SELECT a, window, count(*) AS cnt
      FROM VALUES ('A1', TIMESTAMP '2021-01-01 00:00:00'), ('A1', TIMESTAMP '2021-01-01 00:04:30'), ('A1', TIMESTAMP '2021-01-01 00:06:00'), ('A2', TIMESTAMP '2021-01-01 00:01:00') AS tab(a, b)
      GROUP BY a, window(b, '5 minutes')) ORDER BY a, start`);
  assert.deepEqual(rows, [
    { a: "A1", start: t("2021-01-01 00:00:00"), end: t("2021-01-01 00:05:00"), "window_time(window)": t("2021-01-01 00:04:59.999"), cnt: 2 },
    { a: "A1", start: t("2021-01-01 00:05:00"), end: t("2021-01-01 00:10:00"), "window_time(window)": t("2021-01-01 00:09:59.999"), cnt: 1 },
    { a: "A2", start: t("2021-01-01 00:00:00"), end: t("2021-01-01 00:05:00"), "window_time(window)": t("2021-01-01 00:04:59.999"), cnt: 1 },
  ]);
});

test("window_time over a session window, through the DataFrame builder; a non-window argument is refused", async () => {
  const rows = await events.groupBy(session_window(col("ts"), "10 minutes").alias("w"), col("user")).count()
    .select(col("user"), window_time(col("w")).alias("wt"), col("count")).orderBy("user", "wt").collect();
  assert.equal(rows.length, 3);
  assert.deepEqual(rows[0], { user: "u1", wt: t("2024-01-01 10:18:59.999"), count: 3 });
  await assert.rejects(async () => events.select(window_time(col("ts"))).collect(), /window_time needs a window column/);
});

test("window_time keeps microsecond precision", async () => {
  const rows = await sql(`SELECT CAST(window_time(session_window) AS STRING) AS wt
    FROM VALUES (TIMESTAMP '2021-01-01 00:00:00') AS tab(b) GROUP BY session_window(b, '5 minutes')`);
  assert.deepEqual(rows, [{ wt: "2021-01-01 00:04:59.999999" }]);
});

test("Nexmark q11: session_window agrees with sessions computed by lag and a running sum", async () => {
  let seed = 7;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const bids = Array.from({ length: 300 }, () => ({ bidder: rnd(5), dateTime: new Date(Date.UTC(2024, 0, 1) + rnd(600) * 1000) }));
  spark.createDataFrame(bids, "bidder INT, dateTime TIMESTAMP").createOrReplaceTempView("sw_bid");
  const viaSession = await sql(`SELECT bidder, count(*) AS bid_count, session_window.start AS starttime, session_window.end AS endtime
    FROM sw_bid GROUP BY bidder, session_window(dateTime, '10 seconds') ORDER BY bidder, starttime`);
  const viaLag = await sql(`SELECT bidder, count(*) AS bid_count, min(dateTime) AS starttime, max(dateTime) + INTERVAL '10' SECOND AS endtime FROM (
      SELECT bidder, dateTime, sum(newSession) OVER (PARTITION BY bidder ORDER BY dateTime ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS session FROM (
        SELECT bidder, dateTime, CASE WHEN lag(dateTime) OVER (PARTITION BY bidder ORDER BY dateTime) IS NULL
          OR lag(dateTime) OVER (PARTITION BY bidder ORDER BY dateTime) < dateTime - INTERVAL '10' SECOND THEN 1 ELSE 0 END AS newSession
        FROM sw_bid))
    GROUP BY bidder, session ORDER BY bidder, starttime`);
  assert.ok(viaSession.length > 5);
  assert.deepEqual(viaSession, viaLag);
});
