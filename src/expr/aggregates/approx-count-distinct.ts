import { LongType, isNumeric } from "../../types/data-type.js";
import type { Accumulator, AggregateFunctionDef } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { badArgument, checkArgCount, constantNumber, unexpectedType } from "./agg-args.js";
import { hllAdd, hllEstimate, hllMerge, newRegisters, precisionForRsd, registersFromJson, registersToJson } from "./hyperloglog-plus-plus.js";
import { HASH_SEED, XxHash64State, sparkValueHasher } from "../hash/spark-hash.js";

/** The registers of one group. */
export interface HllBuffer { reg: Uint8Array }

/**
 * approx_count_distinct(expr[, rsd = 0.05]): BIGINT, the HyperLogLog++ estimate of the number
 * of distinct non-null values; 0 over no rows. Values are hashed exactly as Spark does (XXH64,
 * seed 42, Spark's per-type encoding), so estimates equal Spark's for the same input.
 */
export const approxCountDistinct: AggregateFunctionDef = {
  type: "aggregate",
  name: "approx_count_distinct",
  minArgs: 1,
  maxArgs: 2,
  resolve(args) {
    checkArgCount("approx_count_distinct", args, 1, 2);
    let rsd = 0.05;
    if (args.length === 2) {
      const t = args[1]!.dataType;
      if (!isNumeric(t)) throw unexpectedType("approx_count_distinct", 1, `"DOUBLE"`, t);
      const v = constantNumber("approx_count_distinct", args, 1, "relativeSD");
      if (v === null || !(v > 0)) throw badArgument("approx_count_distinct", 1, "(relativeSD) must be a positive number");
      rsd = v;
    }
    let p: number;
    try {
      p = precisionForRsd(rsd);
    } catch (e) {
      throw badArgument("approx_count_distinct", 1, `(relativeSD): ${(e as Error).message}`);
    }
    return { inputTypes: args.map(() => null), dataType: LongType, nullable: false, state: p };
  },
  compile(sig, _ctx) {
    const p = sig.state as number;
    const hash = sparkValueHasher(sig.argTypes[0]!);
    const state = new XxHash64State();
    const acc: Accumulator<HllBuffer> = {
      init: () => ({ reg: newRegisters(p) }),
      update(buf, v: unknown) {
        state.hi = 0;
        state.lo = HASH_SEED;
        hash(v, state);
        hllAdd(buf.reg, p, state.hi, state.lo);
        return buf;
      },
      merge(a, b) {
        hllMerge(a.reg, b.reg);
        return a;
      },
      finish: (buf) => hllEstimate(buf.reg, p),
      serialize: (buf) => registersToJson(buf.reg),
      deserialize: (j) => ({ reg: registersFromJson(j) }),
    };
    return acc as Accumulator;
  },
  doc: "approx_count_distinct(expr[, relativeSD]) estimates the number of distinct values with HyperLogLog++.",
};

registerFunctions([approxCountDistinct]);
