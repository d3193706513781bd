import assert from "node:assert/strict";
import { test } from "node:test";
import { Session } from "../../src/index.js";

const spark = Session.builder().create();

test("stack(n, ...): Spark's documented example, n rows filled row by row, missing values null", async () => {
  const df = spark.sql("SELECT stack(2, 1, 2, 3)");
  assert.deepEqual(df.dtypes, [["col0", "int"], ["col1", "int"]]);
  assert.deepEqual(await df.collect(), [{ col0: 1, col1: 2 }, { col0: 3, col1: null }]);
});

test("stack columns take the wider type of their values and can be named with AS (a, b)", async () => {
  const df = spark.sql("SELECT stack(2, 1, 'a', 2L, null) AS (n, s)");
  assert.deepEqual(df.dtypes, [["n", "bigint"], ["s", "string"]]);
  assert.deepEqual(await df.collect(), [{ n: 1, s: "a" }, { n: 2, s: null }]);
  assert.throws(() => spark.sql("SELECT stack(x, 1, 2) FROM VALUES (1) AS t(x)"), /positive integer literal/);
});

test("LATERAL VIEW stack unpivots columns", async () => {
  const rows = await spark.sql("SELECT k, name, v FROM VALUES (1, 10, 20) AS t(k, a, b) LATERAL VIEW stack(2, 'a', a, 'b', b) u AS name, v").collect();
  assert.deepEqual(rows, [{ k: 1, name: "a", v: 10 }, { k: 1, name: "b", v: 20 }]);
});
