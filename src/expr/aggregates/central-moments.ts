import { DoubleType } from "../../types/data-type.js";
import type { Accumulator, AggregateFunctionDef } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { castToDouble, checkArgCount } from "./agg-args.js";
import { decodeDouble, encodeDouble } from "./value-codec.js";

/**
 * Count, mean and the sums of powers of deviations from the mean (M2, M3, M4), updated one
 * value at a time (Welford; Pébay's higher-order updates) and merged with the pairwise formulas
 * of Chan, Golub and LeVeque / Pébay. Numerically stable; merge is associative and commutative
 * up to floating-point rounding.
 */
export interface MomentsBuffer { n: number; mean: number; m2: number; m3: number; m4: number }

export function momentsUpdate(b: MomentsBuffer, x: number, order: 2 | 4): MomentsBuffer {
  const n1 = b.n;
  const n = n1 + 1;
  const delta = x - b.mean;
  const deltaN = delta / n;
  const term1 = delta * deltaN * n1;
  b.mean += deltaN;
  if (order === 4) {
    const deltaN2 = deltaN * deltaN;
    b.m4 += term1 * deltaN2 * (n * n - 3 * n + 3) + 6 * deltaN2 * b.m2 - 4 * deltaN * b.m3;
    b.m3 += term1 * deltaN * (n - 2) - 3 * deltaN * b.m2;
  }
  b.m2 += term1;
  b.n = n;
  return b;
}

export function momentsMerge(a: MomentsBuffer, b: MomentsBuffer, order: 2 | 4): MomentsBuffer {
  if (b.n === 0) return a;
  if (a.n === 0) {
    a.n = b.n; a.mean = b.mean; a.m2 = b.m2; a.m3 = b.m3; a.m4 = b.m4;
    return a;
  }
  const na = a.n, nb = b.n, n = na + nb;
  const delta = b.mean - a.mean;
  const deltaN = delta / n;
  const m2 = a.m2 + b.m2 + delta * deltaN * na * nb;
  if (order === 4) {
    const deltaN2 = deltaN * deltaN;
    a.m4 = a.m4 + b.m4
      + deltaN2 * deltaN * delta * na * nb * (na * na - na * nb + nb * nb)
      + 6 * deltaN2 * (na * na * b.m2 + nb * nb * a.m2)
      + 4 * deltaN * (na * b.m3 - nb * a.m3);
    a.m3 = a.m3 + b.m3 + deltaN2 * delta * na * nb * (na - nb) + 3 * deltaN * (na * b.m2 - nb * a.m2);
  }
  a.mean += deltaN * nb;
  a.m2 = m2;
  a.n = n;
  return a;
}

function momentsAccumulator(order: 2 | 4, finish: (b: MomentsBuffer) => number | null): Accumulator<MomentsBuffer> {
  return {
    init: () => ({ n: 0, mean: 0, m2: 0, m3: 0, m4: 0 }),
    update: (buf, x: number) => momentsUpdate(buf, x, order),
    merge: (a, b) => momentsMerge(a, b, order),
    finish,
    serialize: (b) => [b.n, encodeDouble(b.mean), encodeDouble(b.m2), encodeDouble(b.m3), encodeDouble(b.m4)],
    deserialize(j) {
      const a = j as unknown[];
      return { n: a[0] as number, mean: decodeDouble(a[1]), m2: decodeDouble(a[2]), m3: decodeDouble(a[3]), m4: decodeDouble(a[4]) };
    },
  };
}

/**
 * Results follow Spark with spark.sql.legacy.statisticalAggregate=false (the default): null
 * over no rows, null where Spark would divide by zero (a sample statistic of one row, skewness
 * or kurtosis of a constant column).
 */
const finishers: Record<string, [2 | 4, (b: MomentsBuffer) => number | null, string]> = {
  stddev_samp: [2, (b) => (b.n <= 1 ? null : Math.sqrt(b.m2 / (b.n - 1))), "sample standard deviation"],
  stddev_pop: [2, (b) => (b.n === 0 ? null : Math.sqrt(b.m2 / b.n)), "population standard deviation"],
  var_samp: [2, (b) => (b.n <= 1 ? null : b.m2 / (b.n - 1)), "sample variance"],
  var_pop: [2, (b) => (b.n === 0 ? null : b.m2 / b.n), "population variance"],
  skewness: [4, (b) => (b.n === 0 || b.m2 === 0 ? null : (Math.sqrt(b.n) * b.m3) / Math.sqrt(b.m2 * b.m2 * b.m2)), "skewness"],
  kurtosis: [4, (b) => (b.n === 0 || b.m2 === 0 ? null : (b.n * b.m4) / (b.m2 * b.m2) - 3), "excess kurtosis"],
};

const aliases: Record<string, string[]> = {
  stddev_samp: ["stddev", "std"],
  var_samp: ["variance"],
};

function momentDef(name: string): AggregateFunctionDef {
  const [order, finish, what] = finishers[name]!;
  return {
    type: "aggregate",
    name,
    aliases: aliases[name] ?? [],
    minArgs: 1,
    maxArgs: 1,
    resolve(args) {
      checkArgCount(name, args, 1, 1);
      return { inputTypes: [castToDouble(name, args, 0)], dataType: DoubleType };
    },
    compile: () => momentsAccumulator(order, finish) as Accumulator,
    doc: `${name}(expr) returns the ${what} of the non-null values (DOUBLE).`,
  };
}

export const stddevSamp = momentDef("stddev_samp");
export const stddevPop = momentDef("stddev_pop");
export const varSamp = momentDef("var_samp");
export const varPop = momentDef("var_pop");
export const skewness = momentDef("skewness");
export const kurtosis = momentDef("kurtosis");

registerFunctions([stddevSamp, stddevPop, varSamp, varPop, skewness, kurtosis]);
