import {
  type DecimalType,
  DoubleType,
  MAX_DECIMAL_PRECISION,
  decimalType,
  isIntegral,
} from "../../types/data-type.js";
import { type Long, exactAdd, normalizeLong } from "../../types/long.js";
import type { Accumulator, AggregateFunctionDef, ArgInfo, BoundSignature, Signature } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { checkArgCount, numericOrCastToDouble } from "./agg-args.js";
import { decodeDouble, decodeLong, encodeDouble, encodeLong } from "./value-codec.js";

/** avg's buffer: running sum (double, or exact unscaled decimal) and count of non-null values. */
export interface AvgBuffer<T> { s: T; n: number }

/**
 * avg's types, as Spark: decimal(p,s) → decimal(min(38,p+4), min(38,s+4)); everything else →
 * DOUBLE. Integers are averaged as they are (no cast, as Spark shows `avg(x)`), by their exact
 * sum: Spark sums them as doubles, which is the same number until the sum passes 2^53, and beyond
 * that depends on the order of the rows; an exact sum gives every run, on any number of threads,
 * one answer (and lets a parallel aggregation merge partial sums: partial-aggregation.ts).
 */
export function avgSignature(fn: string, args: readonly ArgInfo[]): Signature {
  checkArgCount(fn, args, 1, 1);
  const t = numericOrCastToDouble(fn, args, 0);
  if (t.kind === "decimal") {
    return { inputTypes: [t], dataType: decimalType(Math.min(MAX_DECIMAL_PRECISION, t.precision + 4), Math.min(MAX_DECIMAL_PRECISION, t.scale + 4)) };
  }
  return { inputTypes: [isIntegral(t) ? t : DoubleType], dataType: DoubleType };
}

/** Floats, doubles and strings cast to double: summed as doubles, as Spark sums them. */
export const doubleAvgAccumulator: Accumulator<AvgBuffer<number>> = {
  init: () => ({ s: 0, n: 0 }),
  update(buf, v: number) {
    buf.s += v;
    buf.n++;
    return buf;
  },
  merge(a, b) {
    a.s += b.s;
    a.n += b.n;
    return a;
  },
  finish: (buf) => (buf.n === 0 ? null : buf.s / buf.n),
  serialize: (buf) => [encodeDouble(buf.s), buf.n],
  deserialize(j) {
    const [s, n] = j as [unknown, number];
    return { s: decodeDouble(s), n };
  },
};

/**
 * Average of integers: the exact sum (a bigint past 2^53) divided by the count once. Its buffer
 * serializes as a double average's did (a sum that is a number stays one).
 */
export const integralAvgAccumulator: Accumulator<AvgBuffer<Long>> = {
  init: () => ({ s: 0, n: 0 }),
  update(buf, v: Long) {
    buf.s = exactAdd(buf.s, v);
    buf.n++;
    return buf;
  },
  merge(a, b) {
    a.s = exactAdd(a.s, b.s);
    a.n += b.n;
    return a;
  },
  finish: (buf) => (buf.n === 0 ? null : Number(buf.s) / buf.n),
  serialize: (buf) => [encodeLong(buf.s), buf.n],
  deserialize(j) {
    const [s, n] = j as [unknown, number];
    return { s: decodeLong(s), n };
  },
};

/**
 * Exact decimal average: the unscaled sum (bigint when large) divided by the count, rounded
 * HALF_UP once to the result scale; null when it does not fit the result precision.
 */
export function decimalAvgAccumulator(input: DecimalType, result: DecimalType): Accumulator<AvgBuffer<Long>> {
  const scaleUp = 10n ** BigInt(result.scale - input.scale);
  const limit = 10n ** BigInt(result.precision);
  return {
    init: () => ({ s: 0, n: 0 }),
    update(buf, v: Long) {
      buf.s = exactAdd(buf.s, v);
      buf.n++;
      return buf;
    },
    merge(a, b) {
      a.s = exactAdd(a.s, b.s);
      a.n += b.n;
      return a;
    },
    finish(buf) {
      if (buf.n === 0) return null;
      const q = divideHalfUp(BigInt(buf.s) * scaleUp, BigInt(buf.n));
      return q >= limit || q <= -limit ? null : normalizeLong(q);
    },
    serialize: (buf) => [encodeLong(buf.s), buf.n],
    deserialize(j) {
      const [s, n] = j as [unknown, number];
      return { s: decodeLong(s), n };
    },
  };
}

/** a / b rounded half away from zero (Java's RoundingMode.HALF_UP); b > 0. */
export function divideHalfUp(a: bigint, b: bigint): bigint {
  const neg = a < 0n;
  const abs = neg ? -a : a;
  let q = abs / b;
  if ((abs % b) * 2n >= b) q += 1n;
  return neg ? -q : q;
}

function compileAvg(sig: BoundSignature): Accumulator {
  const input = sig.argTypes[0];
  if (sig.dataType.kind === "decimal" && input?.kind === "decimal") return decimalAvgAccumulator(input, sig.dataType) as Accumulator;
  if (input !== undefined && isIntegral(input)) return integralAvgAccumulator as Accumulator;
  return doubleAvgAccumulator as Accumulator;
}

/** avg(expr) / mean(expr): DOUBLE (or widened DECIMAL); null over no non-null rows. */
export const avg: AggregateFunctionDef = {
  type: "aggregate",
  name: "avg",
  aliases: ["mean"],
  minArgs: 1,
  maxArgs: 1,
  resolve: (args) => avgSignature("avg", args),
  compile: compileAvg,
  doc: "avg(expr) returns the mean of the non-null values.",
};

/** try_avg(expr): as avg (a double average cannot overflow; a decimal one yields null). */
export const tryAvg: AggregateFunctionDef = {
  type: "aggregate",
  name: "try_avg",
  minArgs: 1,
  maxArgs: 1,
  resolve: (args) => avgSignature("try_avg", args),
  compile: compileAvg,
  doc: "try_avg(expr) returns the mean of the non-null values, or null on overflow.",
};

registerFunctions([avg, tryAvg]);
