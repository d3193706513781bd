import type { DataType } from "../types/data-type.js";
import { formatDate, formatTimestamp } from "../types/datetime.js";
import { type Interval, formatInterval } from "../types/interval.js";
import type { Long } from "../types/long.js";
import { decimalToString } from "../types/values.js";

/**
 * Spark's text form of internal values: what CAST(x AS STRING) and `show()` print.
 * Nulls nested in arrays, maps and structs print as `null`; a top-level null is the caller's.
 */
export interface ValueStringOptions {
  /**
   * How BINARY prints. "hex" (the default) is `show()`'s `[01 02 FF]`; "utf8" decodes the bytes,
   * as CAST(binary AS STRING) does.
   */
  readonly binary?: "hex" | "utf8";
}

export function valueToString(v: unknown, type: DataType, timeZone: string, opts: ValueStringOptions = {}): string {
  if (v === null || v === undefined) return "null";
  switch (type.kind) {
    case "double": return javaDoubleToString(v as number);
    case "float": return javaFloatToString(v as number);
    case "byte": case "short": case "int": case "long": return String(v as Long);
    case "decimal": return decimalToString(v as Long, type.scale);
    case "boolean": return v ? "true" : "false";
    case "string": return v as string;
    case "date": return formatDate(v as number);
    case "timestamp": return formatTimestamp(v as number, timeZone);
    case "binary": return opts.binary === "utf8" ? utf8Decode(v as Uint8Array) : binaryToHex(v as Uint8Array);
    case "interval": return formatInterval(v as Interval);
    case "null": return "null";
    case "array": {
      const a = v as readonly unknown[];
      const et = type.elementType;
      return "[" + a.map((e) => valueToString(e, et, timeZone, opts)).join(", ") + "]";
    }
    case "map": {
      const parts: string[] = [];
      for (const [k, x] of v as Map<unknown, unknown>) {
        parts.push(`${valueToString(k, type.keyType, timeZone, opts)} -> ${valueToString(x, type.valueType, timeZone, opts)}`);
      }
      return "{" + parts.join(", ") + "}";
    }
    case "struct": {
      const a = v as readonly unknown[];
      return "{" + type.fields.map((f, i) => valueToString(a[i], f.dataType, timeZone, opts)).join(", ") + "}";
    }
  }
}

const decoder = new TextDecoder("utf-8");
export function utf8Decode(b: Uint8Array): string {
  return decoder.decode(b);
}

/** `[01 02 FF]`, as Spark 3.5's show() prints binary values. */
export function binaryToHex(b: Uint8Array): string {
  let s = "[";
  for (let i = 0; i < b.length; i++) {
    if (i > 0) s += " ";
    s += b[i]!.toString(16).toUpperCase().padStart(2, "0");
  }
  return s + "]";
}

/** Java's Double.toString (JDK 19+: the shortest digits that round-trip). */
export function javaDoubleToString(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(v);
  if (abs >= 1e-3 && abs < 1e7) {
    // Fast path: in this range both JS and Java print the shortest round-trip digits in plain notation.
    const s = String(v);
    return s.includes(".") ? s : s + ".0";
  }
  let e = v.toExponential();
  // Java picks the closest two-digit decimal when one digit would do (4.9E-324, not 5.0E-324).
  if (!e.includes(".")) e = v.toExponential(1);
  return formatJava(v, e);
}

/** Java's Float.toString for a float value held in a double (the shortest float32 round-trip digits). */
export function javaFloatToString(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const f = Math.fround(v);
  let exp = f.toExponential(8);
  for (let p = 1; p <= 9; p++) {
    const s = f.toExponential(p - 1);
    if (Math.fround(Number(s)) === f) { exp = p === 1 ? f.toExponential(1) : s; break; }
  }
  return formatJava(f, exp);
}

/** Renders digits from JS exponential text `d.ddde±x` in Java's style. */
function formatJava(v: number, expText: string): string {
  const neg = v < 0;
  const body = neg ? expText.slice(1) : expText;
  const eIdx = body.indexOf("e");
  const digits = body.slice(0, eIdx).replace(".", "").replace(/(?<=.)0+$/, "");
  const exp = Number(body.slice(eIdx + 1));
  const abs = Math.abs(v);
  let out: string;
  if (abs >= 1e-3 && abs < 1e7) {
    if (exp >= 0) {
      const intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits.padEnd(exp + 1, "0");
      const frac = digits.length > exp + 1 ? digits.slice(exp + 1) : "0";
      out = `${intPart}.${frac}`;
    } else {
      out = "0." + "0".repeat(-exp - 1) + digits;
    }
  } else {
    const frac = digits.length > 1 ? digits.slice(1) : "0";
    out = `${digits[0]}.${frac}E${exp}`;
  }
  return neg ? "-" + out : out;
}
