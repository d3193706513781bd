import { AnalysisError, ExecutionError } from "../../errors/errors.js";
import {
  type ArrayType, BooleanType, type DataType, IntegerType, LongType, type MapType, NullType, StringType, type StructField,
  arrayType, isAtomic, isIntegral, isOrderable, mapType, sameType, structField, structType,
} from "../../types/data-type.js";
import { civilFromDays, daysFromCivil } from "../../types/datetime.js";
import type { Interval } from "../../types/interval.js";
import type { Long } from "../../types/long.js";
import { registerFunctions } from "../function-registry.js";
import type { ArgInfo, ScalarFunctionDef, Signature } from "../function-def.js";
import { findWiderCommonType, findWiderType, quoted } from "../type-coercion.js";
import { valueToString } from "../value-string.js";
import { comparatorFor, keyOf, valueEquals } from "../value-order.js";
import { addInterval } from "./datetime.js";
import { argError, checkArgCount, coerceArg, row, scalar, typeError } from "./define.js";
import { javaRegex, javaSplit } from "./text-util.js";

/**
 * Array, map and struct functions, and higher-order functions over lambdas.
 *
 * Conventions the analyzer relies on:
 * - struct(a, b, ...) names its fields from `ArgInfo.name` (see `NamedArgInfo`): the analyzer
 *   sets it for a column reference, an alias or a field access; otherwise the field is `col<i+1>`.
 *   named_struct takes the names from its constant name arguments.
 * - Higher-order functions are resolved in two passes. Pass 1: each lambda argument's ArgInfo has
 *   dataType NullType (body not resolved yet); the Signature's `lambdaParams` gives, for each
 *   lambda argument, the types of its parameters (a lambda may declare fewer). Pass 2: the same
 *   call with the lambda's ArgInfo.dataType set to the body's type; this Signature is final.
 *   At run time a lambda arrives as a JS function over internal values, called with all the
 *   parameters listed (extra ones are ignored by lambdas that declare fewer).
 */
export interface NamedArgInfo extends ArgInfo {
  /** The output name of the argument expression when it has one (column, alias, field). */
  readonly name?: string;
}

type Lambda = (...xs: unknown[]) => unknown;

export function elementOf(fnName: string, args: readonly ArgInfo[], i: number): ArrayType {
  const t = args[i]!.dataType;
  if (t.kind === "null") return arrayType(NullType);
  if (t.kind !== "array") throw typeError(fnName, i, `"ARRAY"`, t);
  return t;
}
function mapOf(fnName: string, args: readonly ArgInfo[], i: number): MapType {
  const t = args[i]!.dataType;
  if (t.kind === "null") return mapType(NullType, NullType);
  if (t.kind !== "map") throw typeError(fnName, i, `"MAP"`, t);
  return t;
}

function castIfNeeded(from: DataType, to: DataType): DataType | null {
  return sameType(from, to, true) ? null : to;
}

function widerOrFail(fnName: string, types: readonly DataType[]): DataType {
  const t = findWiderCommonType(types);
  if (!t) {
    throw new AnalysisError(
      "DATATYPE_MISMATCH.DATA_DIFF_TYPES",
      `Cannot resolve "${fnName}" due to data type mismatch: Input to \`${fnName}\` should all be the same type, but it's [${types.map(quoted).join(", ")}].`,
    );
  }
  return t;
}

/** Lookup of a key in a map value with Spark's key equality. */
function mapGetter(keyType: DataType): (m: Map<unknown, unknown>, k: unknown) => unknown {
  if (isAtomic(keyType) && keyType.kind !== "binary" && keyType.kind !== "interval") {
    return (m, k) => { const v = m.get(k === 0 ? 0 : k); return v === undefined ? null : v; };
  }
  const eq = valueEquals(keyType);
  return (m, k) => {
    for (const [a, b] of m) if (eq(a, k)) return b;
    return null;
  };
}
function mapHas(keyType: DataType): (m: Map<unknown, unknown>, k: unknown) => boolean {
  if (isAtomic(keyType) && keyType.kind !== "binary" && keyType.kind !== "interval") return (m, k) => m.has(k);
  const eq = valueEquals(keyType);
  return (m, k) => { for (const a of m.keys()) if (eq(a, k)) return true; return false; };
}

function duplicateKey(k: unknown, t: DataType): ExecutionError {
  return new ExecutionError(
    "DUPLICATED_MAP_KEY",
    `[DUPLICATED_MAP_KEY] Duplicate map key ${valueToString(k, t, "UTC")} was found, please check the input data. If you want to remove the duplicated keys, you can set "sluice.sql.mapKeyDedupPolicy" to "LAST_WIN" so that the key inserted at last takes precedence.`,
  );
}
function nullKey(): ExecutionError {
  return new ExecutionError("NULL_MAP_KEY", "[NULL_MAP_KEY] Cannot use null as map key.");
}

/** Builds a map value from key/value pairs with Spark's default EXCEPTION policy on duplicate keys. */
function buildMap(keyType: DataType, pairs: Iterable<readonly [unknown, unknown]>): Map<unknown, unknown> {
  const has = mapHas(keyType);
  const m = new Map<unknown, unknown>();
  for (const [k, v] of pairs) {
    if (k === null) throw nullKey();
    if (has(m, k)) throw duplicateKey(k, keyType);
    m.set(k, v);
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Constructors

const array = scalar({
  type: "scalar",
  name: "array",
  minArgs: 0,
  maxArgs: Infinity,
  nullSafe: true,
  doc: "array(a, b, ...) - An array of the arguments.",
  resolve(args) {
    if (args.length === 0) return { inputTypes: [], dataType: arrayType(NullType, false), nullable: false };
    const t = widerOrFail("array", args.map((a) => a.dataType));
    return { inputTypes: args.map((a) => castIfNeeded(a.dataType, t)), dataType: arrayType(t, args.some((a) => a.nullable)), nullable: false };
  },
  compile: () => row((...xs: unknown[]) => xs),
});

const map = scalar({
  type: "scalar",
  name: "map",
  minArgs: 0,
  maxArgs: Infinity,
  nullSafe: true,
  doc: "map(k1, v1, k2, v2, ...) - A map; duplicate or null keys are errors.",
  resolve(args) {
    if (args.length % 2 !== 0) throw argError("map", `map expects a positive even number of arguments, got ${args.length}.`, "WRONG_NUM_ARGS.WITHOUT_SUGGESTION");
    if (args.length === 0) return { inputTypes: [], dataType: mapType(NullType, NullType, false), nullable: false };
    const kt = widerOrFail("map", args.filter((_, i) => i % 2 === 0).map((a) => a.dataType));
    const vt = widerOrFail("map", args.filter((_, i) => i % 2 === 1).map((a) => a.dataType));
    if (kt.kind === "map") throw argError("map", "the key of a map cannot be a map.", "DATATYPE_MISMATCH.INVALID_MAP_KEY_TYPE");
    return {
      inputTypes: args.map((a, i) => castIfNeeded(a.dataType, i % 2 === 0 ? kt : vt)),
      dataType: mapType(kt, vt, args.some((a, i) => i % 2 === 1 && a.nullable)),
      nullable: false,
    };
  },
  compile(sig) {
    const kt = (sig.dataType as MapType).keyType;
    return row((...xs: unknown[]) => {
      const pairs: [unknown, unknown][] = [];
      for (let i = 0; i < xs.length; i += 2) pairs.push([xs[i], xs[i + 1]]);
      return buildMap(kt, pairs);
    });
  },
});

const struct = scalar({
  type: "scalar",
  name: "struct",
  minArgs: 0,
  maxArgs: Infinity,
  nullSafe: true,
  doc: "struct(a, b, ...) - A struct whose fields are named after the argument columns (col1, col2, ... otherwise).",
  resolve(args) {
    const fields = args.map((a, i) => structField((a as NamedArgInfo).name ?? `col${i + 1}`, a.dataType, a.nullable));
    return { inputTypes: args.map(() => null), dataType: structType(fields), nullable: false, state: fields.map((f) => f.name) };
  },
  compile: () => row((...xs: unknown[]) => xs),
});

const namedStruct = scalar({
  type: "scalar",
  name: "named_struct",
  minArgs: 0,
  maxArgs: Infinity,
  nullSafe: true,
  doc: "named_struct(name1, v1, name2, v2, ...) - A struct with the given field names (string literals).",
  resolve(args) {
    if (args.length % 2 !== 0) throw argError("named_struct", `named_struct expects an even number of arguments, got ${args.length}.`, "WRONG_NUM_ARGS.WITHOUT_SUGGESTION");
    const fields: StructField[] = [];
    for (let i = 0; i < args.length; i += 2) {
      const n = args[i]!;
      if (!n.foldable || typeof n.value !== "string") {
        throw argError("named_struct", `only foldable STRING expressions are allowed to appear at odd position, got ${quoted(n.dataType)}.`, "DATATYPE_MISMATCH.CREATE_NAMED_STRUCT_WITHOUT_FOLDABLE_STRING");
      }
      fields.push(structField(n.value, args[i + 1]!.dataType, args[i + 1]!.nullable));
    }
    return { inputTypes: args.map(() => null), dataType: structType(fields), nullable: false, state: fields.map((f) => f.name) };
  },
  compile: () => row((...xs: unknown[]) => xs.filter((_, i) => i % 2 === 1)),
});

// ---------------------------------------------------------------------------------------------
// Array functions

/** A definition with resolve and compile written by hand, minimal boilerplate. */
function def(
  name: string,
  min: number,
  max: number,
  resolve: (args: readonly ArgInfo[]) => Signature,
  compile: ScalarFunctionDef["compile"],
  extra: Partial<Pick<ScalarFunctionDef, "nullSafe" | "aliases" | "doc" | "deterministic">> = {},
): ScalarFunctionDef {
  return scalar({
    type: "scalar",
    name,
    minArgs: min,
    maxArgs: max,
    resolve(args) {
      checkArgCount(name, args.length, min, max);
      return resolve(args);
    },
    compile,
    ...extra,
  });
}

/** (array<T>, T) with T widened between the element type and the value. */
export function arrayAndElement(name: string, args: readonly ArgInfo[]): { inputTypes: (DataType | null)[]; elem: DataType } {
  const at = elementOf(name, args, 0);
  const t = findWiderType(at.elementType, args[1]!.dataType);
  if (!t) {
    throw new AnalysisError(
      "DATATYPE_MISMATCH.ARRAY_FUNCTION_DIFF_TYPES",
      `Cannot resolve "${name}" due to data type mismatch: Input to \`${name}\` should have been "ARRAY" followed by a value with same element type, but it's [${quoted(args[0]!.dataType)}, ${quoted(args[1]!.dataType)}].`,
    );
  }
  return { inputTypes: [castIfNeeded(at, arrayType(t, at.containsNull)), castIfNeeded(args[1]!.dataType, t)], elem: t };
}

const arrayContains = def("array_contains", 2, 2, (args) => {
  const { inputTypes } = arrayAndElement("array_contains", args);
  return { inputTypes, dataType: BooleanType };
}, (sig) => {
  const eq = valueEquals((sig.argTypes[0] as ArrayType).elementType);
  return row((a: unknown[], v: unknown) => {
    let sawNull = false;
    for (const x of a) {
      if (x === null) sawNull = true;
      else if (eq(x, v)) return true;
    }
    return sawNull ? null : false;
  });
});

const arrayPosition = def("array_position", 2, 2, (args) => {
  const { inputTypes } = arrayAndElement("array_position", args);
  return { inputTypes, dataType: LongType };
}, (sig) => {
  const eq = valueEquals((sig.argTypes[0] as ArrayType).elementType);
  return row((a: unknown[], v: unknown) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== null && eq(a[i], v)) return i + 1;
    return 0;
  });
});

const arrayRemove = def("array_remove", 2, 2, (args) => {
  const { inputTypes } = arrayAndElement("array_remove", args);
  return { inputTypes, dataType: inputTypes[0] ?? args[0]!.dataType };
}, (sig) => {
  const eq = valueEquals((sig.argTypes[0] as ArrayType).elementType);
  return row((a: unknown[], v: unknown) => a.filter((x) => x === null || !eq(x, v)));
});

function distinctBy(t: DataType, xs: Iterable<unknown>, out: unknown[] = [], seen = new Set<unknown>()): unknown[] {
  const key = keyOf(t);
  for (const x of xs) {
    const k = key(x);
    if (!seen.has(k)) { seen.add(k); out.push(x); }
  }
  return out;
}

const arrayDistinct = def("array_distinct", 1, 1, (args) => ({ inputTypes: [null], dataType: elementOf("array_distinct", args, 0) }), (sig) => {
  const t = (sig.argTypes[0] as ArrayType).elementType;
  return row((a: unknown[]) => distinctBy(t, a));
});

function setOp(name: string, op: "union" | "intersect" | "except"): ScalarFunctionDef {
  return def(name, 2, 2, (args) => {
    const a = elementOf(name, args, 0), b = elementOf(name, args, 1);
    const t = findWiderType(a.elementType, b.elementType);
    if (!t) throw typeError(name, 1, quoted(args[0]!.dataType), args[1]!.dataType);
    const at = arrayType(t, op === "union" ? a.containsNull || b.containsNull : op === "intersect" ? a.containsNull && b.containsNull : a.containsNull);
    return { inputTypes: [castIfNeeded(a, arrayType(t, a.containsNull)), castIfNeeded(b, arrayType(t, b.containsNull))], dataType: at };
  }, (sig) => {
    const t = (sig.dataType as ArrayType).elementType;
    const key = keyOf(t);
    return row((a: unknown[], b: unknown[]) => {
      if (op === "union") { const seen = new Set<unknown>(); return distinctBy(t, b, distinctBy(t, a, [], seen), seen); }
      const other = new Set(b.map(key));
      const out: unknown[] = [];
      const seen = new Set<unknown>();
      for (const x of a) {
        const k = key(x);
        if (seen.has(k)) continue;
        if (other.has(k) === (op === "intersect")) { seen.add(k); out.push(x); }
      }
      return out;
    });
  });
}

const arrayJoin = def("array_join", 2, 3, (args) => {
  const at = elementOf("array_join", args, 0);
  return {
    inputTypes: [castIfNeeded(at, arrayType(StringType)) && coerceArg("array_join", 0, args[0]!, arrayType(StringType)), coerceArg("array_join", 1, args[1]!, StringType), ...(args.length === 3 ? [coerceArg("array_join", 2, args[2]!, StringType)] : [])],
    dataType: StringType,
  };
}, () => row((a: (string | null)[], sep: string, rep?: string) => {
  const parts: string[] = [];
  for (const x of a) {
    if (x !== null) parts.push(x);
    else if (rep !== undefined) parts.push(rep);
  }
  return parts.join(sep);
}));

function arrayExtremum(name: string, greater: boolean): ScalarFunctionDef {
  return def(name, 1, 1, (args) => {
    const at = elementOf(name, args, 0);
    if (!isOrderable(at.elementType)) throw typeError(name, 0, `"ARRAY" of orderable type`, at);
    return { inputTypes: [null], dataType: at.elementType };
  }, (sig) => {
    const cmp = comparatorFor((sig.argTypes[0] as ArrayType).elementType);
    return row((a: unknown[]) => {
      let best: unknown = null;
      for (const x of a) if (x !== null && (best === null || (greater ? cmp(x, best) > 0 : cmp(x, best) < 0))) best = x;
      return best;
    });
  });
}

const arrayRepeat = def("array_repeat", 2, 2, (args) => ({
  inputTypes: [null, coerceArg("array_repeat", 1, args[1]!, IntegerType)],
  dataType: arrayType(args[0]!.dataType, args[0]!.nullable),
}), () => row((v: unknown, n: number | null) => (n === null ? null : Array.from({ length: Math.max(0, n) }, () => v))), { nullSafe: true });

const arraysOverlap = def("arrays_overlap", 2, 2, (args) => {
  const a = elementOf("arrays_overlap", args, 0), b = elementOf("arrays_overlap", args, 1);
  const t = findWiderType(a.elementType, b.elementType);
  if (!t) throw typeError("arrays_overlap", 1, quoted(args[0]!.dataType), args[1]!.dataType);
  return { inputTypes: [castIfNeeded(a, arrayType(t)), castIfNeeded(b, arrayType(t))], dataType: BooleanType };
}, (sig) => {
  const key = keyOf((sig.argTypes[0] as ArrayType).elementType);
  return row((a: unknown[], b: unknown[]) => {
    const s = new Set<unknown>();
    let sawNull = false;
    for (const x of a) { if (x === null) sawNull = true; else s.add(key(x)); }
    for (const y of b) { if (y === null) sawNull = true; else if (s.has(key(y))) return true; }
    return sawNull && a.length > 0 && b.length > 0 ? null : false;
  });
});

const arraysZip = def("arrays_zip", 0, Infinity, (args) => {
  const fields = args.map((a, i) => structField((a as NamedArgInfo).name ?? String(i), elementOf("arrays_zip", args, i).elementType, true));
  return { inputTypes: args.map(() => null), dataType: arrayType(structType(fields), false) };
}, () => row((...arrs: unknown[][]) => {
  const n = arrs.reduce((m, a) => Math.max(m, a.length), 0);
  return Array.from({ length: n }, (_, i) => arrs.map((a) => (i < a.length ? a[i] : null)));
}));

const sortArray = def("sort_array", 1, 2, (args) => {
  const at = elementOf("sort_array", args, 0);
  if (!isOrderable(at.elementType)) throw typeError("sort_array", 0, `"ARRAY" of orderable type`, at);
  if (args.length === 2 && args[1]!.dataType.kind !== "boolean") throw typeError("sort_array", 1, `"BOOLEAN"`, args[1]!.dataType);
  return { inputTypes: args.map(() => null), dataType: at };
}, (sig) => {
  const cmp = comparatorFor((sig.argTypes[0] as ArrayType).elementType);
  return row((a: unknown[], asc = true) => {
    const c = (x: unknown, y: unknown): number => (x === null ? (y === null ? 0 : -1) : y === null ? 1 : cmp(x, y));
    return [...a].sort(asc ? c : (x, y) => c(y, x));
  });
});

const arraySort = def("array_sort", 1, 2, (args) => {
  const at = elementOf("array_sort", args, 0);
  if (args.length === 1 && !isOrderable(at.elementType)) throw typeError("array_sort", 0, `"ARRAY" of orderable type`, at);
  if (args.length === 2 && args[1]!.dataType.kind !== "null" && !isIntegral(args[1]!.dataType)) throw typeError("array_sort", 1, `a comparator returning "INT"`, args[1]!.dataType);
  return { inputTypes: args.map(() => null), dataType: at, ...(args.length === 2 ? { lambdaParams: [null, [at.elementType, at.elementType]] } : {}) };
}, (sig) => {
  const cmp = comparatorFor((sig.argTypes[0] as ArrayType).elementType);
  return row((a: unknown[], f?: Lambda) => {
    if (f) {
      return [...a].sort((x, y) => {
        const r = f(x, y);
        if (r === null) throw new ExecutionError("COMPARATOR_RETURNS_NULL", "[COMPARATOR_RETURNS_NULL] The comparator has returned a NULL for a comparison between elements.");
        return Number(r as Long);
      });
    }
    return [...a].sort((x, y) => (x === null ? (y === null ? 0 : 1) : y === null ? -1 : cmp(x, y)));
  });
});

const slice = def("slice", 3, 3, (args) => ({
  inputTypes: [null, coerceArg("slice", 1, args[1]!, IntegerType), coerceArg("slice", 2, args[2]!, IntegerType)],
  dataType: elementOf("slice", args, 0),
}), () => row((a: unknown[], start: number, len: number) => {
  if (start === 0) throw new ExecutionError("INVALID_PARAMETER_VALUE.START", "[INVALID_PARAMETER_VALUE.START] The value of parameter start of `slice` is invalid: Expects a positive or a negative value for `start`, but got 0.");
  if (len < 0) throw new ExecutionError("INVALID_PARAMETER_VALUE.LENGTH", `[INVALID_PARAMETER_VALUE.LENGTH] The value of parameter length of \`slice\` is invalid: Expects \`length\` greater than or equal to 0, but got ${len}.`);
  const s = start > 0 ? start - 1 : a.length + start;
  if (s < 0 || s >= a.length) return [];
  return a.slice(s, s + len);
}));

const flatten = def("flatten", 1, 1, (args) => {
  const at = elementOf("flatten", args, 0);
  if (at.elementType.kind !== "array") throw typeError("flatten", 0, `"ARRAY<ARRAY>"`, at);
  return { inputTypes: [null], dataType: at.elementType };
}, () => row((a: (unknown[] | null)[]) => {
  const out: unknown[] = [];
  for (const x of a) {
    if (x === null) return null;
    for (const y of x) out.push(y);
  }
  return out;
}));

const sequence = def("sequence", 2, 3, (args) => {
  const t = widerOrFail("sequence", args.slice(0, 2).map((a) => a.dataType));
  if (isIntegral(t)) {
    return { inputTypes: [castIfNeeded(args[0]!.dataType, t), castIfNeeded(args[1]!.dataType, t), ...(args.length === 3 ? [coerceArg("sequence", 2, args[2]!, t)] : [])], dataType: arrayType(t, false) };
  }
  if (t.kind === "date" || t.kind === "timestamp") {
    if (args.length === 3 && args[2]!.dataType.kind !== "interval") throw typeError("sequence", 2, `"INTERVAL"`, args[2]!.dataType);
    return { inputTypes: [castIfNeeded(args[0]!.dataType, t), castIfNeeded(args[1]!.dataType, t), ...(args.length === 3 ? [null] : [])], dataType: arrayType(t, false) };
  }
  throw typeError("sequence", 0, `("INTEGRAL" or "DATE" or "TIMESTAMP")`, t);
}, (sig, ctx) => {
  const t = (sig.dataType as ArrayType).elementType;
  const MAX = 2147483632;
  const tooLong = (n: number): ExecutionError =>
    new ExecutionError("COLLECTION_SIZE_LIMIT_EXCEEDED", `[COLLECTION_SIZE_LIMIT_EXCEEDED] Can't create array with ${n} elements which exceeding the array size limit ${MAX}.`);
  if (isIntegral(t)) {
    return row((a: Long, b: Long, step?: Long) => {
      const x = Number(a), y = Number(b);
      const s = step === undefined ? (x <= y ? 1 : -1) : Number(step);
      if (s === 0 || (s > 0 && x > y) || (s < 0 && x < y)) {
        if (x === y) return [a];
        throw new ExecutionError("ILLEGAL_SEQUENCE_BOUNDARIES", `[SEQUENCE_WRONG_INPUT_TYPES] Illegal sequence boundaries: ${x} to ${y} by ${s}.`);
      }
      const n = Math.floor((y - x) / s) + 1;
      if (n > MAX) throw tooLong(n);
      return Array.from({ length: n }, (_, i) => x + i * s);
    });
  }
  const tz = ctx.timeZone;
  const isDate = t.kind === "date";
  return row((a: number, b: number, step?: Interval) => {
    const iv: Interval = step ?? (isDate ? { months: 0, days: a <= b ? 1 : -1, micros: 0 } : { months: 0, days: a <= b ? 1 : -1, micros: 0 });
    const out: number[] = [];
    const forward = iv.months > 0 || iv.days > 0 || iv.micros > 0;
    if (iv.months === 0 && iv.days === 0 && iv.micros === 0) throw new ExecutionError("ILLEGAL_SEQUENCE_BOUNDARIES", "Illegal sequence boundaries: the step must not be zero.");
    if ((forward && a > b) || (!forward && a < b)) throw new ExecutionError("ILLEGAL_SEQUENCE_BOUNDARIES", "Illegal sequence boundaries: the step goes away from the stop value.");
    for (let i = 0; ; i++) {
      const scaled: Interval = { months: iv.months * i, days: iv.days * i, micros: iv.micros * i };
      const v = isDate ? addDays(a, scaled) : addInterval(a, scaled, tz);
      if (forward ? v > b : v < b) break;
      out.push(v);
      if (out.length > MAX) throw tooLong(out.length);
    }
    return out;
  });
});
function addDays(days: number, iv: Interval): number {
  const { year, month, day } = civilFromDays(days);
  const total = year * 12 + month - 1 + iv.months;
  const y = Math.floor(total / 12), m = total - y * 12 + 1;
  const dim = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return daysFromCivil(y, m, Math.min(day, dim)) + iv.days + Math.trunc(iv.micros / 86_400_000_000);
}

const size = def("size", 1, 1, (args) => {
  const t = args[0]!.dataType;
  if (t.kind !== "array" && t.kind !== "map" && t.kind !== "null") throw typeError("size", 0, `("ARRAY" or "MAP")`, t);
  return { inputTypes: [null], dataType: IntegerType };
}, (_sig, ctx) => {
  const ofNull = ctx.ansi ? null : -1;
  return row((a: unknown[] | Map<unknown, unknown> | null) => (a === null ? ofNull : Array.isArray(a) ? a.length : a.size));
}, { nullSafe: true, aliases: ["cardinality"], doc: "size(array|map) - The number of elements; -1 for null (null under ANSI mode), as spark.sql.legacy.sizeOfNull." });

function elementAtDef(name: string, tryMode: boolean): ScalarFunctionDef {
  return def(name, 2, 2, (args) => {
    const t = args[0]!.dataType;
    if (t.kind === "array") return { inputTypes: [null, coerceArg(name, 1, args[1]!, IntegerType)], dataType: t.elementType };
    if (t.kind === "map") return { inputTypes: [null, coerceArg(name, 1, args[1]!, t.keyType)], dataType: t.valueType };
    throw typeError(name, 0, `("ARRAY" or "MAP")`, t);
  }, (sig, ctx) => {
    const t = sig.argTypes[0]!;
    if (t.kind === "map") {
      const get = mapGetter(t.keyType);
      return row((m: Map<unknown, unknown>, k: unknown) => get(m, k));
    }
    const strict = ctx.ansi && !tryMode;
    return row((a: unknown[], i: number) => {
      if (i === 0) throw new ExecutionError("INVALID_INDEX_OF_ZERO", "[INVALID_INDEX_OF_ZERO] The index 0 is invalid. An index shall be either < 0 or > 0 (the first element has index 1).");
      const idx = i > 0 ? i - 1 : a.length + i;
      if (idx < 0 || idx >= a.length) {
        if (strict) throw new ExecutionError("INVALID_ARRAY_INDEX_IN_ELEMENT_AT", `[INVALID_ARRAY_INDEX_IN_ELEMENT_AT] The index ${i} is out of bounds. The array has ${a.length} elements. Use \`try_element_at\` to tolerate accessing element at invalid index and return NULL instead. If necessary set "sluice.sql.ansi.enabled" to "false" to bypass this error.`);
        return null;
      }
      return a[idx];
    });
  });
}

const get = def("get", 2, 2, (args) => ({ inputTypes: [null, coerceArg("get", 1, args[1]!, IntegerType)], dataType: elementOf("get", args, 0).elementType }),
  () => row((a: unknown[], i: number) => (i < 0 || i >= a.length ? null : a[i])));

// ---------------------------------------------------------------------------------------------
// Map functions

const mapKeys = def("map_keys", 1, 1, (args) => ({ inputTypes: [null], dataType: arrayType(mapOf("map_keys", args, 0).keyType, false) }), () => row((m: Map<unknown, unknown>) => [...m.keys()]));
const mapValues = def("map_values", 1, 1, (args) => {
  const m = mapOf("map_values", args, 0);
  return { inputTypes: [null], dataType: arrayType(m.valueType, m.valueContainsNull) };
}, () => row((m: Map<unknown, unknown>) => [...m.values()]));
const mapEntries = def("map_entries", 1, 1, (args) => {
  const m = mapOf("map_entries", args, 0);
  return { inputTypes: [null], dataType: arrayType(structType([structField("key", m.keyType, false), structField("value", m.valueType, m.valueContainsNull)]), false) };
}, () => row((m: Map<unknown, unknown>) => [...m].map(([k, v]) => [k, v])));

const mapFromArrays = def("map_from_arrays", 2, 2, (args) => {
  const k = elementOf("map_from_arrays", args, 0), v = elementOf("map_from_arrays", args, 1);
  return { inputTypes: [null, null], dataType: mapType(k.elementType, v.elementType, v.containsNull) };
}, (sig) => {
  const kt = (sig.dataType as MapType).keyType;
  return row((ks: unknown[], vs: unknown[]) => {
    if (ks.length !== vs.length) throw new ExecutionError("ILLEGAL_ARGUMENT", "map_from_arrays: the key array and the value array must have the same length.");
    return buildMap(kt, ks.map((k, i) => [k, vs[i]] as const));
  });
});

const mapFromEntries = def("map_from_entries", 1, 1, (args) => {
  const at = elementOf("map_from_entries", args, 0);
  const st = at.elementType;
  if (st.kind !== "struct" || st.fields.length !== 2) throw typeError("map_from_entries", 0, `"ARRAY" of pair "STRUCT"`, at);
  return { inputTypes: [null], dataType: mapType(st.fields[0]!.dataType, st.fields[1]!.dataType, st.fields[1]!.nullable) };
}, (sig) => {
  const kt = (sig.dataType as MapType).keyType;
  return row((a: (unknown[] | null)[]) => {
    if (a.some((e) => e === null)) return null;
    return buildMap(kt, a.map((e) => [e![0], e![1]] as const));
  });
});

const mapConcat = def("map_concat", 0, Infinity, (args) => {
  if (args.length === 0) return { inputTypes: [], dataType: mapType(StringType, StringType, false) };
  args.forEach((_, i) => mapOf("map_concat", args, i));
  const t = widerOrFail("map_concat", args.map((a) => a.dataType));
  return { inputTypes: args.map((a) => castIfNeeded(a.dataType, t)), dataType: t };
}, (sig) => {
  const kt = sig.dataType.kind === "map" ? sig.dataType.keyType : StringType;
  return row((...ms: Map<unknown, unknown>[]) => buildMap(kt, ms.flatMap((m) => [...m])));
});

const mapContainsKey = def("map_contains_key", 2, 2, (args) => {
  const m = mapOf("map_contains_key", args, 0);
  return { inputTypes: [null, coerceArg("map_contains_key", 1, args[1]!, m.keyType)], dataType: BooleanType };
}, (sig) => {
  const has = mapHas((sig.argTypes[0] as MapType).keyType);
  return row((m: Map<unknown, unknown>, k: unknown) => has(m, k));
});

const strToMap = def("str_to_map", 1, 3, (args) => ({
  inputTypes: args.map((a, i) => coerceArg("str_to_map", i, a, StringType)),
  dataType: mapType(StringType, StringType),
}), () => row((s: string, pairDelim = ",", kvDelim = ":") => {
  const pairs = javaSplit(s, javaRegex(pairDelim, "str_to_map", true), -1).map((p) => {
    const kv = javaSplit(p, javaRegex(kvDelim, "str_to_map", true), 2);
    return [kv[0]!, kv.length > 1 ? kv[1]! : null] as const;
  });
  return buildMap(StringType, pairs);
}));

// ---------------------------------------------------------------------------------------------
// Higher-order functions

function lambdaBody(args: readonly ArgInfo[], i: number): DataType | null {
  const t = args[i]!.dataType;
  return t.kind === "null" ? null : t;
}
function requireBoolean(name: string, args: readonly ArgInfo[], i: number): void {
  const b = lambdaBody(args, i);
  if (b && b.kind !== "boolean") throw typeError(name, i, `a lambda returning "BOOLEAN"`, b);
}

const transform = def("transform", 2, 2, (args) => {
  const at = elementOf("transform", args, 0);
  const body = lambdaBody(args, 1) ?? NullType;
  return { inputTypes: [null, null], dataType: arrayType(body, true), lambdaParams: [null, [at.elementType, IntegerType]] };
}, () => row((a: unknown[], f: Lambda) => a.map((x, i) => f(x, i))), { doc: "transform(array, (x[, i]) -> expr) - Applies the lambda to each element." });

const filter = def("filter", 2, 2, (args) => {
  const at = elementOf("filter", args, 0);
  requireBoolean("filter", args, 1);
  return { inputTypes: [null, null], dataType: at, lambdaParams: [null, [at.elementType, IntegerType]] };
}, () => row((a: unknown[], f: Lambda) => a.filter((x, i) => f(x, i) === true)));

const exists = def("exists", 2, 2, (args) => {
  const at = elementOf("exists", args, 0);
  requireBoolean("exists", args, 1);
  return { inputTypes: [null, null], dataType: BooleanType, lambdaParams: [null, [at.elementType]] };
}, () => row((a: unknown[], f: Lambda) => {
  let sawNull = false;
  for (const x of a) {
    const r = f(x);
    if (r === true) return true;
    if (r === null) sawNull = true;
  }
  return sawNull ? null : false;
}));

const forall = def("forall", 2, 2, (args) => {
  const at = elementOf("forall", args, 0);
  requireBoolean("forall", args, 1);
  return { inputTypes: [null, null], dataType: BooleanType, lambdaParams: [null, [at.elementType]] };
}, () => row((a: unknown[], f: Lambda) => {
  let sawNull = false;
  for (const x of a) {
    const r = f(x);
    if (r === false) return false;
    if (r === null) sawNull = true;
  }
  return sawNull ? null : true;
}));

const aggregate = def("aggregate", 3, 4, (args) => {
  const at = elementOf("aggregate", args, 0);
  const zero = args[1]!.dataType;
  const merge = lambdaBody(args, 2);
  if (merge && !sameType(merge, zero, true) && zero.kind !== "null") {
    throw argError("aggregate", `the merge lambda returns ${quoted(merge)}, but the initial value has the type ${quoted(zero)}; they must be the same (cast the initial value).`, "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE");
  }
  const acc = zero.kind === "null" && merge ? merge : zero;
  const finish = args.length === 4 ? lambdaBody(args, 3) ?? NullType : acc;
  return {
    inputTypes: [null, zero.kind === "null" && merge ? acc : null, null, ...(args.length === 4 ? [null] : [])],
    dataType: finish,
    lambdaParams: [null, null, [acc, at.elementType], ...(args.length === 4 ? [[acc]] : [])],
  };
}, () => row((a: unknown[], zero: unknown, merge: Lambda, finish?: Lambda) => {
  let acc = zero;
  for (const x of a) acc = merge(acc, x);
  return finish ? finish(acc) : acc;
}), { nullSafe: true, aliases: ["reduce"], doc: "aggregate(array, zero, (acc, x) -> merge[, acc -> finish]) - Folds the array." });

const zipWith = def("zip_with", 3, 3, (args) => {
  const a = elementOf("zip_with", args, 0), b = elementOf("zip_with", args, 1);
  return { inputTypes: [null, null, null], dataType: arrayType(lambdaBody(args, 2) ?? NullType, true), lambdaParams: [null, null, [a.elementType, b.elementType]] };
}, () => row((a: unknown[], b: unknown[], f: Lambda) => {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => f(i < a.length ? a[i] : null, i < b.length ? b[i] : null));
}));

const mapFilter = def("map_filter", 2, 2, (args) => {
  const m = mapOf("map_filter", args, 0);
  requireBoolean("map_filter", args, 1);
  return { inputTypes: [null, null], dataType: m, lambdaParams: [null, [m.keyType, m.valueType]] };
}, () => row((m: Map<unknown, unknown>, f: Lambda) => {
  const out = new Map<unknown, unknown>();
  for (const [k, v] of m) if (f(k, v) === true) out.set(k, v);
  return out;
}));

const transformKeys = def("transform_keys", 2, 2, (args) => {
  const m = mapOf("transform_keys", args, 0);
  return { inputTypes: [null, null], dataType: mapType(lambdaBody(args, 1) ?? NullType, m.valueType, m.valueContainsNull), lambdaParams: [null, [m.keyType, m.valueType]] };
}, (sig) => {
  const kt = (sig.dataType as MapType).keyType;
  return row((m: Map<unknown, unknown>, f: Lambda) => buildMap(kt, [...m].map(([k, v]) => [f(k, v), v] as const)));
});

const transformValues = def("transform_values", 2, 2, (args) => {
  const m = mapOf("transform_values", args, 0);
  return { inputTypes: [null, null], dataType: mapType(m.keyType, lambdaBody(args, 1) ?? NullType, true), lambdaParams: [null, [m.keyType, m.valueType]] };
}, () => row((m: Map<unknown, unknown>, f: Lambda) => {
  const out = new Map<unknown, unknown>();
  for (const [k, v] of m) out.set(k, f(k, v));
  return out;
}));

const mapZipWith = def("map_zip_with", 3, 3, (args) => {
  const a = mapOf("map_zip_with", args, 0), b = mapOf("map_zip_with", args, 1);
  const kt = findWiderType(a.keyType, b.keyType);
  if (!kt) throw typeError("map_zip_with", 1, quoted(a), b);
  return { inputTypes: [null, null, null], dataType: mapType(kt, lambdaBody(args, 2) ?? NullType, true), lambdaParams: [null, null, [kt, a.valueType, b.valueType]] };
}, (sig) => {
  const kt = (sig.dataType as MapType).keyType;
  const getter = mapGetter(kt);
  return row((a: Map<unknown, unknown>, b: Map<unknown, unknown>, f: Lambda) => {
    const keys = distinctBy(kt, [...a.keys(), ...b.keys()]);
    const out = new Map<unknown, unknown>();
    for (const k of keys) out.set(k, f(k, getter(a, k), getter(b, k)));
    return out;
  });
});

export const COLLECTION_FUNCTIONS: readonly ScalarFunctionDef[] = [
  array, map, struct, namedStruct, arrayContains, arrayPosition, arrayRemove, arrayDistinct, setOp("array_union", "union"),
  setOp("array_intersect", "intersect"), setOp("array_except", "except"), arrayJoin, arrayExtremum("array_max", true),
  arrayExtremum("array_min", false), arrayRepeat, arraysOverlap, arraysZip, sortArray, arraySort, slice, flatten, sequence, size,
  elementAtDef("element_at", false), elementAtDef("try_element_at", true), get, mapKeys, mapValues, mapEntries, mapFromArrays,
  mapFromEntries, mapConcat, mapContainsKey, strToMap, transform, filter, exists, forall, aggregate, zipWith, mapFilter,
  transformKeys, transformValues, mapZipWith,
];

registerFunctions(COLLECTION_FUNCTIONS);


