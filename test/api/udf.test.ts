import assert from "node:assert/strict";
import { test } from "node:test";
import { ExecutionError, Session, col, udaf, udf } from "../../src/index.js";

const spark = Session.builder().create();
const df = spark.createDataFrame(
  [{ id: 1, title: "Hello World", ts: new Date("2026-03-01T10:00:00Z"), x: 2 }, { id: 2, title: null, ts: null, x: 8 }],
  "id INT, title STRING, ts TIMESTAMP, x DOUBLE",
);

test("a udf sees row values (Date, null) and its result is typed by returnType", async () => {
  const slug = udf((s: string | null) => (s === null ? null : s.toLowerCase().replace(/\W+/g, "-")), "string");
  const hourOf = udf((d: Date | null) => (d === null ? -1 : d.getUTCHours()), "int");
  const rows = await df.select(col("id"), slug(col("title")).alias("slug"), hourOf("ts").alias("h")).orderBy("id").collect();
  assert.deepEqual(rows, [{ id: 1, slug: "hello-world", h: 10 }, { id: 2, slug: null, h: -1 }]);
  assert.deepEqual(df.select(hourOf("ts").alias("h")).dtypes, [["h", "int"]]);
});

test("spark.udf.register makes a function callable from SQL", async () => {
  spark.udf.register("twice", (v: number) => v * 2, "double");
  df.createOrReplaceTempView("udf_t");
  const rows = await spark.sql("SELECT id, twice(x) AS y FROM udf_t ORDER BY id").collect();
  assert.deepEqual(rows, [{ id: 1, y: 4 }, { id: 2, y: 16 }]);
});

test("a throwing udf fails the query with FAILED_EXECUTE_UDF and the cause", async () => {
  const boom = udf((_: number) => {
    throw new Error("bad input");
  }, "int", { name: "boom" });
  await assert.rejects(df.select(boom("x")).collect(), (e: unknown) => e instanceof ExecutionError && e.errorClass === "FAILED_EXECUTE_UDF" && /boom.*bad input/.test(e.message));
});

test("a udf returning the wrong type is reported, not silently stored", async () => {
  const wrong = udf((_: number) => "not a number", "int", { name: "wrong" });
  await assert.rejects(df.select(wrong("x")).collect(), /wrong/);
});

test("udfs of one, two and three arguments: nulls passed in, failures and wrong results reported once, naming the udf", async () => {
  // One or two number/string arguments take a path without per-row conversion (udf.ts).
  const describe = (e: unknown): string => (e instanceof ExecutionError ? `${e.errorClass}: ${e.message}` : String(e));
  const join2 = udf((a: string | null, b: number | null) => `${a}/${b}`, "string");
  const join3 = udf((a: string | null, b: number | null, c: Date | null) => `${a}/${b}/${c?.toISOString() ?? null}`, "string");
  const rows = await df.select(col("id"), join2(col("title"), col("x")).alias("two"), join3(col("title"), col("x"), col("ts")).alias("three")).orderBy("id").collect();
  assert.deepEqual(rows, [
    { id: 1, two: "Hello World/2", three: "Hello World/2/2026-03-01T10:00:00.000Z" },
    { id: 2, two: "null/8", three: "null/8/null" },
  ]);
  const fails2 = udf((_a: number, _b: number) => { throw new Error("two went wrong"); }, "int", { name: "fails2" });
  const big = udf((a: number) => a * 2 ** 40, "int", { name: "big" });
  for (const [bad, pattern] of [[fails2(col("x"), col("id")), /^FAILED_EXECUTE_UDF: \[FAILED_EXECUTE_UDF\] User defined function \(fails2\) failed: two went wrong$/], [big(col("x")), /^FAILED_EXECUTE_UDF: .*\(big\) failed: .*the result of big does not fit its type int/]] as const) {
    await assert.rejects(df.select(bad).collect(), (e: unknown) => {
      assert.match(describe(e), pattern);
      assert.equal(describe(e).match(/FAILED_EXECUTE_UDF\]/g)?.length, 1, "wrapped once");
      return true;
    });
  }
});

test("a udaf aggregates per group and merges like a built-in", async () => {
  const geoMean = udaf(
    {
      zero: () => ({ s: 0, n: 0 }),
      reduce: (b: { s: number; n: number }, x: number) => ({ s: b.s + Math.log(x), n: b.n + 1 }),
      merge: (a, b) => ({ s: a.s + b.s, n: a.n + b.n }),
      finish: (b) => (b.n === 0 ? null : Math.exp(b.s / b.n)),
    },
    "double",
  );
  const [row] = await df.agg(geoMean(col("x")).alias("g")).collect();
  assert.ok(Math.abs((row!["g"] as number) - 4) < 1e-12);
  const empty = await df.filter("x > 100").agg(geoMean("x").alias("g")).collect();
  assert.deepEqual(empty, [{ g: null }]);
});
