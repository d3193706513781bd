import { type DataType, LongType, arrayType, isNumberValued } from "../../types/data-type.js";
import type { Accumulator, AggregateFunctionDef } from "../function-def.js";
import { registerFunctions, registerInternalFunctions } from "../function-registry.js";
import { checkArgCount, unexpectedType } from "./agg-args.js";
import { decodeValue, encodeValue } from "./value-codec.js";
import { NumberSet } from "./number-set.js";

/** collect_list's buffer: values in input order. */
export interface ListBuffer { items: unknown[] }
/** collect_set's buffer: distinct values in first-seen order and their keys. */
export interface SetBuffer { items: unknown[]; keys: Set<unknown> }

/**
 * A key with JavaScript equality matching SQL equality for values of type `t`: primitives are
 * their own key (Set uses SameValueZero: NaN equals NaN, -0 equals 0), structured values and
 * binary use their JSON encoding. bigints are normalized longs, so equal values share a key.
 */
export function valueKey(t: DataType): (v: unknown) => unknown {
  switch (t.kind) {
    case "struct": case "array":
      // Structs and arrays of plain numbers (e.g. the `window` struct of two timestamps) join their
      // values with commas: `String` of a number is unique per value (NaN included, -0 as 0, as
      // Spark groups it) and nulls and bigints are tagged, so the key stays injective.
      if (t.kind === "struct" ? t.fields.every((f) => isNumberValued(f.dataType)) : isNumberValued(t.elementType)) {
        return (v) => (v as unknown[]).map((x) => (x === null ? "n" : typeof x === "bigint" ? `${x}b` : String(x))).join(",");
      }
      return (v) => JSON.stringify(encodeValue(v, t));
    case "binary": case "map": case "interval":
      return (v) => JSON.stringify(encodeValue(v, t));
    default:
      return (v) => v;
  }
}


function listAccumulator(t: DataType): Accumulator<ListBuffer> {
  return {
    init: () => ({ items: [] }),
    update(buf, v: unknown) {
      buf.items.push(v);
      return buf;
    },
    merge(a, b) {
      for (const v of b.items) a.items.push(v);
      return a;
    },
    finish: (buf) => buf.items.slice(),
    serialize: (buf) => buf.items.map((v) => encodeValue(v, t)),
    deserialize: (j) => ({ items: (j as unknown[]).map((v) => decodeValue(v, t)) }),
  };
}

function setAccumulator(t: DataType): Accumulator<SetBuffer> {
  const key = valueKey(t);
  const add = (buf: SetBuffer, v: unknown): void => {
    const k = key(v);
    if (!buf.keys.has(k)) { buf.keys.add(k); buf.items.push(v); }
  };
  return {
    init: () => ({ items: [], keys: new Set() }),
    update(buf, v: unknown) {
      add(buf, v);
      return buf;
    },
    merge(a, b) {
      for (const v of b.items) add(a, v);
      return a;
    },
    finish: (buf) => buf.items.slice(),
    serialize: (buf) => buf.items.map((v) => encodeValue(v, t)),
    deserialize(j) {
      const buf: SetBuffer = { items: [], keys: new Set() };
      for (const v of j as unknown[]) add(buf, decodeValue(v, t));
      return buf;
    },
  };
}

/** collect_list(expr) / array_agg: ARRAY of the non-null values in input order; [] over no rows. merge(a, b) puts a's first. */
export const collectList: AggregateFunctionDef = {
  type: "aggregate",
  name: "collect_list",
  aliases: ["array_agg"],
  minArgs: 1,
  maxArgs: 1,
  resolve(args) {
    checkArgCount("collect_list", args, 1, 1);
    const t = args[0]!.dataType;
    return { inputTypes: [null], dataType: arrayType(t, false), nullable: false };
  },
  compile: (sig) => listAccumulator(sig.dataType.kind === "array" ? sig.dataType.elementType : sig.dataType) as Accumulator,
  doc: "collect_list(expr) collects the non-null values into an array.",
};

/** collect_set(expr): ARRAY of the distinct non-null values, in first-seen order; [] over no rows. Maps are refused, as in Spark. */
export const collectSet: AggregateFunctionDef = {
  type: "aggregate",
  name: "collect_set",
  minArgs: 1,
  maxArgs: 1,
  resolve(args) {
    checkArgCount("collect_set", args, 1, 1);
    const t = args[0]!.dataType;
    if (t.kind === "map") throw unexpectedType("collect_set", 0, "a non-map", t);
    return { inputTypes: [null], dataType: arrayType(t, false), nullable: false };
  },
  compile: (sig) => setAccumulator(sig.dataType.kind === "array" ? sig.dataType.elementType : sig.dataType) as Accumulator,
  doc: "collect_set(expr) collects the distinct non-null values into an array.",
};

/**
 * A parallel count(DISTINCT x)'s partial (physical/parallel/partial-aggregation.ts): collect_set
 * without its first-seen order, so that calls over one x share a pass (agg-slot.ts).
 */
export const DISTINCT_SET: AggregateFunctionDef = { ...collectSet, name: "__distinct_set", doc: "the distinct non-null values, in no particular order" };

/** __distinct_union_count's buffer: the distinct numbers, and other values by their valueKey. */
interface UnionBuffer { numbers: NumberSet; others: Map<unknown, unknown> }

function unionCountAccumulator(t: DataType): Accumulator<UnionBuffer> {
  const numeric = isNumberValued(t), key = valueKey(t);
  const addAll = (buf: UnionBuffer, values: readonly unknown[]): void => {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      if (numeric && typeof v === "number") buf.numbers.add(v);
      else buf.others.set(key(v), v);
    }
  };
  return {
    init: () => ({ numbers: new NumberSet(), others: new Map() }),
    update(buf, set: unknown) {
      addAll(buf, set as unknown[]);
      return buf;
    },
    merge(a, b) {
      addAll(a, b.numbers.values());
      addAll(a, [...b.others.values()]);
      return a;
    },
    finish: (buf) => buf.numbers.size + buf.others.size,
    serialize: (buf) => [...buf.numbers.values(), ...buf.others.values()].map((v) => encodeValue(v, t)),
    deserialize(j) {
      const buf: UnionBuffer = { numbers: new NumberSet(), others: new Map() };
      addAll(buf, (j as unknown[]).map((v) => decodeValue(v, t)));
      return buf;
    },
  };
}

/**
 * The merge of a parallel count(DISTINCT x)'s partial sets (__distinct_set): how many distinct
 * values all the sets hold together, counted in one hash set (numbers in a NumberSet) rather
 * than by size(array_distinct(flatten(collect_list(sets)))), which copied every value twice.
 */
export const DISTINCT_UNION_COUNT: AggregateFunctionDef = {
  type: "aggregate",
  name: "__distinct_union_count",
  minArgs: 1,
  maxArgs: 1,
  resolve(args) {
    checkArgCount("__distinct_union_count", args, 1, 1);
    const t = args[0]!.dataType;
    if (t.kind !== "array") throw unexpectedType("__distinct_union_count", 0, "an array", t);
    return { inputTypes: [null], dataType: LongType, nullable: false };
  },
  compile: (sig) => unionCountAccumulator((sig.argTypes[0] as Extract<DataType, { kind: "array" }>).elementType) as Accumulator,
  doc: "how many distinct non-null values the arrays hold together",
};

registerFunctions([collectList, collectSet]);
registerInternalFunctions([DISTINCT_SET, DISTINCT_UNION_COUNT]);
