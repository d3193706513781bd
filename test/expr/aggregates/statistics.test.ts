import { test } from "node:test";
import assert from "node:assert/strict";
import { DoubleType, IntegerType, LongType, StringType } from "../../../src/types/data-type.js";
import { col, compileAgg, runAgg } from "./agg-harness.js";

const close = (actual: unknown, expected: number, tol = 1e-12): void => {
  assert.equal(typeof actual, "number", `expected a number, got ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - expected) <= tol * Math.max(1, Math.abs(expected)), `${String(actual)} ≉ ${expected}`);
};
const d = (...xs: (number | null)[]): (number | null)[][] => xs.map((x) => [x]);

void test("standard deviation and variance: Spark's documented examples", () => {
  close(runAgg("stddev", [col(DoubleType)], d(1, 2, 3)), 1.0);
  close(runAgg("std", [col(DoubleType)], d(1, 2, 3)), 1.0);
  close(runAgg("stddev_samp", [col(DoubleType)], d(1, 2, 3)), 1.0);
  close(runAgg("stddev_pop", [col(DoubleType)], d(1, 2, 3)), 0.816496580927726);
  close(runAgg("variance", [col(DoubleType)], d(1, 2, 3)), 1.0);
  close(runAgg("var_samp", [col(DoubleType)], d(1, 2, 3)), 1.0);
  close(runAgg("var_pop", [col(DoubleType)], d(1, 2, 3)), 0.6666666666666666);
  assert.deepEqual(compileAgg("stddev", [col(IntegerType)]).sig.inputTypes, [DoubleType]);
  assert.deepEqual(compileAgg("variance", [col(StringType)]).sig.dataType, DoubleType);
});

void test("sample statistics of one row and any statistic of no rows are null (legacy.statisticalAggregate=false)", () => {
  assert.equal(runAgg("stddev_samp", [col(DoubleType)], d(5)), null);
  assert.equal(runAgg("var_samp", [col(DoubleType)], d(5, null)), null);
  assert.equal(runAgg("stddev_pop", [col(DoubleType)], d(5)), 0);
  assert.equal(runAgg("var_pop", [col(DoubleType)], [] as number[][]), null);
  assert.equal(runAgg("skewness", [col(DoubleType)], d(3, 3, 3)), null);
  assert.equal(runAgg("kurtosis", [col(DoubleType)], d(3)), null);
  assert.equal(runAgg("covar_samp", [col(DoubleType), col(DoubleType)], [[1, 2]]), null);
  assert.equal(runAgg("corr", [col(DoubleType), col(DoubleType)], [[1, 2]]), null);
  assert.equal(runAgg("corr", [col(DoubleType), col(DoubleType)], [[1, 2], [1, 3]]), null);
});

void test("skewness and kurtosis: Spark's documented examples", () => {
  close(runAgg("skewness", [col(DoubleType)], d(-10, -20, 100, 1000)), 1.1135657469022011);
  close(runAgg("skewness", [col(DoubleType)], d(-1000, -100, 10, 20)), -1.1135657469022011);
  close(runAgg("kurtosis", [col(DoubleType)], d(-10, -20, 100, 1000)), -0.7014368047529627);
  close(runAgg("kurtosis", [col(DoubleType)], d(1, 10, 100, 10, 1)), 0.19432323191699075);
});

void test("covariance and correlation: Spark's documented examples; rows with a null are skipped", () => {
  const diag = [[1, 1], [2, 2], [3, 3], [null, 1], [1, null]];
  close(runAgg("covar_pop", [col(DoubleType), col(DoubleType)], diag), 0.6666666666666666);
  close(runAgg("covar_samp", [col(DoubleType), col(DoubleType)], diag), 1.0);
  close(runAgg("corr", [col(DoubleType), col(DoubleType)], [[3, 2], [3, 3], [6, 4], [null, 1]]), 0.8660254037844387);
});

void test("regr_* take (y, x) and agree with the closed forms", () => {
  const rows = [[1, 2], [2, 2], [2, 3], [2, 4], [null, 5], [4, null]];
  const two = [col(DoubleType), col(DoubleType)];
  assert.equal(runAgg("regr_count", two, rows), 4);
  assert.deepEqual(compileAgg("regr_count", two).sig.dataType, LongType);
  close(runAgg("regr_avgx", two, rows), 2.75);
  close(runAgg("regr_avgy", two, rows), 1.75);
  close(runAgg("regr_sxx", two, rows), 2.75);
  close(runAgg("regr_syy", two, rows), 0.75);
  close(runAgg("regr_sxy", two, rows), 0.75);
  close(runAgg("regr_slope", two, rows), 0.75 / 2.75);
  close(runAgg("regr_intercept", two, rows), 1.75 - (0.75 / 2.75) * 2.75);
  close(runAgg("regr_r2", two, rows), (0.75 * 0.75) / (2.75 * 0.75));
  assert.equal(runAgg("regr_slope", two, [[1, 1], [2, 1]]), null);
});

void test("moments stay accurate with a large offset (numerical stability)", () => {
  const rows = d(1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16);
  close(runAgg("var_samp", [col(DoubleType)], rows), 30, 1e-9);
  close(runAgg("skewness", [col(DoubleType)], rows), 0, 1e-6);
});
