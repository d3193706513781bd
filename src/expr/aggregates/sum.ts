import {
  type DataType,
  type DecimalType,
  DoubleType,
  LongType,
  MAX_DECIMAL_PRECISION,
  decimalType,
  isIntegral,
} from "../../types/data-type.js";
import { type Long, LONG_MAX, LONG_MIN, exactAdd, longAdd } from "../../types/long.js";
import type { Accumulator, AggregateFunctionDef, ArgInfo, Signature } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { ExecutionError } from "../../errors/errors.js";
import { checkArgCount, numericOrCastToDouble } from "./agg-args.js";
import { decodeDouble, decodeLong, encodeDouble, encodeLong } from "./value-codec.js";

/** A sum's buffer: the running total and whether any non-null value was seen. */
export interface SumBuffer<T> { s: T; has: boolean }

/**
 * sum's result type, as Spark: integral → BIGINT, float/double (and strings, cast) → DOUBLE,
 * decimal(p,s) → decimal(min(38, p+10), s).
 */
export function sumSignature(fn: string, args: readonly ArgInfo[]): Signature {
  checkArgCount(fn, args, 1, 1);
  const t = numericOrCastToDouble(fn, args, 0);
  if (isIntegral(t)) return { inputTypes: [LongType], dataType: LongType };
  if (t.kind === "decimal") return { inputTypes: [t], dataType: decimalType(Math.min(MAX_DECIMAL_PRECISION, t.precision + 10), t.scale) };
  return { inputTypes: [DoubleType], dataType: DoubleType };
}

/**
 * What a sum does when its total leaves its type: wrap as Java's long (sum, non-ANSI), yield null
 * (try_sum; a decimal sum outside ANSI), or fail (ANSI).
 */
export type SumOverflow = "wrap" | "null" | "error";

/** Sum of BIGINT values, overflowing as `overflow` says. */
export function longSumAccumulator(overflow: SumOverflow): Accumulator<SumBuffer<Long>> {
  const wrap = overflow === "wrap";
  return {
    init: () => ({ s: 0, has: false }),
    update(buf, v: Long) {
      buf.s = addExact(buf.s, v, wrap);
      buf.has = true;
      return buf;
    },
    merge(a, b) {
      if (b.has) {
        a.s = a.has ? addExact(a.s, b.s, wrap) : b.s;
        a.has = true;
      }
      return a;
    },
    finish(buf) {
      if (!buf.has) return null;
      if (!wrap && typeof buf.s === "bigint" && (buf.s > LONG_MAX || buf.s < LONG_MIN)) {
        if (overflow === "error") throw sumOverflow("BIGINT");
        return null;
      }
      return buf.s;
    },
    serialize: (buf) => [encodeLong(buf.s), buf.has],
    deserialize(j) {
      const [s, has] = j as [unknown, boolean];
      return { s: decodeLong(s), has };
    },
  };
}

/**
 * With `wrap`, Java long arithmetic (associative modulo 2^64). Without it (try_sum, ANSI), exact
 * arbitrary-precision sums: overflow is decided once, on the final total, so that the answer
 * does not depend on how rows were split into partitions and micro-batches (Spark's ANSI sum
 * fails when a running total overflows, which depends on the rows' order).
 */
function addExact(a: Long, b: Long, wrap: boolean): Long {
  return wrap ? longAdd(a, b) : exactAdd(a, b);
}

export const doubleSumAccumulator: Accumulator<SumBuffer<number>> = {
  init: () => ({ s: 0, has: false }),
  update(buf, v: number) {
    buf.s += v;
    buf.has = true;
    return buf;
  },
  merge(a, b) {
    if (b.has) {
      a.s = a.has ? a.s + b.s : b.s;
      a.has = true;
    }
    return a;
  },
  finish: (buf) => (buf.has ? buf.s : null),
  serialize: (buf) => [encodeDouble(buf.s), buf.has],
  deserialize(j) {
    const [s, has] = j as [unknown, boolean];
    return { s: decodeDouble(s), has };
  },
};

/**
 * Sum of decimal unscaled values, exact (bigint beyond 2^53). The result is null when it does
 * not fit the result precision (Spark's non-ANSI overflow behaviour). Overflow is checked on
 * the final total only, so the result is independent of partial-aggregation order.
 */
export function decimalSumAccumulator(result: DecimalType, overflow: SumOverflow = "null"): Accumulator<SumBuffer<Long>> {
  const inner = longSumAccumulator("null");
  const limit = 10n ** BigInt(result.precision);
  return {
    ...inner,
    finish(buf) {
      if (!buf.has) return null;
      const s = BigInt(buf.s);
      if (s < limit && s > -limit) return buf.s;
      if (overflow === "error") throw sumOverflow(`DECIMAL(${result.precision},${result.scale})`);
      return null;
    },
  };
}

function sumOverflow(type: string): ExecutionError {
  return new ExecutionError("ARITHMETIC_OVERFLOW", `[ARITHMETIC_OVERFLOW] The sum overflows ${type}. Use 'try_sum' to tolerate overflow and return NULL instead. If necessary set "sluice.sql.ansi.enabled" to "false" to bypass this error (a BIGINT sum then wraps).`);
}

function compileSum(dataType: DataType, overflow: SumOverflow): Accumulator {
  if (dataType.kind === "long") return longSumAccumulator(overflow) as Accumulator;
  if (dataType.kind === "decimal") return decimalSumAccumulator(dataType, overflow === "wrap" ? "null" : overflow) as Accumulator;
  return doubleSumAccumulator as Accumulator;
}

/** sum(expr): BIGINT for integral input, DOUBLE for floating point and strings, widened DECIMAL for decimals; null over no non-null rows. */
export const sum: AggregateFunctionDef = {
  type: "aggregate",
  name: "sum",
  minArgs: 1,
  maxArgs: 1,
  resolve: (args) => sumSignature("sum", args),
  compile: (sig, ctx) => compileSum(sig.dataType, ctx.ansi ? "error" : "wrap"),
  doc: "sum(expr) returns the sum of the non-null values; overflow wraps a BIGINT and makes a DECIMAL null, or fails under ANSI.",
};

/** try_sum(expr): as sum, but null when a BIGINT or DECIMAL total overflows. */
export const trySum: AggregateFunctionDef = {
  type: "aggregate",
  name: "try_sum",
  minArgs: 1,
  maxArgs: 1,
  resolve: (args) => sumSignature("try_sum", args),
  compile: (sig) => compileSum(sig.dataType, "null"),
  doc: "try_sum(expr) returns the sum of the non-null values, or null on overflow.",
};

registerFunctions([sum, trySum]);
