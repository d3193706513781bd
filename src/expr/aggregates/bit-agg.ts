import { isIntegral } from "../../types/data-type.js";
import { type Long, normalizeLong } from "../../types/long.js";
import type { Accumulator, AggregateFunctionDef } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { checkArgCount, unexpectedType } from "./agg-args.js";
import { decodeLong, encodeLong } from "./value-codec.js";

type BitOp = "and" | "or" | "xor";

/** The running bitwise result; `has` false until the first non-null value. */
export interface BitBuffer { v: Long; has: boolean }

const INT_MIN = -0x80000000, INT_MAX = 0x7fffffff;

/** 64-bit two's complement bitwise op; 32-bit fast path (sign extension commutes with and/or/xor). */
function apply(op: BitOp, a: Long, b: Long): Long {
  if (typeof a === "number" && typeof b === "number" && a >= INT_MIN && a <= INT_MAX && b >= INT_MIN && b <= INT_MAX) {
    return op === "and" ? a & b : op === "or" ? a | b : a ^ b;
  }
  const x = BigInt(a), y = BigInt(b);
  return normalizeLong(BigInt.asIntN(64, op === "and" ? x & y : op === "or" ? x | y : x ^ y));
}

function bitAccumulator(op: BitOp): Accumulator<BitBuffer> {
  return {
    init: () => ({ v: 0, has: false }),
    update(buf, v: Long) {
      buf.v = buf.has ? apply(op, buf.v, v) : v;
      buf.has = true;
      return buf;
    },
    merge(a, b) {
      if (b.has) {
        a.v = a.has ? apply(op, a.v, b.v) : b.v;
        a.has = true;
      }
      return a;
    },
    finish: (buf) => (buf.has ? buf.v : null),
    serialize: (buf) => [encodeLong(buf.v), buf.has],
    deserialize(j) {
      const [v, has] = j as [unknown, boolean];
      return { v: decodeLong(v), has };
    },
  };
}

function bitDef(op: BitOp): AggregateFunctionDef {
  const name = `bit_${op}`;
  return {
    type: "aggregate",
    name,
    minArgs: 1,
    maxArgs: 1,
    resolve(args) {
      checkArgCount(name, args, 1, 1);
      const t = args[0]!.dataType;
      if (!isIntegral(t)) throw unexpectedType(name, 0, `"INTEGRAL"`, t);
      return { inputTypes: [t], dataType: t };
    },
    compile: () => bitAccumulator(op) as Accumulator,
    doc: `${name}(expr) returns the bitwise ${op.toUpperCase()} of all non-null values (the input's integral type).`,
  };
}

export const bitAnd = bitDef("and");
export const bitOr = bitDef("or");
export const bitXor = bitDef("xor");

registerFunctions([bitAnd, bitOr, bitXor]);
