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
