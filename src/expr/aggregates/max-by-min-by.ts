import type { DataType } from "../../types/data-type.js";
import type { Accumulator, AggregateFunctionDef, ArgInfo, Signature } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { checkArgCount, unexpectedType } from "./agg-args.js";
import { decodeValue, encodeValue } from "./value-codec.js";
import { type Comparator, comparatorFor, isOrderableForAgg } from "../value-order.js";

/** The value of `x` at the best `y` so far. */
export interface ArgExtremeBuffer { x: unknown; y: unknown; has: boolean }

function byTypes(fn: string, args: readonly ArgInfo[]): Signature {
  checkArgCount(fn, args, 2, 2);
  const yt = args[1]!.dataType;
  if (!isOrderableForAgg(yt)) throw unexpectedType(fn, 1, "an orderable", yt);
  return { inputTypes: [null, null], dataType: args[0]!.dataType, state: yt };
}

/**
 * max_by(x, y) / min_by(x, y): the x of the row with the largest (smallest) y. Rows with a
 * null y are ignored; x may be null. Ties keep the row seen first (merge: `a` first).
 */
function byAccumulator(xt: DataType, yt: DataType, cmp: Comparator, sign: 1 | -1): Accumulator<ArgExtremeBuffer> {
  return {
    init: () => ({ x: null, y: null, has: false }),
    update(buf, x: unknown, y: unknown) {
      if (y === null) return buf;
      if (!buf.has || sign * cmp(y, buf.y) > 0) { buf.x = x; buf.y = y; buf.has = true; }
      return buf;
    },
    merge(a, b) {
      if (b.has && (!a.has || sign * cmp(b.y, a.y) > 0)) { a.x = b.x; a.y = b.y; a.has = true; }
      return a;
    },
    finish: (buf) => (buf.has ? buf.x : null),
    serialize: (buf) => (buf.has ? [encodeValue(buf.x, xt), encodeValue(buf.y, yt)] : []),
    deserialize(j) {
      const a = j as unknown[];
      return a.length === 0 ? { x: null, y: null, has: false } : { x: decodeValue(a[0], xt), y: decodeValue(a[1], yt), has: true };
    },
  };
}

function byDef(name: string, sign: 1 | -1): AggregateFunctionDef {
  return {
    type: "aggregate",
    name,
    minArgs: 2,
    maxArgs: 2,
    resolve: (args) => byTypes(name, args),
    compile(sig) {
      const yt = sig.state as DataType;
      return byAccumulator(sig.dataType, yt, comparatorFor(yt), sign) as Accumulator;
    },
    skipNulls: false,
    doc: `${name}(x, y) returns the value of x associated with the ${sign > 0 ? "maximum" : "minimum"} value of y.`,
  };
}

export const maxBy = byDef("max_by", 1);
export const minBy = byDef("min_by", -1);

registerFunctions([maxBy, minBy]);
