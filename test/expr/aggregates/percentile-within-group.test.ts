import assert from "node:assert/strict";
import { test } from "node:test";
import { Session } from "../../../src/index.js";

// Spark's group-by.sql view `aggr` and its expected results (group-by.sql.out).
const spark = Session.builder().create();
spark.sql("CREATE OR REPLACE TEMPORARY VIEW aggr AS SELECT * FROM VALUES (0, 0), (0, 10), (0, 20), (0, 30), (0, 40), (1, 10), (1, 20), (2, 10), (2, 20), (2, 25), (2, 30), (3, 60), (4, null) AS aggr(k, v)");
const values = async (q: string): Promise<unknown[][]> => (await spark.sql(q).collect()).map((r) => Object.values(r));

test("percentile_cont(p) WITHIN GROUP (ORDER BY v [DESC])", async () => {
  assert.deepEqual(await values("SELECT percentile_cont(0.25) WITHIN GROUP (ORDER BY v), percentile_cont(0.25) WITHIN GROUP (ORDER BY v DESC) FROM aggr"), [[10, 30]]);
  assert.deepEqual(
    await values("SELECT k, percentile_cont(0.25) WITHIN GROUP (ORDER BY v), percentile_cont(0.25) WITHIN GROUP (ORDER BY v DESC) FROM aggr GROUP BY k ORDER BY k"),
    [[0, 10, 30], [1, 12.5, 17.5], [2, 17.5, 26.25], [3, 60, 60], [4, null, null]],
  );
  assert.deepEqual(await values("SELECT percentile_cont(0.25) WITHIN GROUP (ORDER BY col) FROM VALUES (0), (10) AS tab(col)"), [[2.5]]);
});

test("percentile_disc(p) WITHIN GROUP (ORDER BY v [DESC]): the first value whose cumulative share reaches p", async () => {
  assert.deepEqual(await values("SELECT percentile_disc(0.25) WITHIN GROUP (ORDER BY v), percentile_disc(0.25) WITHIN GROUP (ORDER BY v DESC) FROM aggr"), [[10, 30]]);
  assert.deepEqual(
    await values("SELECT k, percentile_disc(0.25) WITHIN GROUP (ORDER BY v), percentile_disc(0.25) WITHIN GROUP (ORDER BY v DESC) FROM aggr GROUP BY k ORDER BY k"),
    [[0, 10, 30], [1, 10, 20], [2, 10, 30], [3, 60, 60], [4, null, null]],
  );
  assert.deepEqual(await values("SELECT percentile_disc(0.25) WITHIN GROUP (ORDER BY col) FROM VALUES (0), (10) AS tab(col)"), [[0]]);
  // 4 rows, p = 0.3: cume_dist 0.25 < 0.3 ≤ 0.5 → the second value (the legacy calculation gave the first).
  assert.deepEqual(await values("SELECT percentile_disc(0.3) WITHIN GROUP (ORDER BY col) FROM VALUES (1), (2), (3), (4) AS tab(col)"), [[2]]);
});

test("mode() WITHIN GROUP (ORDER BY v); other functions are refused", async () => {
  assert.deepEqual(await values("SELECT mode() WITHIN GROUP (ORDER BY v) FROM aggr"), [[10]]);
  assert.throws(() => spark.sql("SELECT sum(1) WITHIN GROUP (ORDER BY v) FROM aggr"), /WITHIN GROUP/);
});
