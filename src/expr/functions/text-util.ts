import { IllegalArgumentError } from "../../errors/errors.js";

/**
 * Text helpers shared by the string functions: code-point indexing (Spark counts characters,
 * not UTF-16 units), Java regular expressions in JavaScript, Java's String.split.
 */

const SURROGATE = /[\uD800-\uDFFF]/;

export function hasSurrogates(s: string): boolean {
  return SURROGATE.test(s);
}

/** Number of characters (code points). */
export function charLength(s: string): number {
  if (!hasSurrogates(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Characters [start, end) by code point. */
export function charSlice(s: string, start: number, end?: number): string {
  if (!hasSurrogates(s)) return s.slice(start, end);
  return Array.from(s).slice(start, end).join("");
}

/** Spark's substring(str, pos, len) over characters: 1-based pos, 0 treated as 1, negative from the end. */
export function substringSQL(s: string, pos: number, len: number): string {
  const n = charLength(s);
  let start = pos > 0 ? pos - 1 : pos < 0 ? n + pos : 0;
  const end = start + len;
  start = Math.max(start, 0);
  if (start >= end) return "";
  return charSlice(s, start, Math.min(end, n));
}

export function bytesSubstringSQL(b: Uint8Array, pos: number, len: number): Uint8Array {
  const n = b.length;
  let start = pos > 0 ? pos - 1 : pos < 0 ? n + pos : 0;
  const end = start + len;
  start = Math.max(start, 0);
  if (start >= end) return new Uint8Array(0);
  return b.slice(start, Math.min(end, n));
}

const regexCache = new Map<string, RegExp>();

/**
 * A JavaScript RegExp for a Java regular expression: leading inline flags `(?i)`, `(?s)`, `(?m)`
 * become flags; `\Q...\E` is quoted. `what` names the function in errors.
 */
export function javaRegex(pattern: string, what: string, global = false): RegExp {
  const key = (global ? "g" : "") + pattern;
  let re = regexCache.get(key);
  if (re) {
    re.lastIndex = 0;
    return re;
  }
  let p = pattern;
  let flags = global ? "g" : "";
  const inline = /^\(\?([imsux]+)\)/.exec(p);
  if (inline) {
    for (const c of inline[1]!) if ("ims".includes(c) && !flags.includes(c)) flags += c;
    p = p.slice(inline[0].length);
  }
  p = p.replace(/\\Q([\s\S]*?)(?:\\E|$)/g, (_, lit: string) => lit.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
  p = p.replace(/\\z/g, "$").replace(/\\A/g, "^").replace(/\\Z/g, "(?=\\n?$)").replace(/\(\?<([a-zA-Z][a-zA-Z0-9]*)>/g, "(?<$1>");
  p = p.replace(/\\p\{(Alpha|Digit|Alnum|Punct|Upper|Lower|Space)\}/g, (_, c: string) => POSIX[c]!);
  try {
    re = new RegExp(p, flags);
  } catch (e) {
    throw new IllegalArgumentError(
      "INVALID_PARAMETER_VALUE.PATTERN",
      `The value of parameter regexp of the function \`${what}\` is invalid: '${pattern}' (${(e as Error).message}).`,
    );
  }
  if (regexCache.size > 512) regexCache.clear();
  regexCache.set(key, re);
  return re;
}

const POSIX: Record<string, string> = {
  Alpha: "[A-Za-z]", Digit: "[0-9]", Alnum: "[A-Za-z0-9]", Punct: "[!-/:-@[-`{-~]", Upper: "[A-Z]", Lower: "[a-z]", Space: "\\s",
};

/** Java's String.split(regex, limit): limit > 0 caps the parts; otherwise all parts, keeping trailing empties (Spark passes -1). */
export function javaSplit(s: string, re: RegExp, limit: number): string[] {
  const g = re.global ? re : new RegExp(re.source, re.flags + "g");
  g.lastIndex = 0;
  const out: string[] = [];
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = g.exec(s)) !== null) {
    if (limit > 0 && out.length === limit - 1) break;
    const idx = m.index;
    if (m[0].length === 0) {
      if (idx >= s.length) break;
      if (idx === 0) { g.lastIndex++; continue; }
      out.push(s.slice(last, idx));
      last = idx;
      g.lastIndex = idx + 1;
      continue;
    }
    out.push(s.slice(last, idx));
    last = idx + m[0].length;
  }
  out.push(s.slice(last));
  return out;
}

/** Expands a Java replacement string (`$1`, `${name}`, `\$`) for one match. */
export function javaReplacement(rep: string): (m: RegExpExecArray | string[], groups?: Record<string, string | undefined>) => string {
  if (!rep.includes("$") && !rep.includes("\\")) return () => rep;
  return (m, groups) => {
    let out = "";
    for (let i = 0; i < rep.length; i++) {
      const c = rep[i]!;
      if (c === "\\") { out += rep[++i] ?? ""; continue; }
      if (c === "$") {
        if (rep[i + 1] === "{") {
          const end = rep.indexOf("}", i);
          const name = rep.slice(i + 2, end);
          out += groups?.[name] ?? "";
          i = end;
          continue;
        }
        let j = i + 1;
        while (j < rep.length && /\d/.test(rep[j]!) && Number(rep.slice(i + 1, j + 1)) < m.length) j++;
        if (j === i + 1) throw new IllegalArgumentError("INVALID_PARAMETER_VALUE", `Illegal group reference in replacement '${rep}'.`);
        out += m[Number(rep.slice(i + 1, j))] ?? "";
        i = j - 1;
        continue;
      }
      out += c;
    }
    return out;
  };
}

/** SQL LIKE pattern → RegExp (`%` any run, `_` one character, `escape` quotes the next character). */
export function likeToRegex(pattern: string, escape: string, caseInsensitive: boolean): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === escape) {
      const n = pattern[i + 1];
      if (n === undefined || (n !== "_" && n !== "%" && n !== escape)) {
        throw new IllegalArgumentError(
          "INVALID_FORMAT.ESC_IN_THE_MIDDLE",
          `The LIKE pattern '${pattern}' is invalid: the escape character '${escape}' must be followed by '_', '%' or the escape character itself.`,
        );
      }
      out += n.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
      i++;
    } else if (c === "%") out += "[\\s\\S]*";
    else if (c === "_") out += "[\\s\\S]";
    else out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp("^" + out + "$", caseInsensitive ? "iu" : "u");
}

export const utf8 = new TextEncoder();
export const utf8Dec = new TextDecoder("utf-8");
