import assert from "node:assert/strict";
import { test } from "node:test";
import { Session } from "../../src/index.js";

const spark = Session.builder().config("sluice.sql.session.timeZone", "UTC").create();

test("date - date counts days as datediff does (Spark: INTERVAL DAY; here an interval of days)", async () => {
  const df = spark.sql("SELECT d1 - d2 AS diff, datediff(d1, d2) AS dd FROM VALUES (DATE'2024-03-01', DATE'2024-02-01'), (DATE'2023-01-01', DATE'2024-01-01'), (NULL, DATE'2024-01-01') AS t(d1, d2)");
  assert.deepEqual(df.dtypes, [["diff", "interval"], ["dd", "int"]]);
  const rows = await df.collect();
  assert.deepEqual(rows.map((r) => [r.diff, r.dd]), [
    [{ months: 0, days: 29, micros: 0 }, 29],
    [{ months: 0, days: -365, micros: 0 }, -365],
    [null, null],
  ]);
  assert.deepEqual(spark.sql("SELECT DATE'2024-03-01' - DATE'2024-02-01'").columns, ["(DATE '2024-03-01' - DATE '2024-02-01')"]);
});

test("timestamp - timestamp (and date - timestamp) is the exact time between them", async () => {
  const rows = await spark.sql("SELECT TIMESTAMP'2024-03-01 01:00:00.5' - TIMESTAMP'2024-02-29 00:00:00' AS a, DATE'2024-03-01' - TIMESTAMP'2024-02-29 12:00:00' AS b").collect();
  assert.deepEqual(rows, [{ a: { months: 0, days: 0, micros: 25 * 3600e6 + 5e5 }, b: { months: 0, days: 0, micros: 12 * 3600e6 } }]);
});

test("the difference can be added back: d2 + (d1 - d2) = d1", async () => {
  const rows = await spark.sql("SELECT d2 + (d1 - d2) = d1 AS same FROM VALUES (DATE'2024-03-01', DATE'2021-07-15') AS t(d1, d2)").collect();
  assert.deepEqual(rows, [{ same: true }]);
});
