import { type DataType, DoubleType, arrayType, isIntegral, isNumeric } from "../../types/data-type.js";
import type { Accumulator, AggregateFunctionDef, ArgInfo, Signature } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { badArgument, castToDouble, checkArgCount, constantArg, unexpectedType } from "./agg-args.js";
import { valueKey } from "./collect.js";
import { decodeValue, encodeValue } from "./value-codec.js";
import { comparatorFor, compareDoubles, isOrderableForAgg } from "../value-order.js";

/** Exact value → count table (Spark keeps the same for percentile and mode). */
export interface CountsBuffer { counts: Map<unknown, number>; values: Map<unknown, unknown> }

/** Percentages resolved from the constant argument: one number, or an array (result is an array). */
export interface Percentages { readonly ps: readonly number[] | null; readonly isArray: boolean }

/**
 * Reads a constant percentage (or array of percentages) in [0, 1]. A NULL constant gives
 * `ps: null` (the result is null).
 */
export function readPercentages(fn: string, args: readonly ArgInfo[], index: number): Percentages {
  const a = args[index]!;
  const t = a.dataType;
  const v = constantArg(fn, args, index, "percentage");
  const isArray = t.kind === "array";
  if (!(isArray ? isNumeric(t.elementType) || t.elementType.kind === "null" : isNumeric(t) || t.kind === "null")) {
    throw unexpectedType(fn, index, `"DOUBLE" or "ARRAY<DOUBLE>"`, t);
  }
  if (v === null) return { ps: null, isArray };
  const scale = (x: unknown, et: DataType): number => (et.kind === "decimal" ? Number(x) / 10 ** et.scale : Number(x as number));
  const ps = isArray ? (v as unknown[]).map((x) => (x === null ? NaN : scale(x, (t as { elementType: DataType }).elementType))) : [scale(v, t)];
  for (const p of ps) {
    if (!(p >= 0 && p <= 1)) throw badArgument(fn, index, `(percentage) must be between 0.0 and 1.0, but got ${p}`);
  }
  return { ps, isArray };
}

export function countsAccumulator(t: DataType, finish: (b: CountsBuffer) => unknown, withFrequency: boolean): Accumulator<CountsBuffer> {
  const key = valueKey(t);
  const add = (b: CountsBuffer, v: unknown, c: number): void => {
    const k = key(v);
    const old = b.counts.get(k);
    if (old === undefined) { b.counts.set(k, c); if (k !== v) b.values.set(k, v); } else b.counts.set(k, old + c);
  };
  return {
    init: () => ({ counts: new Map(), values: new Map() }),
    update(buf, v: unknown, freq?: number | bigint) {
      if (!withFrequency) { add(buf, v, 1); return buf; }
      const f = Number(freq);
      if (f < 0) throw badArgument("percentile", 2, `(frequency) must be a positive integral, but got ${f}`);
      if (f > 0) add(buf, v, f);
      return buf;
    },
    merge(a, b) {
      for (const [k, c] of b.counts) add(a, b.values.has(k) ? b.values.get(k) : k, c);
      return a;
    },
    finish,
    serialize: (b) => [...b.counts].map(([k, c]) => [encodeValue(b.values.has(k) ? b.values.get(k) : k, t), c]),
    deserialize(j) {
      const b: CountsBuffer = { counts: new Map(), values: new Map() };
      for (const [v, c] of j as [unknown, number][]) add(b, decodeValue(v, t), c);
      return b;
    },
  };
}

/**
 * Spark's exact percentile: sort the distinct values, with n rows in all the percentile p sits at
 * position p·(n−1) (0-based) of the sorted rows; between two rows it interpolates linearly.
 */
export function exactPercentiles(counts: Map<unknown, number>, ps: readonly number[]): number[] | null {
  if (counts.size === 0) return null;
  const entries = [...counts].map(([v, c]) => [v as number, c] as const).sort((a, b) => compareDoubles(a[0], b[0]));
  const cum: number[] = [];
  let total = 0;
  for (const [, c] of entries) { total += c; cum.push(total); }
  const at = (pos: number): number => {
    // The value of the row at 0-based position pos: first entry whose cumulative count exceeds pos.
    let lo = 0, hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > pos) hi = mid;
      else lo = mid + 1;
    }
    return entries[lo]![0];
  };
  return ps.map((p) => {
    const pos = p * (total - 1);
    const lower = Math.floor(pos), higher = Math.ceil(pos);
    const lv = at(lower);
    if (lower === higher) return lv;
    const hv = at(higher);
    if (lv === hv) return lv;
    return (higher - pos) * lv + (pos - lower) * hv;
  });
}

function percentileSignature(fn: string, args: readonly ArgInfo[], pIndex: number | null): Signature {
  const first = args[0]!.dataType;
  if (!isNumeric(first) && first.kind !== "null" && first.kind !== "string") throw unexpectedType(fn, 0, `"NUMERIC"`, first);
  const inputTypes: DataType[] = [castToDouble(fn, args, 0)];
  let state: Percentages = { ps: [0.5], isArray: false };
  if (pIndex !== null) {
    state = readPercentages(fn, args, pIndex);
    inputTypes.push(args[pIndex]!.dataType);
  }
  if (args.length === 3) {
    const ft = args[2]!.dataType;
    if (!isIntegral(ft)) throw unexpectedType(fn, 2, `"INTEGRAL"`, ft);
    inputTypes.push(ft);
  }
  return { inputTypes, dataType: state.isArray ? arrayType(DoubleType, false) : DoubleType, state };
}

function compilePercentile(sig: Signature): Accumulator {
  const { ps, isArray } = sig.state as Percentages;
  const withFrequency = sig.inputTypes.length === 3;
  const acc = countsAccumulator(DoubleType, (b) => {
    if (ps === null) return null;
    const r = exactPercentiles(b.counts, ps);
    return r === null ? null : isArray ? r : r[0];
  }, withFrequency);
  if (!withFrequency) return acc as Accumulator;
  // The frequency is the third argument; the percentage (second) is constant and ignored here.
  return { ...acc, update: (buf: CountsBuffer, v: number, _p: unknown, f: number | bigint) => acc.update(buf, v as never, f as never) } as Accumulator;
}

/** percentile(col, p[, frequency]): exact percentile(s) as DOUBLE, or ARRAY<DOUBLE> for an array of p. */
export const percentile: AggregateFunctionDef = {
  type: "aggregate",
  name: "percentile",
  minArgs: 2,
  maxArgs: 3,
  resolve(args) {
    checkArgCount("percentile", args, 2, 3);
    return percentileSignature("percentile", args, 1);
  },
  compile: compilePercentile,
  doc: "percentile(col, p[, frequency]) returns the exact percentile(s) of a numeric column, interpolating between rows.",
};

/** median(col): percentile(col, 0.5), DOUBLE. */
export const median: AggregateFunctionDef = {
  type: "aggregate",
  name: "median",
  minArgs: 1,
  maxArgs: 1,
  resolve(args) {
    checkArgCount("median", args, 1, 1);
    return percentileSignature("median", args, null);
  },
  compile: compilePercentile,
  doc: "median(col) returns the exact median of a numeric column.",
};

/**
 * mode(col): the most frequent non-null value (same type as col); null over no rows. Ties go to
 * the smallest value, so the answer does not depend on input order or partitioning.
 */
export const mode: AggregateFunctionDef = {
  type: "aggregate",
  name: "mode",
  minArgs: 1,
  maxArgs: 1,
  resolve(args) {
    checkArgCount("mode", args, 1, 1);
    const t = args[0]!.dataType;
    if (!isOrderableForAgg(t)) throw unexpectedType("mode", 0, "an orderable", t);
    return { inputTypes: [null], dataType: t };
  },
  compile(sig) {
    const t = sig.dataType;
    const cmp = comparatorFor(t);
    return countsAccumulator(t, (b) => {
      let best: unknown = null, bestCount = 0;
      for (const [k, c] of b.counts) {
        const v = b.values.has(k) ? b.values.get(k) : k;
        if (c > bestCount || (c === bestCount && cmp(v, best) < 0)) { best = v; bestCount = c; }
      }
      return best;
    }, false) as Accumulator;
  },
  doc: "mode(col) returns the most frequent value (the smallest among ties).",
};

registerFunctions([percentile, median, mode]);
