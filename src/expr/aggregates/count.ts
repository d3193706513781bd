import { BooleanType, LongType } from "../../types/data-type.js";
import type { Accumulator, AggregateFunctionDef } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { checkArgCount, unexpectedType } from "./agg-args.js";

/** The running count of count, count_if and regr_count. */
export interface CountBuffer { n: number }

/**
 * Counts the rows it is given. With skipNulls (the default), `count(a, b)` is only called for
 * rows where every argument is non-null; `count()` (count(*)) for every row. Fed deduplicated
 * values it computes count(DISTINCT ...). Counts stay JS numbers (exact up to 2^53 rows).
 */
export const countAccumulator: Accumulator<CountBuffer> = {
  init: () => ({ n: 0 }),
  update(buf) {
    buf.n++;
    return buf;
  },
  merge(a, b) {
    a.n += b.n;
    return a;
  },
  finish: (buf) => buf.n,
  serialize: (buf) => buf.n,
  deserialize: (j) => ({ n: j as number }),
};

/** count(*) (no arguments), count(expr, ...): BIGINT, never null; 0 over no rows. */
export const count: AggregateFunctionDef = {
  type: "aggregate",
  name: "count",
  minArgs: 0,
  maxArgs: Infinity,
  resolve: (args) => ({ inputTypes: args.map(() => null), dataType: LongType, nullable: false }),
  compile: () => countAccumulator as Accumulator,
  doc: "count(*) counts rows; count(expr[, expr...]) counts rows where every expr is non-null.",
};

const countIfAccumulator: Accumulator<CountBuffer> = {
  ...countAccumulator,
  update(buf, v: boolean) {
    if (v) buf.n++;
    return buf;
  },
};

/** count_if(pred): BIGINT, the number of rows where pred is true (null and false are not counted). */
export const countIf: AggregateFunctionDef = {
  type: "aggregate",
  name: "count_if",
  minArgs: 1,
  maxArgs: 1,
  resolve(args) {
    checkArgCount("count_if", args, 1, 1);
    const t = args[0]!.dataType;
    if (t.kind !== "boolean" && t.kind !== "null") throw unexpectedType("count_if", 0, `"BOOLEAN"`, t);
    return { inputTypes: [BooleanType], dataType: LongType, nullable: false };
  },
  compile: () => countIfAccumulator as Accumulator,
  doc: "count_if(expr) counts the rows where expr is true.",
};

registerFunctions([count, countIf]);
