import { AnalysisError } from "../../errors/errors.js";
import {
  type DataType, DoubleType, IntegerType, LongType, StringType, type StructType, arrayType,
  sqlTypeName, structField, structType,
} from "../../types/data-type.js";
import { compileDateTimeFormat } from "../../types/datetime-format.js";
import { formatDate, parseDate, parseTimestamp } from "../../types/datetime.js";
import { parseDataTypeDDL, parseSchemaOrStruct } from "../../types/ddl.js";
import { type Long, normalizeLong } from "../../types/long.js";
import { decimalToString } from "../../types/values.js";
import { registerFunctions, registerInternalFunctions } from "../function-registry.js";
import type { ArgInfo, ScalarFunctionDef } from "../function-def.js";
import { findWiderType } from "../type-coercion.js";
import { javaDoubleToString, javaFloatToString, valueToString } from "../value-string.js";
import { fitsPrecision, parseDecimalText, rescale } from "./decimal-util.js";
import { argError, checkArgCount, coerceArg, fn, row, scalar, typeError } from "./define.js";
import { type JsonValue, isNumber, isObject, parseJson, writeJson } from "./json-value.js";

/** JSON functions: from_json, to_json, get_json_object, schema_of_json, json_array_length, json_object_keys. */

function schemaFromText(text: string): DataType {
  const t = text.trim();
  if (/^(array|map)\s*</i.test(t)) return parseDataTypeDDL(t);
  try {
    return parseSchemaOrStruct(t);
  } catch (e) {
    try {
      return parseDataTypeDDL(t);
    } catch {
      throw e;
    }
  }
}

function optionsOf(v: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (v instanceof Map) for (const [k, x] of v) out.set(String(k).toLowerCase(), String(x));
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON → internal values

class FieldMismatch extends Error {}

function convert(v: JsonValue, t: DataType, tz: string): unknown {
  if (v === null) return null;
  switch (t.kind) {
    case "string":
      return typeof v === "string" ? v : writeJson(v);
    case "boolean":
      if (typeof v === "boolean") return v;
      throw new FieldMismatch();
    case "byte": case "short": case "int": case "long": {
      if (!isNumber(v) || !/^-?\d+$/.test(v.num)) throw new FieldMismatch();
      const b = BigInt(v.num);
      const bits = t.kind === "long" ? 64n : t.kind === "int" ? 32n : t.kind === "short" ? 16n : 8n;
      if (b >= 1n << (bits - 1n) || b < -(1n << (bits - 1n))) throw new FieldMismatch();
      return normalizeLong(b);
    }
    case "float": case "double": {
      let d: number;
      if (isNumber(v)) d = Number(v.num.replace(/^\+/, ""));
      else if (typeof v === "string" && /^[+-]?(NaN|Infinity|INF)$/i.test(v)) d = /nan/i.test(v) ? NaN : v.startsWith("-") ? -Infinity : Infinity;
      else throw new FieldMismatch();
      return t.kind === "float" ? Math.fround(d) : d;
    }
    case "decimal": {
      const p = isNumber(v) ? parseDecimalText(v.num) : typeof v === "string" ? parseDecimalText(v.trim()) : null;
      if (!p) throw new FieldMismatch();
      const u = rescale(p.unscaled, p.scale, t.scale);
      if (!fitsPrecision(u, t.precision)) throw new FieldMismatch();
      return normalizeLong(u);
    }
    case "date": {
      if (typeof v !== "string") throw new FieldMismatch();
      const d = parseDate(v);
      if (d === null) throw new FieldMismatch();
      return d;
    }
    case "timestamp": {
      if (typeof v === "string") {
        const m = parseTimestamp(v, tz);
        if (m === null) throw new FieldMismatch();
        return m;
      }
      if (isNumber(v) && /^-?\d+$/.test(v.num)) return Number(v.num) * 1_000_000;
      throw new FieldMismatch();
    }
    case "binary":
      if (typeof v === "string") return new Uint8Array(Buffer.from(v, "base64"));
      throw new FieldMismatch();
    case "array":
      if (!Array.isArray(v)) throw new FieldMismatch();
      return v.map((e) => convert(e, t.elementType, tz));
    case "map": {
      if (!isObject(v)) throw new FieldMismatch();
      const m = new Map<unknown, unknown>();
      for (const [k, x] of v.obj) m.set(t.keyType.kind === "string" ? k : convert({ num: k }, t.keyType, tz), convert(x, t.valueType, tz));
      return m;
    }
    case "struct":
      if (!isObject(v)) throw new FieldMismatch();
      return convertStruct(v.obj, t, tz);
    default:
      throw new FieldMismatch();
  }
}

/** Fields of an object by name; a field that does not fit its type is null (Spark's partial results). */
function convertStruct(obj: readonly [string, JsonValue][], t: StructType, tz: string): unknown[] {
  const out: unknown[] = new Array<unknown>(t.fields.length).fill(null);
  const index = new Map(t.fields.map((f, i) => [f.name, i]));
  for (const [k, x] of obj) {
    const i = index.get(k);
    if (i === undefined) continue;
    try {
      out[i] = convert(x, t.fields[i]!.dataType, tz);
    } catch (e) {
      if (!(e instanceof FieldMismatch)) throw e;
      out[i] = null;
    }
  }
  return out;
}

const fromJson = scalar({
  type: "scalar",
  name: "from_json",
  minArgs: 2,
  maxArgs: 3,
  doc: "from_json(json, schema[, options]) - Parses JSON text into a struct, array or map (schema as DDL); malformed text gives a struct of nulls (PERMISSIVE).",
  resolve(args) {
    checkArgCount("from_json", args.length, 2, 3);
    const s = args[1]!;
    if (!s.foldable || typeof s.value !== "string") {
      throw argError("from_json", "the schema must be a string literal, such as 'a INT, b STRING'.", "INVALID_SCHEMA.NON_STRING_LITERAL");
    }
    let t: DataType;
    try {
      t = schemaFromText(s.value);
    } catch (e) {
      throw new AnalysisError("INVALID_SCHEMA.PARSE_ERROR", `The input schema '${s.value}' is not a valid schema string for from_json: ${(e as Error).message}`);
    }
    if (t.kind !== "struct" && t.kind !== "array" && t.kind !== "map") throw argError("from_json", `the schema must be a struct, array or map, got ${sqlTypeName(t)}.`, "DATATYPE_MISMATCH.INVALID_JSON_SCHEMA");
    const opts = optionsOf(args[2]?.value);
    return { inputTypes: [coerceArg("from_json", 0, args[0]!, StringType), null, ...(args.length === 3 ? [null] : [])], dataType: t, state: { mode: opts.get("mode") ?? "PERMISSIVE" } };
  },
  compile(sig, ctx) {
    const t = sig.dataType;
    const tz = ctx.timeZone;
    const failfast = (sig.state as { mode: string }).mode.toUpperCase() === "FAILFAST";
    const malformed = (s: string): unknown => {
      if (failfast) throw new AnalysisError("MALFORMED_RECORD_IN_PARSING", `[MALFORMED_RECORD_IN_PARSING] Malformed records are detected in record parsing: ${s}.`);
      return t.kind === "struct" ? t.fields.map(() => null) : null;
    };
    return row((s: string) => {
      const r = parseJson(s);
      if (!r.ok) return malformed(s);
      const v = r.value;
      if (v === null) return null;
      if (t.kind === "struct") {
        if (isObject(v)) return convertStruct(v.obj, t, tz);
        if (Array.isArray(v) && v.length > 0 && isObject(v[0]!)) return convertStruct(v[0].obj, t, tz);
        return malformed(s);
      }
      try {
        return convert(v, t, tz);
      } catch (e) {
        if (e instanceof FieldMismatch) return malformed(s);
        throw e;
      }
    });
  },
});

// ---------------------------------------------------------------------------------------------
// internal values → JSON

const jsonTsFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";

function toJsonText(v: unknown, t: DataType, tz: string): string {
  if (v === null) return "null";
  switch (t.kind) {
    case "string": return JSON.stringify(v);
    case "boolean": return v ? "true" : "false";
    case "byte": case "short": case "int": case "long": return String(v as Long);
    case "double": case "float": {
      const d = v as number;
      if (!Number.isFinite(d)) return JSON.stringify(Number.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
      return t.kind === "float" ? javaFloatToString(d) : javaDoubleToString(d);
    }
    case "decimal": return decimalToString(v as Long, t.scale);
    case "date": return JSON.stringify(formatDate(v as number));
    case "timestamp": return JSON.stringify(compileDateTimeFormat(jsonTsFormat).format(v as number, tz));
    case "binary": return JSON.stringify(Buffer.from(v as Uint8Array).toString("base64"));
    case "array": return "[" + (v as unknown[]).map((e) => toJsonText(e, t.elementType, tz)).join(",") + "]";
    case "map": {
      const parts: string[] = [];
      for (const [k, x] of v as Map<unknown, unknown>) parts.push(JSON.stringify(valueToString(k, t.keyType, tz)) + ":" + toJsonText(x, t.valueType, tz));
      return "{" + parts.join(",") + "}";
    }
    case "struct": {
      const a = v as unknown[];
      const parts: string[] = [];
      t.fields.forEach((f, i) => { if (a[i] !== null) parts.push(JSON.stringify(f.name) + ":" + toJsonText(a[i], f.dataType, tz)); });
      return "{" + parts.join(",") + "}";
    }
    default: return JSON.stringify(valueToString(v, t, tz));
  }
}

const toJson = scalar({
  type: "scalar",
  name: "to_json",
  minArgs: 1,
  maxArgs: 2,
  doc: "to_json(struct|map|array[, options]) - JSON text of the value; null struct fields are omitted.",
  resolve(args) {
    checkArgCount("to_json", args.length, 1, 2);
    const t = args[0]!.dataType;
    if (t.kind !== "struct" && t.kind !== "map" && t.kind !== "array") throw typeError("to_json", 0, `("STRUCT" or "MAP" or "ARRAY")`, t);
    return { inputTypes: args.map(() => null), dataType: StringType };
  },
  compile(sig, ctx) {
    const t = sig.argTypes[0]!, tz = ctx.timeZone;
    return row((v: unknown) => toJsonText(v, t, tz));
  },
});

// ---------------------------------------------------------------------------------------------
// get_json_object

type PathStep = { k: "field"; name: string } | { k: "index"; i: number } | { k: "wild" };

function parsePath(p: string): PathStep[] | null {
  if (!p.startsWith("$")) return null;
  const steps: PathStep[] = [];
  let i = 1;
  while (i < p.length) {
    if (p[i] === ".") {
      const m = /^\.([^.[\]]+)/.exec(p.slice(i));
      if (!m) return null;
      steps.push(m[1] === "*" ? { k: "wild" } : { k: "field", name: m[1]! });
      i += m[0].length;
    } else if (p[i] === "[") {
      const m = /^\[(?:(\d+)|\*|'([^']*)')\]/.exec(p.slice(i));
      if (!m) return null;
      if (m[1] !== undefined) steps.push({ k: "index", i: Number(m[1]) });
      else if (m[2] !== undefined) steps.push({ k: "field", name: m[2] });
      else steps.push({ k: "wild" });
      i += m[0].length;
    } else return null;
  }
  return steps;
}

const NOTHING = Symbol("nothing");
function evalPath(v: JsonValue, steps: readonly PathStep[], at: number): JsonValue | typeof NOTHING {
  if (at === steps.length) return v;
  const s = steps[at]!;
  if (s.k === "field") {
    if (!isObject(v)) return NOTHING;
    const e = v.obj.find(([k]) => k === s.name);
    return e ? evalPath(e[1], steps, at + 1) : NOTHING;
  }
  if (!Array.isArray(v)) return NOTHING;
  if (s.k === "index") return s.i < v.length ? evalPath(v[s.i]!, steps, at + 1) : NOTHING;
  const out: JsonValue[] = [];
  for (const e of v) {
    const r = evalPath(e, steps, at + 1);
    if (r === NOTHING) continue;
    if (Array.isArray(r) && steps.slice(at + 1).some((x) => x.k === "wild")) out.push(...r);
    else out.push(r);
  }
  if (out.length === 0) return NOTHING;
  return out.length === 1 && steps.slice(at + 1).every((x) => x.k !== "wild") ? out[0]! : out;
}

const getJsonObject = fn({
  name: "get_json_object", args: [StringType, StringType], result: StringType,
  doc: "get_json_object(json, path) - The value at a JSONPath ($.a.b[0], $['a'], [*]); strings unquoted, objects and arrays as JSON text.",
  impl: () => {
    let lastPath: string | null = null;
    let steps: PathStep[] | null = null;
    return row((s: string, p: string) => {
      if (p !== lastPath) { lastPath = p; steps = parsePath(p.trim()); }
      if (!steps) return null;
      const r = parseJson(s);
      if (!r.ok) return null;
      const v = evalPath(r.value, steps, 0);
      if (v === NOTHING || v === null) return null;
      return typeof v === "string" ? v : writeJson(v);
    });
  },
});

/**
 * The rows of json_tuple(json, name1, name2, ...): always ONE struct <c0, c1, ...> (all strings),
 * as Spark's JsonTuple — the top-level fields of a JSON object by exact name (strings unquoted,
 * other values as compact JSON text, JSON null as null), and all nulls when the input is null,
 * not valid JSON or not an object. A name asked for twice fills both columns; a key repeated in
 * the object keeps its last value. The analyzer calls it as the argument of `inline`.
 */
export const jsonTupleRow = scalar({
  type: "scalar",
  name: "__json_tuple",
  minArgs: 2,
  maxArgs: Infinity,
  nullSafe: true,
  resolve(args: readonly ArgInfo[]) {
    checkArgCount("json_tuple", args.length, 2, Infinity);
    const inputTypes = args.map((a, i) => coerceArg("json_tuple", i, a, StringType));
    return { inputTypes, dataType: jsonTupleType(args.length - 1), nullable: false };
  },
  compile() {
    return row((json: string | null, ...names: (string | null)[]) => {
      const out: (string | null)[] = names.map(() => null);
      if (json !== null) {
        const r = parseJson(json);
        if (r.ok && isObject(r.value)) {
          for (const [k, v] of r.value.obj) {
            for (let i = 0; i < names.length; i++) {
              if (names[i] === k) out[i] = v === null ? null : typeof v === "string" ? v : writeJson(v);
            }
          }
        }
      }
      return [out];
    });
  },
});

/** array<struct<c0: string, ..., c{n-1}: string>>: the type of jsonTupleRow with `n` names. */
export function jsonTupleType(n: number): DataType {
  return arrayType(structType(Array.from({ length: n }, (_, i) => structField(`c${i}`, StringType, true))), false);
}

// ---------------------------------------------------------------------------------------------
// schema_of_json, json_array_length, json_object_keys

function inferType(v: JsonValue): DataType {
  if (v === null) return StringType;
  if (typeof v === "boolean") return { kind: "boolean" };
  if (typeof v === "string") return StringType;
  if (isNumber(v)) return /^-?\d+$/.test(v.num) ? (BigInt(v.num) >= -(2n ** 63n) && BigInt(v.num) < 2n ** 63n ? LongType : { kind: "decimal", precision: Math.min(38, v.num.replace("-", "").length), scale: 0 }) : DoubleType;
  if (Array.isArray(v)) {
    let t: DataType | null = null;
    for (const e of v) {
      if (e === null) continue;
      const et = inferType(e);
      t = t === null ? et : (findWiderType(t, et) ?? StringType);
    }
    return arrayType(t ?? StringType, true);
  }
  const fields = [...v.obj].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k, x]) => structField(k, inferType(x), true));
  return structType(fields);
}

const schemaOfJson = scalar({
  type: "scalar",
  name: "schema_of_json",
  minArgs: 1,
  maxArgs: 2,
  doc: "schema_of_json(json) - The DDL of the schema inferred from a JSON literal, e.g. STRUCT<a: BIGINT>.",
  resolve(args: readonly ArgInfo[]) {
    checkArgCount("schema_of_json", args.length, 1, 2);
    const a = args[0]!;
    if (!a.foldable || typeof a.value !== "string") throw argError("schema_of_json", "the input must be a string literal with JSON text.", "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT");
    const r = parseJson(a.value);
    if (!r.ok) throw argError("schema_of_json", `the input '${a.value}' is not valid JSON.`, "DATATYPE_MISMATCH.INVALID_JSON");
    return { inputTypes: args.map(() => null), dataType: StringType, nullable: false, state: sqlTypeName(inferType(r.value)) };
  },
  compile(sig) {
    const s = sig.state as string;
    return row(() => s);
  },
});

const jsonArrayLength = fn({
  name: "json_array_length", args: [StringType], result: IntegerType,
  impl: () => row((s: string) => {
    const r = parseJson(s);
    return r.ok && Array.isArray(r.value) ? r.value.length : null;
  }),
});
const jsonObjectKeys = fn({
  name: "json_object_keys", args: [StringType], result: arrayType(StringType),
  impl: () => row((s: string) => {
    const r = parseJson(s);
    return r.ok && isObject(r.value) ? r.value.obj.map(([k]) => k) : null;
  }),
});

export const JSON_FUNCTIONS: readonly ScalarFunctionDef[] = [fromJson, toJson, getJsonObject, schemaOfJson, jsonArrayLength, jsonObjectKeys];

registerFunctions(JSON_FUNCTIONS);

registerInternalFunctions([jsonTupleRow]);
