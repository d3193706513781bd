import assert from "node:assert/strict";
import { test } from "node:test";
import { Session } from "../../src/index.js";

const spark = Session.builder().create();
spark.createDataFrame([
  { id: 1, j: '{"a": 1, "b": "x", "c": {"d": [1, 2]}}' },
  { id: 2, j: "not json" },
  { id: 3, j: null },
  { id: 4, j: '{"a": null, "a": 5}' },
  { id: 5, j: "[1, 2]" },
], "id INT, j STRING").createOrReplaceTempView("jt");

test("json_tuple: Spark's documented example", async () => {
  assert.deepEqual(await spark.sql(`SELECT json_tuple('{"a":1, "b":2}', 'a', 'b')`).collect(), [{ c0: "1", c1: "2" }]);
});

test("json_tuple in SELECT: columns c0.., strings unquoted, nested values as JSON text, one row of nulls for bad input", async () => {
  const df = spark.sql("SELECT id, json_tuple(j, 'a', 'b', 'c', 'a', 'zz') FROM jt ORDER BY id");
  assert.deepEqual(df.dtypes, [["id", "int"], ["c0", "string"], ["c1", "string"], ["c2", "string"], ["c3", "string"], ["c4", "string"]]);
  assert.deepEqual((await df.collect()).map((r) => Object.values(r)), [
    [1, "1", "x", '{"d":[1,2]}', "1", null],
    [2, null, null, null, null, null],
    [3, null, null, null, null, null],
    [4, "5", null, null, "5", null],
    [5, null, null, null, null, null],
  ]);
});

test("json_tuple ... AS (x, y) names the columns; a wrong count is an analysis error", async () => {
  assert.deepEqual(await spark.sql("SELECT json_tuple(j, 'a', 'b') AS (x, end) FROM jt WHERE id = 1").collect(), [{ x: "1", end: "x" }]);
  assert.throws(() => spark.sql("SELECT json_tuple(j, 'a', 'b') AS (x) FROM jt"), /UDTF_ALIAS_NUMBER_MISMATCH/);
  assert.throws(() => spark.sql("SELECT json_tuple(j) FROM jt"), /requires at least 2 parameters/);
});

test("LATERAL VIEW json_tuple keeps the input columns", async () => {
  const rows = await spark.sql("SELECT id, x, y FROM jt LATERAL VIEW json_tuple(j, 'a', 'c') t AS x, y WHERE id IN (1, 2) ORDER BY id").collect();
  assert.deepEqual(rows, [{ id: 1, x: "1", y: '{"d":[1,2]}' }, { id: 2, x: null, y: null }]);
});

test("functions.json_tuple in select()", async () => {
  const { functions: F, col } = await import("../../src/index.js");
  const rows = await spark.table("jt").where(col("id").equalTo(1)).select(F.json_tuple(col("j"), "b", "a")).collect();
  assert.deepEqual(rows, [{ c0: "x", c1: "1" }]);
});
