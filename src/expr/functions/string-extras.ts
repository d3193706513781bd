import { ExecutionError } from "../../errors/errors.js";
import { BinaryType, BooleanType, IntegerType, StringType } from "../../types/data-type.js";
import type { ArgInfo, ScalarFunctionDef } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { argError, checkArgCount, coerceArg, fn, row, scalar } from "./define.js";
import { javaRegex } from "./text-util.js";

/**
 * String functions added in Spark 3.3–3.5: split_part, regexp_count, regexp_substr, regexp_instr,
 * url_encode, url_decode, try_url_decode, luhn_check, mask, elt.
 */

const S = StringType;

function indexZero(): ExecutionError {
  return new ExecutionError("INVALID_INDEX_OF_ZERO", "[INVALID_INDEX_OF_ZERO] The index 0 is invalid. An index shall be either < 0 or > 0 (the first element has index 1).");
}

/** split_part(str, delimiter, partNum): the partNum-th part (negative from the end), "" when out of range; an empty delimiter does not split. */
const splitPart = fn({
  name: "split_part", args: [S, S, IntegerType], result: S,
  doc: "split_part(str, delimiter, partNum) - The partNum-th field of str split by the literal delimiter ('' when out of range).",
  impl: () => row((s: string, d: string, n: number) => {
    if (n === 0) throw indexZero();
    const parts = d === "" ? [s] : s.split(d);
    const i = n > 0 ? n - 1 : parts.length + n;
    return i >= 0 && i < parts.length ? parts[i]! : "";
  }),
});

const regexpCount = fn({
  name: "regexp_count", args: [S, S], result: IntegerType,
  doc: "regexp_count(str, regexp) - How many times regexp matches in str.",
  impl: () => row((s: string, p: string) => {
    let n = 0;
    for (const _ of s.matchAll(javaRegex(p, "regexp_count", true))) n++;
    return n;
  }),
});

const regexpSubstr = fn({
  name: "regexp_substr", args: [S, S], result: S,
  doc: "regexp_substr(str, regexp) - The first substring matching regexp, or null.",
  impl: () => row((s: string, p: string) => javaRegex(p, "regexp_substr").exec(s)?.[0] ?? null),
});

const regexpInstr = fn({
  name: "regexp_instr", args: [S, S, IntegerType], optional: 1, result: IntegerType,
  doc: "regexp_instr(str, regexp[, idx]) - The 1-based position where the first match (or its group idx) starts; 0 when there is none.",
  impl: () => row((s: string, p: string, idx = 0) => {
    const base = javaRegex(p, "regexp_instr");
    const re = new RegExp(base.source, base.flags + "d");
    const m = re.exec(s);
    const start = m?.indices?.[idx]?.[0];
    return start === undefined ? 0 : start + 1;
  }),
});

// java.net.URLEncoder / URLDecoder with UTF-8.
const utf8 = new TextEncoder();
const URL_SAFE = /[A-Za-z0-9.\-*_]/;
function urlEncode(s: string): string {
  let out = "";
  for (const ch of s) {
    if (URL_SAFE.test(ch)) out += ch;
    else if (ch === " ") out += "+";
    else for (const b of utf8.encode(ch)) out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}
function urlDecode(s: string): string | null {
  const bytes: number[] = [];
  let out = "";
  const flush = (): void => {
    if (bytes.length) out += new TextDecoder().decode(new Uint8Array(bytes));
    bytes.length = 0;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "%") {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(h)) return null;
      bytes.push(parseInt(h, 16));
      i += 2;
      continue;
    }
    flush();
    out += c === "+" ? " " : c;
  }
  flush();
  return out;
}

const urlEncodeDef = fn({
  name: "url_encode", args: [S], result: S,
  doc: "url_encode(str) - str in application/x-www-form-urlencoded form (UTF-8), as java.net.URLEncoder.",
  impl: () => row((s: string) => urlEncode(s)),
});
const urlDecodeDef = fn({
  name: "url_decode", args: [S], result: S,
  doc: "url_decode(str) - Decodes application/x-www-form-urlencoded text; an invalid escape is an error.",
  impl: () => row((s: string) => {
    const r = urlDecode(s);
    if (r === null) throw new ExecutionError("CANNOT_DECODE_URL", `[CANNOT_DECODE_URL] The provided URL cannot be decoded: ${s}. Please ensure that the URL is properly formatted and try again.`);
    return r;
  }),
});
const tryUrlDecodeDef = fn({
  name: "try_url_decode", args: [S], result: S,
  doc: "try_url_decode(str) - url_decode, but null instead of an error.",
  impl: () => row((s: string) => urlDecode(s)),
});

const luhnCheck = fn({
  name: "luhn_check", args: [S], result: BooleanType,
  doc: "luhn_check(str) - True when str is a string of digits that passes the Luhn checksum.",
  impl: () => row((s: string) => {
    if (s === "") return false;
    let sum = 0, second = false;
    for (let i = s.length - 1; i >= 0; i--) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return false;
      const d = second ? c * 2 : c;
      sum += (d % 10) + Math.floor(d / 10);
      second = !second;
    }
    return sum % 10 === 0;
  }),
});

/** mask(str[, upper, lower, digit, other]): each upper-case, lower-case, digit or other character replaced (a null replacement keeps that class). */
const mask = scalar({
  type: "scalar", name: "mask", minArgs: 1, maxArgs: 5, nullSafe: true,
  doc: "mask(str[, upperChar, lowerChar, digitChar, otherChar]) - Masks str: upper case → 'X', lower case → 'x', digits → 'n' by default; other characters kept unless otherChar is given.",
  resolve(args: readonly ArgInfo[]) {
    checkArgCount("mask", args.length, 1, 5);
    const inputTypes = args.map((a, i) => coerceArg("mask", i, a, S));
    const defaults = ["X", "x", "n", null];
    const chars = [1, 2, 3, 4].map((i) => {
      const a = args[i];
      if (!a) return defaults[i - 1]!;
      if (!a.foldable) throw argError("mask", `the ${["", "upperChar", "lowerChar", "digitChar", "otherChar"][i]} argument must be a constant.`, "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT");
      const v = a.value as string | null;
      if (v !== null && [...v].length !== 1) throw argError("mask", `the ${["", "upperChar", "lowerChar", "digitChar", "otherChar"][i]} argument must be one character, got '${v}'.`, "DATATYPE_MISMATCH.INPUT_SIZE_NOT_ONE");
      return v;
    });
    return { inputTypes, dataType: S, state: chars };
  },
  compile(sig) {
    const [up, low, dig, other] = sig.state as (string | null)[];
    return row((s: string | null) => {
      if (s === null) return null;
      let out = "";
      for (const ch of s) {
        if (/\p{Uppercase}/u.test(ch)) out += up ?? ch;
        else if (/\p{Lowercase}/u.test(ch)) out += low ?? ch;
        else if (/\p{Nd}/u.test(ch)) out += dig ?? ch;
        else out += other ?? ch;
      }
      return out;
    });
  },
});

/** elt(n, a1, a2, ...): the n-th argument (1-based), null when n is out of range (an error with ANSI mode on). */
const elt = scalar({
  type: "scalar", name: "elt", minArgs: 2, maxArgs: Infinity, nullSafe: true,
  doc: "elt(n, input1, input2, ...) - The n-th input (1-based); null when n is out of range.",
  resolve(args: readonly ArgInfo[]) {
    checkArgCount("elt", args.length, 2, Infinity);
    const allBinary = args.slice(1).every((a) => a.dataType.kind === "binary");
    const t = allBinary ? BinaryType : S;
    return { inputTypes: args.map((a, i) => coerceArg("elt", i, a, i === 0 ? IntegerType : t)), dataType: t };
  },
  compile(_sig, ctx) {
    return row((n: number | null, ...xs: unknown[]) => {
      if (n === null) return null;
      if (n < 1 || n > xs.length) {
        if (ctx.ansi) throw new ExecutionError("INVALID_ARRAY_INDEX", `[INVALID_ARRAY_INDEX] The index ${n} is out of bounds. The array has ${xs.length} elements. Use \`try_element_at\` to tolerate accessing element at invalid index and return NULL instead.`);
        return null;
      }
      return xs[n - 1];
    });
  },
});

export const STRING_EXTRA_FUNCTIONS: readonly ScalarFunctionDef[] = [splitPart, regexpCount, regexpSubstr, regexpInstr, urlEncodeDef, urlDecodeDef, tryUrlDecodeDef, luhnCheck, mask, elt];

registerFunctions(STRING_EXTRA_FUNCTIONS);
