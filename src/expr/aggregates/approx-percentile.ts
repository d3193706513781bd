import { type DataType, DoubleType, arrayType, isIntegral, isNumeric } from "../../types/data-type.js";
import { toLong } from "../../types/long.js";
import type { Accumulator, AggregateFunctionDef, ArgInfo, Signature } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { badArgument, checkArgCount, constantNumber, unexpectedType } from "./agg-args.js";
import { type Percentages, readPercentages } from "./percentile.js";
import {
  type QuantileSummary,
  newSummary,
  summaryFromJson,
  summaryInsert,
  summaryMerge,
  summaryQuery,
  summaryToJson,
} from "./quantile-summary.js";

/** Spark's default accuracy; the relative rank error is 1/accuracy. */
export const DEFAULT_ACCURACY = 10000;

interface ApproxState { readonly p: Percentages; readonly accuracy: number; readonly valueType: DataType }

function approxSignature(fn: string, args: readonly ArgInfo[]): Signature {
  checkArgCount(fn, args, 2, 3);
  let t = args[0]!.dataType;
  if (t.kind === "string" || t.kind === "null") t = DoubleType;
  else if (!isNumeric(t) && t.kind !== "date" && t.kind !== "timestamp") throw unexpectedType(fn, 0, `"NUMERIC", "DATE" or "TIMESTAMP"`, t);
  const p = readPercentages(fn, args, 1);
  let accuracy = DEFAULT_ACCURACY;
  if (args.length === 3) {
    const at = args[2]!.dataType;
    if (!isIntegral(at)) throw unexpectedType(fn, 2, `"INTEGRAL"`, at);
    const a = constantNumber(fn, args, 2, "accuracy");
    if (a === null || a <= 0 || a > 2147483647) throw badArgument(fn, 2, `(accuracy) must be a positive integer literal no larger than 2147483647, but got ${a}`);
    accuracy = a;
  }
  const state: ApproxState = { p, accuracy, valueType: t };
  return {
    inputTypes: [t, ...args.slice(1).map((a) => a.dataType)],
    dataType: p.isArray ? arrayType(t, false) : t,
    state,
  };
}

/** A sketch value (a double) back to the column's internal value. Decimals are sketched by unscaled value. */
function fromDouble(t: DataType): (x: number) => unknown {
  switch (t.kind) {
    case "long": return (x) => toLong(x);
    case "byte": case "short": case "int": case "date": return (x) => Math.trunc(x);
    case "decimal": return (x) => toLong(Math.round(x));
    case "timestamp": return (x) => Math.trunc(x);
    case "float": return (x) => Math.fround(x);
    default: return (x) => x;
  }
}

function approxAccumulator(st: ApproxState): Accumulator<QuantileSummary> {
  const eps = 1 / st.accuracy;
  const back = fromDouble(st.valueType);
  return {
    init: () => newSummary(eps),
    update(buf, v: number | bigint) {
      summaryInsert(buf, typeof v === "number" ? v : Number(v));
      return buf;
    },
    merge: summaryMerge,
    finish(buf) {
      if (st.p.ps === null || buf.n + buf.head.length === 0) return null;
      const r = st.p.ps.map((p) => back(summaryQuery(buf, p)!));
      return st.p.isArray ? r : r[0];
    },
    serialize: summaryToJson,
    deserialize: summaryFromJson,
  };
}

/**
 * percentile_approx(col, p[, accuracy]) / approx_percentile: for numeric, DATE and TIMESTAMP
 * columns, the smallest value such that no more than p of the values are below it, within a
 * rank error of n/accuracy; same type as col (ARRAY of it for an array of p). Null over no rows.
 */
export const percentileApprox: AggregateFunctionDef = {
  type: "aggregate",
  name: "percentile_approx",
  aliases: ["approx_percentile"],
  minArgs: 2,
  maxArgs: 3,
  resolve: (args) => approxSignature("percentile_approx", args),
  compile: (sig) => approxAccumulator(sig.state as ApproxState) as Accumulator,
  doc: "percentile_approx(col, p[, accuracy]) returns approximate percentile(s) with a rank error of at most n/accuracy.",
};

registerFunctions([percentileApprox]);
