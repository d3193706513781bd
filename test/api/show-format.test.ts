import assert from "node:assert/strict";
import { test } from "node:test";
import { Session } from "../../src/index.js";

const spark = Session.builder().config("sluice.sql.session.timeZone", "UTC").create();
const df = spark.createDataFrame(
  [{ s: "a very long string that exceeds twenty", n: 1, d: 1.5 }, { s: null, n: -22, d: null }, { s: "short", n: 333, d: 2.25 }],
  "s STRING, n INT, d DOUBLE",
);

test("show truncates cells to 20 characters with '...', right-aligns, and prints NULL", async () => {
  assert.equal(await df.showString(), [
    "+--------------------+---+----+",
    "|                   s|  n|   d|",
    "+--------------------+---+----+",
    "|a very long strin...|  1| 1.5|",
    "|                NULL|-22|NULL|",
    "|               short|333|2.25|",
    "+--------------------+---+----+",
    "",
  ].join("\n"));
});

test("show(n) says how many rows it shows when there are more", async () => {
  const out = await df.showString(2);
  assert.ok(out.endsWith("+--------------------+---+----+\nonly showing top 2 rows\n"), out);
  assert.equal(out.split("\n").length, 8);
  assert.ok((await df.showString(1)).endsWith("only showing top 1 row\n"));
  assert.ok(!(await df.showString(3)).includes("only showing"));
});

test("show without truncation left-aligns; a numeric truncate cuts to that width", async () => {
  assert.equal(await df.showString(20, false), [
    "+--------------------------------------+---+----+",
    "|s                                     |n  |d   |",
    "+--------------------------------------+---+----+",
    "|a very long string that exceeds twenty|1  |1.5 |",
    "|NULL                                  |-22|NULL|",
    "|short                                 |333|2.25|",
    "+--------------------------------------+---+----+",
    "",
  ].join("\n"));
  assert.ok((await df.showString(20, 5)).includes("|a ...|  1| 1.5|"));
});

test("vertical show: record headers span name and value columns", async () => {
  assert.equal(await df.showString(2, true, true), [
    "-RECORD 0-------------------",
    " s   | a very long strin... ",
    " n   | 1                    ",
    " d   | 1.5                  ",
    "-RECORD 1-------------------",
    " s   | NULL                 ",
    " n   | -22                  ",
    " d   | NULL                 ",
    "only showing top 2 rows",
    "",
  ].join("\n"));
  const small = spark.createDataFrame([{ age: 2, name: "Alice" }, { age: 5, name: "Bob" }], "age INT, name STRING");
  assert.equal(await small.showString(20, true, true), [
    "-RECORD 0-----", " age  | 2     ", " name | Alice ", "-RECORD 1-----", " age  | 5     ", " name | Bob   ", "",
  ].join("\n"));
});

test("show renders nested and special values as Spark casts them to strings", async () => {
  const out = await spark.sql("SELECT array(1, 2) AS a, map('k', 1) AS m, named_struct('x', 1, 'y', 'z') AS s, CAST(NULL AS INT) AS n, true AS b, DATE '2024-01-02' AS d, TIMESTAMP '2024-01-02 03:04:05' AS t, 1e10 AS e").showString();
  assert.equal(out.split("\n")[3], "|[1, 2]|{k -> 1}|{1, z}|NULL|true|2024-01-02|2024-01-02 03:04:05|1.0E10|");
});

test("printSchema of nested types", () => {
  const nested = spark.createDataFrame([], "a STRUCT<b: INT, c: ARRAY<STRUCT<d: STRING>>>, m MAP<STRING, ARRAY<INT>>, e ARRAY<INT> NOT NULL");
  assert.equal(nested.schemaString(), [
    "root",
    " |-- a: struct (nullable = true)",
    " |    |-- b: integer (nullable = true)",
    " |    |-- c: array (nullable = true)",
    " |    |    |-- element: struct (containsNull = true)",
    " |    |    |    |-- d: string (nullable = true)",
    " |-- m: map (nullable = true)",
    " |    |-- key: string",
    " |    |-- value: array (valueContainsNull = true)",
    " |    |    |-- element: integer (containsNull = true)",
    " |-- e: array (nullable = false)",
    " |    |-- element: integer (containsNull = true)",
    "",
  ].join("\n"));
});

test("describe() and summary() compute per-column statistics as strings", async () => {
  const people = spark.createDataFrame(
    [{ name: "Bob", age: 13, weight: 40.3 }, { name: "Alice", age: 12, weight: 37.8 }, { name: "Tom", age: 11, weight: 44.1 }],
    "name STRING, age INT, weight DOUBLE",
  );
  const desc = await people.describe().collect();
  assert.deepEqual(desc.map((r) => r.summary), ["count", "mean", "stddev", "min", "max"]);
  assert.deepEqual(desc.map((r) => r.age), ["3", "12.0", "1.0", "11", "13"]);
  assert.deepEqual(desc.map((r) => r.name), ["3", null, null, "Alice", "Tom"]);
  assert.equal(desc[1]!.weight, String((40.3 + 37.8 + 44.1) / 3));
  const summary = await people.summary().collect();
  assert.deepEqual(summary.map((r) => r.summary), ["count", "mean", "stddev", "min", "25%", "50%", "75%", "max"]);
  assert.deepEqual(summary.map((r) => r.age), ["3", "12.0", "1.0", "11", "11", "12", "13", "13"]);
  assert.deepEqual(summary.slice(4, 7).map((r) => r.weight), ["37.8", "40.3", "44.1"]);
  assert.deepEqual((await people.summary("count", "max").collect()).map((r) => r.age), ["3", "13"]);
});

test("explain extended has the four plan sections", () => {
  const text = df.groupBy("s").count().explainString("extended");
  const sections = ["== Parsed Logical Plan ==", "== Analyzed Logical Plan ==", "== Optimized Logical Plan ==", "== Physical Plan =="];
  let at = -1;
  for (const s of sections) {
    const i = text.indexOf(s);
    assert.ok(i > at, `${s} present and in order`);
    at = i;
  }
  assert.match(text, /s: string, count: bigint/);
  assert.match(text, /HashAggregate/);
  assert.ok(!df.explainString().includes("== Parsed"));
});
