import {
  type ArrayType, BooleanType, type DataType, DoubleType, LongType, NullType, StringType, type StructField, type StructType,
  TimestampType, arrayType, decimalType, sameType, structField, structType,
} from "../../types/data-type.js";
import type { FileInfo } from "../files/file-info.js";
import { malformedRecordError } from "../files/parse-mode.js";
import { readTextFileSync } from "../files/text-file-io.js";
import { type JsonOptions, jsonOptions } from "./json-options.js";
import { MALFORMED, jsonRecordTexts } from "./json-records.js";
import { JsonSyntaxError, NumberText, parseJsonText } from "./json-text-parser.js";

/**
 * Infers a JSON schema as Spark does: integers are bigint (decimal(p,0) beyond 64 bits),
 * fractions double (decimal with prefersDecimal), objects structs with fields sorted by name,
 * arrays the merged element type; conflicts widen to double or string; null-only fields are
 * strings. Malformed records add the corrupt-record column in PERMISSIVE mode.
 */
export function inferJsonSchema(files: readonly FileInfo[], options: Readonly<Record<string, string>>, timeZone: string): StructType {
  const opts = jsonOptions(options, timeZone);
  let acc: DataType = NullType;
  let sawCorrupt = false;
  let seed = 42;
  const sample = (): boolean => {
    if (opts.samplingRatio >= 1) return true;
    seed = (seed * 1103515245 + 12345) % 2147483648; // deterministic sampling
    return seed / 2147483648 < opts.samplingRatio;
  };
  for (const f of files) {
    const text = readTextFileSync(f.path, opts.encoding);
    for (const rec of jsonRecordTexts(text, opts)) {
      if (!sample()) continue;
      const t = inferRecord(rec.text, opts);
      if (t === MALFORMED) {
        if (opts.mode === "FAILFAST") throw malformedRecordError(f.path, rec.line, rec.text);
        if (opts.mode === "PERMISSIVE") sawCorrupt = true;
        continue;
      }
      if (!sameType(acc, t)) acc = mergeTypes(acc, t);
    }
  }
  let fields: StructField[] = acc.kind === "struct" ? [...(canonicalize(acc, opts) as StructType | null)?.fields ?? []] : [];
  if (sawCorrupt && !fields.some((x) => x.name === opts.corruptColumn)) {
    fields = [...fields, structField(opts.corruptColumn, StringType, true)].sort((a, b) => cmp(a.name, b.name));
  }
  return structType(fields);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const FLOATY = /\d[.eE]|\d{16}/;

/** The type of one record: a struct (or the merge over a top-level array's objects). */
function inferRecord(text: string, opts: JsonOptions): DataType | typeof MALFORMED {
  let v: unknown;
  try {
    v = FLOATY.test(text) ? parseJsonText(text, opts.syntax, true) : JSON.parse(text);
  } catch (e) {
    if (!(e instanceof SyntaxError) && !(e instanceof JsonSyntaxError)) throw e;
    try {
      v = parseJsonText(text, opts.syntax, true);
    } catch (e2) {
      if (e2 instanceof JsonSyntaxError) return MALFORMED;
      throw e2;
    }
  }
  if (Array.isArray(v)) {
    let t: DataType = NullType;
    for (const x of v) {
      if (x === null || typeof x !== "object" || Array.isArray(x)) return MALFORMED;
      t = mergeTypes(t, inferValue(x, opts));
    }
    return t;
  }
  if (v === null || typeof v !== "object" || v instanceof NumberText) return MALFORMED;
  return inferValue(v, opts);
}

export function inferValue(v: unknown, opts: JsonOptions): DataType {
  if (v === null || v === undefined) return NullType;
  if (v instanceof NumberText) return opts.primitivesAsString ? StringType : numberType(v.text, opts);
  switch (typeof v) {
    case "boolean": return opts.primitivesAsString ? StringType : BooleanType;
    case "number": return opts.primitivesAsString ? StringType : Number.isInteger(v) ? LongType : opts.prefersDecimal ? decimalOf(String(v)) : DoubleType;
    case "bigint": return opts.primitivesAsString ? StringType : numberType(v.toString(), opts);
    case "string":
      if (opts.inferTimestamp && opts.datetime.parseTimestamp(v) !== null) return TimestampType;
      return StringType;
    default: break;
  }
  if (Array.isArray(v)) {
    let e: DataType = NullType;
    for (const x of v) e = mergeTypes(e, inferValue(x, opts));
    return arrayType(e, true);
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort(cmp);
  return structType(keys.map((k) => structField(k, inferValue(o[k], opts), true)));
}

function numberType(text: string, opts: JsonOptions): DataType {
  if (/^-?\d+$/.test(text)) {
    const b = BigInt(text);
    if (b >= -(2n ** 63n) && b < 2n ** 63n) return LongType;
    const digits = text.replace("-", "").length;
    return digits <= 38 ? decimalType(digits, 0) : DoubleType;
  }
  if (/^-?(NaN|Infinity)$/.test(text)) return DoubleType;
  return opts.prefersDecimal ? decimalOf(text) : DoubleType;
}

function decimalOf(text: string): DataType {
  const m = /^-?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return DoubleType;
  const intDigits = (m[1] ?? "").replace(/^0+/, "");
  let frac = m[2] ?? "";
  const exp = Number(m[3] ?? 0);
  if (exp !== 0) return DoubleType;
  const scale = frac.length;
  frac = frac || "";
  const precision = Math.max(intDigits.length + scale, scale, 1);
  return precision <= 38 ? decimalType(precision, scale) : DoubleType;
}

/** Spark's compatible type of two inferred JSON types. */
export function mergeTypes(a: DataType, b: DataType): DataType {
  if (sameType(a, b)) return a;
  if (a.kind === "null") return b;
  if (b.kind === "null") return a;
  if (a.kind === "struct" && b.kind === "struct") return mergeStructs(a, b);
  if (a.kind === "array" && b.kind === "array") return arrayType(mergeTypes(a.elementType, b.elementType), true);
  const num = (t: DataType): boolean => t.kind === "long" || t.kind === "double" || t.kind === "decimal";
  if (num(a) && num(b)) {
    if (a.kind === "double" || b.kind === "double") return DoubleType;
    if (a.kind === "decimal" && b.kind === "decimal") {
      const scale = Math.max(a.scale, b.scale);
      const range = Math.max(a.precision - a.scale, b.precision - b.scale);
      return range + scale > 38 ? DoubleType : decimalType(range + scale, scale);
    }
    const d = a.kind === "decimal" ? a : (b as typeof a);
    if (d.kind !== "decimal") return DoubleType;
    const range = Math.max(d.precision - d.scale, 20);
    return range + d.scale > 38 ? DoubleType : decimalType(range + d.scale, d.scale);
  }
  return StringType;
}

function mergeStructs(a: StructType, b: StructType): StructType {
  const out: StructField[] = [];
  let i = 0, j = 0;
  // Both are sorted by name: a merge join.
  while (i < a.fields.length || j < b.fields.length) {
    const fa = a.fields[i], fb = b.fields[j];
    if (fb === undefined || (fa !== undefined && fa.name < fb.name)) { out.push(fa!); i++; }
    else if (fa === undefined || fb.name < fa.name) { out.push(fb); j++; }
    else { out.push(structField(fa.name, mergeTypes(fa.dataType, fb.dataType), true)); i++; j++; }
  }
  return structType(out);
}

/** Null → string, empty structs dropped (all-null fields dropped with dropFieldIfAllNull). */
function canonicalize(t: DataType, opts: JsonOptions): DataType | null {
  switch (t.kind) {
    case "null": return opts.dropFieldIfAllNull ? null : StringType;
    case "array": {
      const e = canonicalize((t as ArrayType).elementType, opts);
      return e === null ? null : arrayType(e, true);
    }
    case "struct": {
      const fields: StructField[] = [];
      for (const f of t.fields) {
        const c = canonicalize(f.dataType, opts);
        if (c !== null) fields.push(structField(f.name, c, true));
      }
      return fields.length === 0 ? null : structType(fields);
    }
    default: return t;
  }
}

