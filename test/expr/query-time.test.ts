import assert from "node:assert/strict";
import { test } from "node:test";
import { Session } from "../../src/api/session.js";
import { col, current_date, current_timestamp, expr, lit } from "../../src/api/functions.js";
import type { Expr } from "../../src/expr/expression.js";
import { readsQueryTime, sameFunctionContext } from "../../src/expr/query-time.js";

const spark = Session.builder().getOrCreate();

/** The analyzed expressions of a projection of spark.range. */
function projected(...cols: Parameters<ReturnType<typeof spark.range>["select"]>): readonly Expr[] {
  const p = spark.range(1).select(...cols).plan;
  assert.equal(p.kind, "Project");
  return p.kind === "Project" ? p.projectList : [];
}

void test("an expression reads the query's time when it calls current_timestamp(), current_date() or unix_timestamp() without arguments", () => {
  assert.ok(readsQueryTime(projected(current_timestamp().alias("t"))));
  assert.ok(readsQueryTime(projected(current_date().alias("d"))));
  assert.ok(readsQueryTime(projected(expr("id + unix_timestamp()").alias("x"))));
  assert.ok(readsQueryTime([null, ...projected(col("id"), expr("now()").alias("n"))]));
  assert.ok(!readsQueryTime(projected(col("id"), lit(1).alias("one"), expr("unix_timestamp(timestamp '2020-01-01 00:00:00')").alias("u"))));
  assert.ok(!readsQueryTime([null]));
});

void test("code compiled for one function context serves another with the same time zone and ANSI mode, and the same time when it reads it", () => {
  const a = { timeZone: "UTC", ansi: false, currentTimestampMicros: 1 };
  assert.ok(sameFunctionContext(a, { ...a, currentTimestampMicros: 2 }, false));
  assert.ok(!sameFunctionContext(a, { ...a, currentTimestampMicros: 2 }, true));
  assert.ok(sameFunctionContext(a, { ...a }, true));
  assert.ok(!sameFunctionContext(a, { ...a, timeZone: "Europe/Paris" }, false));
  assert.ok(!sameFunctionContext(a, { ...a, ansi: true }, false));
});
