import { BooleanType } from "../../types/data-type.js";
import type { Accumulator, AggregateFunctionDef, ArgInfo, Signature } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { checkArgCount, unexpectedType } from "./agg-args.js";

/** 0 = no non-null row yet, 1 = false so far, 2 = true so far (one small mutable cell). */
export interface BoolBuffer { v: 0 | 1 | 2 }

function boolSignature(fn: string, args: readonly ArgInfo[]): Signature {
  checkArgCount(fn, args, 1, 1);
  const t = args[0]!.dataType;
  if (t.kind !== "boolean" && t.kind !== "null") throw unexpectedType(fn, 0, `"BOOLEAN"`, t);
  return { inputTypes: [BooleanType], dataType: BooleanType };
}

function boolAccumulator(isAnd: boolean): Accumulator<BoolBuffer> {
  const combine = (a: 0 | 1 | 2, b: 0 | 1 | 2): 0 | 1 | 2 => (a === 0 ? b : b === 0 ? a : isAnd ? (a === 2 && b === 2 ? 2 : 1) : a === 2 || b === 2 ? 2 : 1);
  return {
    init: () => ({ v: 0 }),
    update(buf, v: boolean) {
      buf.v = combine(buf.v, v ? 2 : 1);
      return buf;
    },
    merge(a, b) {
      a.v = combine(a.v, b.v);
      return a;
    },
    finish: (buf) => (buf.v === 0 ? null : buf.v === 2),
    serialize: (buf) => buf.v,
    deserialize: (j) => ({ v: j as 0 | 1 | 2 }),
  };
}

/** bool_and(expr) / every: true when every non-null value is true; null over no non-null rows. */
export const boolAnd: AggregateFunctionDef = {
  type: "aggregate",
  name: "bool_and",
  aliases: ["every"],
  minArgs: 1,
  maxArgs: 1,
  resolve: (args) => boolSignature("bool_and", args),
  compile: () => boolAccumulator(true) as Accumulator,
  doc: "bool_and(expr) returns true if all non-null values of expr are true.",
};

/** bool_or(expr) / some / any: true when at least one non-null value is true; null over no non-null rows. */
export const boolOr: AggregateFunctionDef = {
  type: "aggregate",
  name: "bool_or",
  aliases: ["some", "any"],
  minArgs: 1,
  maxArgs: 1,
  resolve: (args) => boolSignature("bool_or", args),
  compile: () => boolAccumulator(false) as Accumulator,
  doc: "bool_or(expr) returns true if at least one non-null value of expr is true.",
};

registerFunctions([boolAnd, boolOr]);
