import assert from "node:assert/strict";
import { test } from "node:test";
import { Session } from "../../src/index.js";

const spark = Session.builder().config("sluice.sql.session.timeZone", "UTC").create();

test("window.start AS start, window.end AS end: keywords as aliases run end to end", async () => {
  spark.sql("CREATE OR REPLACE TEMP VIEW kw_events AS SELECT * FROM VALUES (TIMESTAMP'2024-01-01 00:00:10', 1), (TIMESTAMP'2024-01-01 00:01:30', 2) AS e(ts, v)");
  const df = spark.sql("SELECT window.start AS start, window.end AS end, sum(v) AS total FROM kw_events GROUP BY window(ts, '1 minute') ORDER BY start");
  assert.deepEqual(df.columns, ["start", "end", "total"]);
  const rows = await df.collect();
  assert.deepEqual(rows.map((r) => [(r.start as Date).toISOString(), (r.end as Date).toISOString(), r.total]), [
    ["2024-01-01T00:00:00.000Z", "2024-01-01T00:01:00.000Z", 1],
    ["2024-01-01T00:01:00.000Z", "2024-01-01T00:02:00.000Z", 2],
  ]);
  // The aliases can be read back by name, END included.
  df.createOrReplaceTempView("kw_windows");
  assert.deepEqual(await spark.sql("SELECT end, kw_windows.end AS e2 FROM kw_windows WHERE total = 2").count(), 1);
});
