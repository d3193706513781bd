import assert from "node:assert/strict";
import { test } from "node:test";
import { Session } from "../../../src/index.js";
import { histogramNumeric } from "../../../src/expr/aggregates/histogram-numeric.js";
import type { Accumulator } from "../../../src/expr/function-def.js";
import { IntegerType } from "../../../src/types/data-type.js";

const spark = Session.builder().config("sluice.sql.session.timeZone", "UTC").create();
const bins = (v: unknown): [unknown, number][] => (v as { x: unknown; y: number }[]).map((b) => [b.x, b.y]);
const fifty = "FROM VALUES " + [...Array(50).keys()].map((i) => `(${i === 35 ? 3 : i + 1})`).join(", ") + " AS tab(col)";

function accumulatorFor(nb: number): Accumulator {
  const sig = histogramNumeric.resolve([{ dataType: IntegerType, nullable: true, foldable: false }, { dataType: IntegerType, nullable: false, foldable: true, value: nb }], { timeZone: "UTC", ansi: false });
  return histogramNumeric.compile({ inputTypes: [IntegerType, IntegerType], argTypes: [IntegerType, IntegerType], dataType: sig.dataType, state: sig.state }, { timeZone: "UTC", ansi: false } as never);
}

/** Spark's way: a partial buffer per partition, serialized, merged into a fresh final buffer. */
function histogramOf(values: readonly number[], nb: number, partitions: number): unknown {
  const acc = accumulatorFor(nb);
  let final = acc.init();
  for (let p = 0; p < partitions; p++) {
    let buf = acc.init();
    for (const v of values.slice(Math.floor((p * values.length) / partitions), Math.floor(((p + 1) * values.length) / partitions))) buf = acc.update(buf, ...([v] as never[]));
    final = acc.merge(final, acc.deserialize(JSON.parse(JSON.stringify(acc.serialize(buf)))));
  }
  return acc.finish(final);
}

const fiftyValues = [...Array(50).keys()].map((i) => (i === 35 ? 3 : i + 1));

test("histogram_numeric: Spark's group-by.sql expected output (50 ints in 2 partitions, as local[2] runs it; ties broken by Random(31183))", () => {
  assert.deepEqual(histogramOf(fiftyValues, 2, 2), [[12, 26], [38, 24]]);
  assert.deepEqual(histogramOf(fiftyValues, 3, 2), [[9, 20], [25, 11], [40, 19]]);
  assert.deepEqual(histogramOf(fiftyValues, 5, 2), [[5, 11], [14, 8], [22, 7], [30, 10], [43, 14]]);
  assert.deepEqual(histogramOf(fiftyValues, 10, 2), [[3, 6], [8, 6], [13, 4], [17, 3], [20, 4], [25, 6], [31, 7], [39, 5], [43, 4], [48, 5]]);
});

test("histogram_numeric in SQL: array<struct<x: int, y: double>>, one partition = one buffer", async () => {
  const df = spark.sql(`SELECT histogram_numeric(col, 2) AS h2, histogram_numeric(col, 10) AS h10 ${fifty}`);
  assert.deepEqual(df.dtypes.map((d) => d[1]), Array(2).fill("array<struct<x:int,y:double>>"));
  const [r] = await df.collect();
  assert.deepEqual(bins(r!.h2), histogramOf(fiftyValues, 2, 1));
  assert.deepEqual(bins(r!.h10), histogramOf(fiftyValues, 10, 1));
  assert.equal(bins(r!.h10).reduce((s, [, y]) => s + y, 0), 50);
});

test("histogram_numeric: x keeps the input type; all-null input gives NULL", async () => {
  const types = spark.sql("SELECT histogram_numeric(a, 3), histogram_numeric(b, 3), histogram_numeric(c, 3), histogram_numeric(d, 3), histogram_numeric(NULL, 3) FROM VALUES (1L, 1F, 1S, TIMESTAMP'2017-03-01 00:00:00') AS t(a, b, c, d)").dtypes.map((d) => d[1]);
  assert.deepEqual(types, ["array<struct<x:bigint,y:double>>", "array<struct<x:float,y:double>>", "array<struct<x:smallint,y:double>>", "array<struct<x:timestamp,y:double>>", "array<struct<x:double,y:double>>"]);
  const [r] = await spark.sql("SELECT histogram_numeric(col, 5) AS h FROM VALUES (0), (1), (2), (10) AS tab(col)").collect();
  assert.deepEqual(bins(r!.h), [[0, 1], [1, 1], [2, 1], [10, 1]]);
  const [ts] = await spark.sql("SELECT histogram_numeric(col, 3) AS h FROM VALUES (TIMESTAMP '2017-03-01 00:00:00'), (TIMESTAMP '2017-04-01 00:00:00'), (TIMESTAMP '2017-05-01 00:00:00') AS tab(col)").collect();
  assert.deepEqual(bins(ts!.h).map(([x]) => (x as Date).toISOString()), ["2017-03-01T00:00:00.000Z", "2017-04-01T00:00:00.000Z", "2017-05-01T00:00:00.000Z"]);
  assert.deepEqual(await spark.sql("SELECT histogram_numeric(CAST(col AS INT), 3) AS h FROM VALUES (NULL), (NULL) AS tab(col)").collect(), [{ h: null }]);
});

test("histogram_numeric: nb must be a constant of at least 2", () => {
  assert.throws(() => spark.sql("SELECT histogram_numeric(col, 1) FROM VALUES (1) AS t(col)"), /\[2, 2147483647\]/);
  assert.throws(() => spark.sql("SELECT histogram_numeric(col, col) FROM VALUES (1) AS t(col)"), /constant/);
});

test("histogram_numeric: merging partial buffers (and a JSON round trip) keeps every row counted", () => {
  const acc = accumulatorFor(4);
  let a = acc.init(), b = acc.init();
  for (let i = 0; i < 100; i++) a = acc.update(a, ...([(i * 7) % 31] as never[]));
  for (let i = 0; i < 60; i++) b = acc.update(b, ...([100 + i] as never[]));
  const merged = acc.merge(acc.deserialize(JSON.parse(JSON.stringify(acc.serialize(a)))), b);
  const out = acc.finish(merged) as [number, number][];
  assert.equal(out.length, 4);
  assert.equal(out.reduce((s, [, y]) => s + y, 0), 160);
  assert.deepEqual(out.map(([x]) => x), [...out.map(([x]) => x)].sort((p, q) => p - q));
});
