import type { DataType } from "../../types/data-type.js";
import type { Accumulator, AggregateFunctionDef, ArgInfo, Signature } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { checkArgCount, unexpectedType } from "./agg-args.js";
import { decodeValue, encodeValue } from "./value-codec.js";
import { type Comparator, comparatorFor, isOrderableForAgg } from "../value-order.js";

/** An extreme value seen so far (`has` false until the first non-null value). */
export interface ExtremeBuffer { v: unknown; has: boolean }

export function orderableSignature(fn: string, args: readonly ArgInfo[]): Signature {
  checkArgCount(fn, args, 1, 1);
  const t = args[0]!.dataType;
  if (!isOrderableForAgg(t)) throw unexpectedType(fn, 0, "an orderable", t);
  return { inputTypes: [null], dataType: t };
}

/**
 * Keeps the value that `better(candidate, current)` prefers. Ties keep the value seen first.
 * Values are kept by reference (internal values are immutable).
 */
export function extremeAccumulator(t: DataType, cmp: Comparator, sign: 1 | -1): Accumulator<ExtremeBuffer> {
  const plain = t.kind !== "float" && t.kind !== "double" && t.kind !== "string" && t.kind !== "binary"
    && t.kind !== "boolean" && t.kind !== "array" && t.kind !== "struct";
  const update = plain
    ? sign > 0
      ? (buf: ExtremeBuffer, v: number): ExtremeBuffer => {
          if (!buf.has || v > (buf.v as number)) { buf.v = v; buf.has = true; }
          return buf;
        }
      : (buf: ExtremeBuffer, v: number): ExtremeBuffer => {
          if (!buf.has || v < (buf.v as number)) { buf.v = v; buf.has = true; }
          return buf;
        }
    : (buf: ExtremeBuffer, v: unknown): ExtremeBuffer => {
        if (!buf.has || sign * cmp(v, buf.v) > 0) { buf.v = v; buf.has = true; }
        return buf;
      };
  return {
    init: () => ({ v: null, has: false }),
    update,
    merge(a, b) {
      if (b.has && (!a.has || sign * cmp(b.v, a.v) > 0)) { a.v = b.v; a.has = true; }
      return a;
    },
    finish: (buf) => (buf.has ? buf.v : null),
    serialize: (buf) => (buf.has ? [encodeValue(buf.v, t)] : []),
    deserialize(j) {
      const a = j as unknown[];
      return a.length === 0 ? { v: null, has: false } : { v: decodeValue(a[0], t), has: true };
    },
  };
}

/** max(expr): the largest non-null value of any orderable type; null over no non-null rows. NaN is the largest double. */
export const max: AggregateFunctionDef = {
  type: "aggregate",
  name: "max",
  minArgs: 1,
  maxArgs: 1,
  resolve: (args) => orderableSignature("max", args),
  compile: (sig) => extremeAccumulator(sig.dataType, comparatorFor(sig.dataType), 1) as Accumulator,
  doc: "max(expr) returns the largest non-null value.",
};

/** min(expr): the smallest non-null value of any orderable type; null over no non-null rows. */
export const min: AggregateFunctionDef = {
  type: "aggregate",
  name: "min",
  minArgs: 1,
  maxArgs: 1,
  resolve: (args) => orderableSignature("min", args),
  compile: (sig) => extremeAccumulator(sig.dataType, comparatorFor(sig.dataType), -1) as Accumulator,
  doc: "min(expr) returns the smallest non-null value.",
};

registerFunctions([max, min]);
