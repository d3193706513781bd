import { ExecutionError } from "../../errors/errors.js";
import type { DataType } from "../../types/data-type.js";
import type { Long } from "../../types/long.js";
import { decimalToString } from "../../types/values.js";
import { decimalToNumber } from "./decimal-util.js";
import { javaDoubleToString, javaFloatToString, valueToString } from "../value-string.js";

/**
 * A subset of java.util.Formatter (what format_string / printf use): `%s %S %d %x %X %o %f %e %E
 * %g %c %b %%` and `%n`, with flags `-`, `0`, `+`, ` `, `,`, `(`, `#`, a width, a precision and
 * `n$` argument indexes. Arguments are internal values with their types.
 */
const SPEC = /%(\d+\$)?([-#+ 0,(<]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g;

export function javaFormat(fmt: string, args: readonly unknown[], types: readonly DataType[], fnName = "format_string"): string {
  let out = "";
  let last = 0;
  let next = 0;
  let prev = -1;
  SPEC.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = SPEC.exec(fmt)) !== null) {
    out += fmt.slice(last, m.index);
    last = m.index + m[0].length;
    const [, idx, flags = "", widthS, precS, conv] = m;
    if (conv === "%") { out += pad("%", widthS, flags); continue; }
    if (conv === "n") { out += "\n"; continue; }
    let ai: number;
    if (flags.includes("<")) ai = prev;
    else if (idx) ai = Number(idx.slice(0, -1)) - 1;
    else ai = next++;
    prev = ai;
    if (ai < 0 || ai >= args.length) {
      throw new ExecutionError("INVALID_FORMAT", `${fnName}: the format '${fmt}' refers to argument ${ai + 1}, but only ${args.length} were given.`);
    }
    const v = args[ai];
    const t = types[ai]!;
    const prec = precS === undefined ? undefined : Number(precS);
    let s: string;
    switch (conv) {
      case "s": case "S": {
        s = v === null || v === undefined ? "null" : plainString(v, t);
        if (prec !== undefined) s = s.slice(0, prec);
        if (conv === "S") s = s.toUpperCase();
        break;
      }
      case "b": case "B": s = String(v !== null && v !== undefined && v !== false); if (conv === "B") s = s.toUpperCase(); break;
      case "c": case "C": s = v === null ? "null" : typeof v === "number" ? String.fromCodePoint(v) : String(v).slice(0, 1); if (conv === "C") s = s.toUpperCase(); break;
      case "d": {
        if (v === null || v === undefined) { s = "null"; break; }
        const b = integralArg(v, t, conv, fmt, fnName);
        s = groupAndSign(b < 0n ? (-b).toString() : b.toString(), b < 0n, flags);
        break;
      }
      case "x": case "X": case "o": {
        if (v === null || v === undefined) { s = "null"; break; }
        const b = integralArg(v, t, conv, fmt, fnName);
        const bits = t.kind === "byte" ? 8 : t.kind === "short" ? 16 : t.kind === "int" ? 32 : 64;
        const u = b < 0n ? BigInt.asUintN(bits, b) : b;
        s = u.toString(conv === "o" ? 8 : 16);
        if (flags.includes("#")) s = (conv === "o" ? "0" : "0x") + s;
        if (conv === "X") s = s.toUpperCase();
        break;
      }
      case "f": case "e": case "E": case "g": case "G": {
        if (v === null || v === undefined) { s = "null"; break; }
        const d = fractionalArg(v, t, conv, fmt, fnName);
        if (Number.isNaN(d)) s = "NaN";
        else if (!Number.isFinite(d)) s = d > 0 ? (flags.includes("+") ? "+Infinity" : "Infinity") : flags.includes("(") ? "(Infinity)" : "-Infinity";
        else {
          const p = prec ?? 6;
          const neg = d < 0 || Object.is(d, -0);
          const a = Math.abs(d);
          let body: string;
          if (conv === "f") body = roundHalfUpFixed(a, p, v, t);
          else if (conv === "g" || conv === "G") {
            const pp = p === 0 ? 1 : p;
            body = a !== 0 && (a < 1e-4 || a >= 10 ** pp) ? javaExp(a, pp - 1) : roundHalfUpFixed(a, Math.max(0, pp - 1 - (a === 0 ? 0 : Math.floor(Math.log10(a)))), v, t);
          } else body = javaExp(a, p);
          if (conv === "E" || conv === "G") body = body.toUpperCase();
          const dot = body.indexOf(".");
          const intPart = dot < 0 ? body : body.slice(0, dot);
          const rest = dot < 0 ? "" : body.slice(dot);
          if (/^\d+$/.test(intPart)) s = groupAndSign(intPart, neg, flags) + rest;
          else s = (neg ? "-" : flags.includes("+") ? "+" : "") + body;
        }
        break;
      }
      default:
        throw new ExecutionError("INVALID_FORMAT", `${fnName}: the conversion '%${conv}' in the format '${fmt}' is not supported.`);
    }
    out += pad(s, widthS, flags);
  }
  out += fmt.slice(last);
  return out;
}

function plainString(v: unknown, t: DataType): string {
  switch (t.kind) {
    case "double": return javaDoubleToString(v as number);
    case "float": return javaFloatToString(v as number);
    case "date": case "timestamp": return String(v);
    default: return valueToString(v, t, "UTC");
  }
}

function integralArg(v: unknown, t: DataType, conv: string, fmt: string, fnName: string): bigint {
  if (typeof v === "number" && Number.isInteger(v) && t.kind !== "double" && t.kind !== "float" && t.kind !== "decimal") return BigInt(v);
  if (typeof v === "bigint" && t.kind === "long") return v;
  if (t.kind === "decimal" && t.scale === 0) return BigInt(v as Long);
  throw new ExecutionError("ILLEGAL_FORMAT_CONVERSION", `${fnName}: %${conv} in '${fmt}' cannot format a value of type ${t.kind}.`);
}

function fractionalArg(v: unknown, t: DataType, conv: string, fmt: string, fnName: string): number {
  if (t.kind === "double" || t.kind === "float") return v as number;
  if (t.kind === "decimal") return decimalToNumber(v as Long, t.scale);
  throw new ExecutionError("ILLEGAL_FORMAT_CONVERSION", `${fnName}: %${conv} in '${fmt}' cannot format a value of type ${t.kind}.`);
}

/** Fixed notation with HALF_UP on the value's decimal digits (Java formats doubles via their decimal text). */
function roundHalfUpFixed(a: number, p: number, v: unknown, t: DataType): string {
  const text = t.kind === "decimal" ? decimalToString(v as Long, t.scale).replace("-", "") : plainDecimal(a);
  const [ip, fp = ""] = text.split(".");
  if (fp.length <= p) return p === 0 ? ip! : `${ip}.${fp.padEnd(p, "0")}`;
  let digits = BigInt(ip! + fp.slice(0, p));
  if (Number(fp[p]) >= 5) digits += 1n;
  let s = digits.toString().padStart(p + 1, "0");
  if (p > 0) s = s.slice(0, s.length - p) + "." + s.slice(s.length - p);
  return s;
}

/** The shortest decimal text of a non-negative double without exponent. */
export function plainDecimal(a: number): string {
  const e = a.toExponential();
  const [mant, expS] = e.split("e");
  const exp = Number(expS);
  const digits = mant!.replace(".", "");
  if (exp >= 0) {
    if (digits.length <= exp + 1) return digits.padEnd(exp + 1, "0");
    return digits.slice(0, exp + 1) + "." + digits.slice(exp + 1);
  }
  return "0." + "0".repeat(-exp - 1) + digits;
}

function javaExp(a: number, p: number): string {
  const s = a.toExponential(p);
  const [mant, exp] = s.split("e");
  const n = Number(exp);
  return `${mant}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
}

function groupAndSign(digits: string, neg: boolean, flags: string): string {
  let d = digits;
  if (flags.includes(",")) d = d.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  if (neg) return flags.includes("(") ? `(${d})` : "-" + d;
  if (flags.includes("+")) return "+" + d;
  if (flags.includes(" ")) return " " + d;
  return d;
}

function pad(s: string, widthS: string | undefined, flags: string): string {
  if (widthS === undefined) return s;
  const w = Number(widthS);
  if (s.length >= w) return s;
  if (flags.includes("-")) return s.padEnd(w, " ");
  if (flags.includes("0")) {
    const sign = /^[+\- (]/.test(s) ? s[0]! : "";
    return sign + s.slice(sign.length).padStart(w - sign.length, "0");
  }
  return s.padStart(w, " ");
}
