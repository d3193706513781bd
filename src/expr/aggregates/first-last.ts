import type { DataType } from "../../types/data-type.js";
import type { Accumulator, AggregateFunctionDef, ArgInfo, Signature } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { checkArgCount, constantBoolean } from "./agg-args.js";
import { decodeValue, encodeValue } from "./value-codec.js";

/** The value picked so far; `has` is false until a row was taken (a taken row may hold null). */
export interface PickBuffer { v: unknown; has: boolean }

/**
 * first(expr[, ignoreNulls]) and last(expr[, ignoreNulls]). The optional second argument must
 * be a constant boolean (default false). `first(x) IGNORE NULLS` in SQL must reach us as
 * `first(x, true)`: the analyzer rewrites the clause into that argument.
 *
 * These are order-dependent (Spark documents them as non-deterministic): `merge(a, b)` treats
 * `a` as the earlier part of the input. merge is associative but not commutative; the engine
 * must merge partial buffers in input order (partition order, then micro-batch order) for a
 * deterministic answer. `update` receives nulls (skipNulls is false) and decides itself.
 */
function pickSignature(fn: string, args: readonly ArgInfo[]): Signature {
  checkArgCount(fn, args, 1, 2);
  const ignoreNulls = args.length === 2 ? constantBoolean(fn, args, 1, "ignoreNulls") : false;
  return { inputTypes: args.length === 2 ? [null, null] : [null], dataType: args[0]!.dataType, state: ignoreNulls };
}

function pickAccumulator(t: DataType, ignoreNulls: boolean, last: boolean): Accumulator<PickBuffer> {
  return {
    init: () => ({ v: null, has: false }),
    update(buf, v: unknown) {
      if ((buf.has && !last) || (ignoreNulls && v === null)) return buf;
      buf.v = v;
      buf.has = true;
      return buf;
    },
    merge(a, b) {
      if (b.has && (last || !a.has)) { a.v = b.v; a.has = true; }
      return a;
    },
    finish: (buf) => buf.v,
    serialize: (buf) => (buf.has ? [encodeValue(buf.v, t)] : []),
    deserialize(j) {
      const a = j as unknown[];
      return a.length === 0 ? { v: null, has: false } : { v: decodeValue(a[0], t), has: true };
    },
  };
}

function pickDef(name: string, aliases: string[], last: boolean, doc: string): AggregateFunctionDef {
  return {
    type: "aggregate",
    name,
    aliases,
    minArgs: 1,
    maxArgs: 2,
    resolve: (args) => pickSignature(name, args),
    compile: (sig) => pickAccumulator(sig.dataType, sig.state === true, last) as Accumulator,
    skipNulls: false,
    doc,
  };
}

/** first(expr[, ignoreNulls]) / first_value: the value of the first row (of the first non-null row with ignoreNulls). */
export const first = pickDef("first", ["first_value"], false, "first(expr[, ignoreNulls]) returns the first value of expr in the group.");
/** last(expr[, ignoreNulls]) / last_value: the value of the last row (of the last non-null row with ignoreNulls). */
export const last = pickDef("last", ["last_value"], true, "last(expr[, ignoreNulls]) returns the last value of expr in the group.");
/** any_value(expr[, ignoreNulls]): some value of the group; here, the first. */
export const anyValue = pickDef("any_value", [], false, "any_value(expr[, ignoreNulls]) returns some value of expr in the group.");

registerFunctions([first, last, anyValue]);
