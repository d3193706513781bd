import { DoubleType, LongType } from "../../types/data-type.js";
import type { Accumulator, AggregateFunctionDef } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { castToDouble, checkArgCount } from "./agg-args.js";
import { decodeDouble, encodeDouble } from "./value-codec.js";

/**
 * Co-moments of pairs (x, y), both non-null: count, means, the co-moment C = Σ(x-x̄)(y-ȳ) and
 * the second moments Mx, My, updated online and merged pairwise (Chan et al.), as Spark's
 * covariance and correlation aggregates keep them.
 */
export interface CoMomentsBuffer { n: number; xAvg: number; yAvg: number; ck: number; xMk: number; yMk: number }

export function coMomentsUpdate(b: CoMomentsBuffer, x: number, y: number): CoMomentsBuffer {
  const n = b.n + 1;
  const dx = x - b.xAvg;
  const dy = y - b.yAvg;
  b.xAvg += dx / n;
  b.yAvg += dy / n;
  b.ck += dx * (y - b.yAvg);
  b.xMk += dx * (x - b.xAvg);
  b.yMk += dy * (y - b.yAvg);
  b.n = n;
  return b;
}

export function coMomentsMerge(a: CoMomentsBuffer, b: CoMomentsBuffer): CoMomentsBuffer {
  if (b.n === 0) return a;
  if (a.n === 0) {
    Object.assign(a, b);
    return a;
  }
  const n = a.n + b.n;
  const dx = b.xAvg - a.xAvg;
  const dy = b.yAvg - a.yAvg;
  const f = (a.n * b.n) / n;
  a.ck += b.ck + dx * dy * f;
  a.xMk += b.xMk + dx * dx * f;
  a.yMk += b.yMk + dy * dy * f;
  a.xAvg += (dx * b.n) / n;
  a.yAvg += (dy * b.n) / n;
  a.n = n;
  return a;
}

type Finish = (b: CoMomentsBuffer) => number | null;

/** With spark.sql.legacy.statisticalAggregate=false: null over no rows and where Spark divides by zero. */
const slope: Finish = (b) => (b.n === 0 || b.xMk === 0 ? null : b.ck / b.xMk);

const finishers: Record<string, { finish: Finish; doc: string; long?: boolean; args: "xy" | "yx" }> = {
  covar_pop: { finish: (b) => (b.n === 0 ? null : b.ck / b.n), doc: "covar_pop(x, y) returns the population covariance.", args: "xy" },
  covar_samp: { finish: (b) => (b.n <= 1 ? null : b.ck / (b.n - 1)), doc: "covar_samp(x, y) returns the sample covariance.", args: "xy" },
  corr: {
    finish: (b) => {
      if (b.n <= 1) return null;
      const d = Math.sqrt(b.xMk * b.yMk);
      return d === 0 ? null : b.ck / d;
    },
    doc: "corr(x, y) returns the Pearson correlation coefficient.",
    args: "xy",
  },
  regr_count: { finish: (b) => b.n, doc: "regr_count(y, x) counts the rows where both are non-null (BIGINT).", long: true, args: "yx" },
  regr_avgx: { finish: (b) => (b.n === 0 ? null : b.xAvg), doc: "regr_avgx(y, x) returns the mean of x over rows where both are non-null.", args: "yx" },
  regr_avgy: { finish: (b) => (b.n === 0 ? null : b.yAvg), doc: "regr_avgy(y, x) returns the mean of y over rows where both are non-null.", args: "yx" },
  regr_sxx: { finish: (b) => (b.n === 0 ? null : b.xMk), doc: "regr_sxx(y, x) returns Σ(x - avg(x))².", args: "yx" },
  regr_syy: { finish: (b) => (b.n === 0 ? null : b.yMk), doc: "regr_syy(y, x) returns Σ(y - avg(y))².", args: "yx" },
  regr_sxy: { finish: (b) => (b.n === 0 ? null : b.ck), doc: "regr_sxy(y, x) returns Σ(x - avg(x))(y - avg(y)).", args: "yx" },
  regr_slope: { finish: slope, doc: "regr_slope(y, x) returns the slope of the least-squares line.", args: "yx" },
  regr_intercept: {
    finish: (b) => {
      const s = slope(b);
      return s === null ? null : b.yAvg - s * b.xAvg;
    },
    doc: "regr_intercept(y, x) returns the intercept of the least-squares line.",
    args: "yx",
  },
  regr_r2: {
    finish: (b) => {
      if (b.n === 0 || b.xMk === 0) return null;
      if (b.yMk === 0) return 1;
      return (b.ck * b.ck) / (b.xMk * b.yMk);
    },
    doc: "regr_r2(y, x) returns the coefficient of determination.",
    args: "yx",
  },
};

function coDef(name: string): AggregateFunctionDef {
  const spec = finishers[name]!;
  // The buffer always holds (x, y); regr_* functions take (y, x).
  const swap = spec.args === "yx";
  const acc: Accumulator<CoMomentsBuffer> = {
    init: () => ({ n: 0, xAvg: 0, yAvg: 0, ck: 0, xMk: 0, yMk: 0 }),
    update: swap ? (buf, y: number, x: number) => coMomentsUpdate(buf, x, y) : (buf, x: number, y: number) => coMomentsUpdate(buf, x, y),
    merge: coMomentsMerge,
    finish: spec.finish,
    serialize: (b) => [b.n, ...[b.xAvg, b.yAvg, b.ck, b.xMk, b.yMk].map(encodeDouble)],
    deserialize(j) {
      const a = j as unknown[];
      const d = (i: number): number => decodeDouble(a[i]);
      return { n: a[0] as number, xAvg: d(1), yAvg: d(2), ck: d(3), xMk: d(4), yMk: d(5) };
    },
  };
  return {
    type: "aggregate",
    name,
    minArgs: 2,
    maxArgs: 2,
    resolve(args) {
      checkArgCount(name, args, 2, 2);
      return {
        inputTypes: [castToDouble(name, args, 0), castToDouble(name, args, 1)],
        dataType: spec.long ? LongType : DoubleType,
        ...(spec.long ? { nullable: false } : {}),
      };
    },
    compile: () => acc as Accumulator,
    doc: spec.doc,
  };
}

export const covarPop = coDef("covar_pop");
export const covarSamp = coDef("covar_samp");
export const corr = coDef("corr");
export const regrFunctions = ["regr_count", "regr_avgx", "regr_avgy", "regr_sxx", "regr_syy", "regr_sxy", "regr_slope", "regr_intercept", "regr_r2"].map(coDef);

registerFunctions([covarPop, covarSamp, corr, ...regrFunctions]);
