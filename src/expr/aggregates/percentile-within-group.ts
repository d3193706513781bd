import { BooleanType, DoubleType, arrayType, isNumeric } from "../../types/data-type.js";
import type { Accumulator, AggregateFunctionDef, ArgInfo, Signature } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { compareDoubles } from "../value-order.js";
import { castToDouble, checkArgCount, unexpectedType } from "./agg-args.js";
import { type Percentages, countsAccumulator, readPercentages } from "./percentile.js";

/**
 * `percentile_cont(p) WITHIN GROUP (ORDER BY v [DESC])` and `percentile_disc(...)`: the parser
 * turns them into percentile_cont(v, p[, true]) (true = DESC). Continuous: Spark's percentile
 * (position p·(n−1) in the ordered rows, interpolated). Discrete: the first value whose
 * cumulative share reaches p (SPARK-44871's calculation, Spark's default since 3.5).
 */

interface WithinGroupState extends Percentages { readonly reverse: boolean }

/** Spark's PercentileBase.getPercentile over (value, count) sorted in the requested order. */
export function orderedPercentile(counts: ReadonlyMap<unknown, number>, p: number, reverse: boolean, discrete: boolean): number {
  const entries = [...counts].map(([v, c]) => [v as number, c] as const).sort((a, b) => (reverse ? compareDoubles(b[0], a[0]) : compareDoubles(a[0], b[0])));
  const cum: number[] = [];
  let total = 0;
  for (const [, c] of entries) cum.push((total += c));
  /** The first index whose cumulative count is >= value. */
  const atCount = (value: number): number => {
    let lo = 0, hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! >= value) hi = mid;
      else lo = mid + 1;
    }
    return entries[lo]![0];
  };
  if (discrete) return atCount(Math.ceil(total * p));
  const pos = (total - 1) * p;
  const lower = Math.floor(pos), higher = Math.ceil(pos);
  const lv = atCount(lower + 1);
  if (lower === higher) return lv;
  const hv = atCount(higher + 1);
  if (lv === hv) return lv;
  return (higher - pos) * lv + (pos - lower) * hv;
}

function withinGroup(name: string, discrete: boolean): AggregateFunctionDef {
  return {
    type: "aggregate",
    name,
    minArgs: 2,
    maxArgs: 3,
    resolve(args: readonly ArgInfo[]): Signature {
      checkArgCount(name, args, 2, 3);
      const t = args[0]!.dataType;
      if (!isNumeric(t) && t.kind !== "null" && t.kind !== "string") throw unexpectedType(name, 0, `"NUMERIC"`, t);
      const p = readPercentages(name, args, 1);
      const r = args[2];
      if (r && (!r.foldable || r.dataType.kind !== "boolean")) throw unexpectedType(name, 2, `"BOOLEAN" constant (DESC)`, r.dataType);
      const state: WithinGroupState = { ...p, reverse: r?.value === true };
      return {
        inputTypes: [castToDouble(name, args, 0), args[1]!.dataType, ...(r ? [BooleanType] : [])],
        dataType: p.isArray ? arrayType(DoubleType, false) : DoubleType,
        state,
      };
    },
    compile(sig) {
      const st = sig.state as WithinGroupState;
      const acc = countsAccumulator(DoubleType, (b) => {
        if (st.ps === null || b.counts.size === 0) return null;
        const r = st.ps.map((p) => orderedPercentile(b.counts, p, st.reverse, discrete));
        return st.isArray ? r : r[0];
      }, false);
      return { ...acc, update: (buf: Parameters<typeof acc.update>[0], v: unknown) => acc.update(buf, v as never) } as Accumulator;
    },
    doc: `${name}(p) WITHIN GROUP (ORDER BY col [DESC]) - The ${discrete ? "discrete" : "continuous (interpolated)"} percentile p of col.`,
  };
}

export const percentileCont = withinGroup("percentile_cont", false);
export const percentileDisc = withinGroup("percentile_disc", true);

registerFunctions([percentileCont, percentileDisc]);
