import { randomUUID } from "node:crypto";
import { ExecutionError, IllegalArgumentError } from "../../errors/errors.js";
import {
  BinaryType, BooleanType, type DataType, IntegerType, LongType, StringType, arrayType,
} from "../../types/data-type.js";
import type { Long } from "../../types/long.js";
import { registerFunctions } from "../function-registry.js";
import type { ScalarFunctionDef } from "../function-def.js";
import { decimalToNumber } from "./decimal-util.js";
import { argError, checkArgCount, coerceArg, constArg, fn, row, scalar, typeError } from "./define.js";
import { javaFormat, plainDecimal } from "./java-format.js";
import {
  bytesSubstringSQL, charLength, charSlice, hasSurrogates, javaRegex, javaReplacement, javaSplit, likeToRegex,
  substringSQL, utf8, utf8Dec,
} from "./text-util.js";

/** String functions (Spark semantics: positions are 1-based and count characters). */

const S = StringType;

function isBinaryResult(types: readonly DataType[]): boolean {
  return types.length > 0 && types.every((t) => t.kind === "binary");
}

const concat = scalar({
  type: "scalar",
  name: "concat",
  minArgs: 0,
  maxArgs: Infinity,
  doc: "concat(col1, col2, ...) - Concatenates strings, binaries or arrays; null if any argument is null.",
  resolve(args) {
    const types = args.map((a) => a.dataType);
    if (types.length > 0 && types.every((t) => t.kind === "array" || t.kind === "null") && types.some((t) => t.kind === "array")) {
      let elem: DataType | null = null;
      for (const t of types) if (t.kind === "array") elem = elem === null ? t.elementType : elem;
      const at = arrayType(elem!, true);
      return { inputTypes: types.map((t, i) => (t.kind === "array" && t.elementType.kind === elem!.kind ? null : coerceArg("concat", i, args[i]!, at))), dataType: at };
    }
    if (isBinaryResult(types)) return { inputTypes: types.map(() => null), dataType: BinaryType };
    return { inputTypes: args.map((a, i) => coerceArg("concat", i, a, S)), dataType: S };
  },
  compile(sig) {
    if (sig.dataType.kind === "array") return row((...xs: unknown[][]) => ([] as unknown[]).concat(...xs));
    if (sig.dataType.kind === "binary") {
      return row((...xs: Uint8Array[]) => {
        const out = new Uint8Array(xs.reduce((n, b) => n + b.length, 0));
        let o = 0;
        for (const b of xs) { out.set(b, o); o += b.length; }
        return out;
      });
    }
    return row((...xs: string[]) => xs.join(""));
  },
});

const concatWs = scalar({
  type: "scalar",
  name: "concat_ws",
  minArgs: 1,
  maxArgs: Infinity,
  nullSafe: true,
  doc: "concat_ws(sep, str|array<str>, ...) - Joins the non-null strings with sep.",
  resolve(args) {
    checkArgCount("concat_ws", args.length, 1, Infinity);
    const inputTypes = args.map((a, i) => {
      if (i > 0 && a.dataType.kind === "array") return coerceArg("concat_ws", i, a, arrayType(S));
      return coerceArg("concat_ws", i, a, S);
    });
    return { inputTypes, dataType: S, nullable: args[0]!.nullable };
  },
  compile() {
    return row((sep: string | null, ...xs: unknown[]) => {
      if (sep === null) return null;
      const parts: string[] = [];
      for (const x of xs) {
        if (x === null) continue;
        if (Array.isArray(x)) { for (const e of x) if (e !== null) parts.push(e as string); }
        else parts.push(x as string);
      }
      return parts.join(sep);
    });
  },
});

const substring = fn({
  name: "substring",
  aliases: ["substr"],
  args: ["stringOrBinary", IntegerType, IntegerType],
  optional: 1,
  result: (t) => t[0]!,
  doc: "substring(str, pos[, len]) - The substring of str that starts at pos (1-based; negative counts from the end).",
  impl: (sig) =>
    sig.argTypes[0]!.kind === "binary"
      ? row((b: Uint8Array, pos: number, len = 2147483647) => bytesSubstringSQL(b, pos, len))
      : row((s: string, pos: number, len = 2147483647) => substringSQL(s, pos, len)),
});

const left = fn({
  name: "left", args: ["stringOrBinary", IntegerType], result: (t) => t[0]!,
  impl: (sig) =>
    sig.argTypes[0]!.kind === "binary"
      ? row((b: Uint8Array, n: number) => bytesSubstringSQL(b, 1, n))
      : row((s: string, n: number) => substringSQL(s, 1, n)),
});
const right = fn({
  name: "right", args: [S, IntegerType], result: S,
  impl: () => row((s: string, n: number) => (n <= 0 ? "" : substringSQL(s, -n, 2147483647))),
});

const split = fn({
  name: "split",
  args: [S, S, IntegerType],
  optional: 1,
  result: arrayType(S, false),
  doc: "split(str, regex[, limit]) - Splits str around matches of the regex; limit > 0 caps the number of parts.",
  impl: () => {
    // A separator with no regex metacharacters ("/", ", ") splits as String.prototype.split does,
    // several times faster, into the same parts as Java's split with no limit (trailing empty
    // strings kept, a leading one too).
    let pattern: string | null = null, literal = false;
    return row((s: string, p: string, limit = -1) => {
      if (p !== pattern) {
        pattern = p;
        literal = isLiteralPattern(p);
      }
      return literal && limit <= 0 ? s.split(p) : javaSplit(s, javaRegex(p, "split", true), limit > 0 ? limit : -1);
    });
  },
});

/** A non-empty regex that matches only itself, character for character. */
function isLiteralPattern(p: string): boolean {
  return p.length > 0 && !/[\\^$.|?*+()[\]{}]/.test(p);
}

/** Capturing groups of each pattern compiled, counted once (a RegExp built per row cost more than the match). */
const groupCounts = new WeakMap<RegExp, number>();

function groupCount(re: RegExp): number {
  let n = groupCounts.get(re);
  if (n === undefined) {
    n = new RegExp(re.source + "|").exec("")!.length - 1;
    groupCounts.set(re, n);
  }
  return n;
}

function groupIndexCheck(re: RegExp, idx: number, name: string): void {
  const groups = groupCount(re);
  if (idx < 0) throw new ExecutionError("INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX", `The value of parameter idx of \`${name}\` must be >= 0, but got ${idx}.`);
  if (idx > groups) {
    throw new ExecutionError(
      "INVALID_PARAMETER_VALUE.REGEX_GROUP_INDEX",
      `The value of parameter idx of \`${name}\` is invalid: the regex has ${groups} groups, but the specified group index is ${idx}.`,
    );
  }
}

const regexpExtract = fn({
  name: "regexp_extract",
  args: [S, S, IntegerType],
  optional: 1,
  result: S,
  impl: () => {
    // The pattern and group of the last row (almost always constants) are checked once while they
    // stay the same: not a cache lookup (and a RegExp built to count groups) per row.
    let lastP: string | null = null, lastIdx = -1, re: RegExp | null = null;
    return row((s: string, p: string, idx = 1) => {
      if (p !== lastP || idx !== lastIdx || re === null) {
        lastP = null;
        re = javaRegex(p, "regexp_extract");
        groupIndexCheck(re, idx, "regexp_extract");
        lastP = p;
        lastIdx = idx;
      }
      const m = re.exec(s);
      return m ? (m[idx] ?? "") : "";
    });
  },
});

const regexpExtractAll = fn({
  name: "regexp_extract_all",
  args: [S, S, IntegerType],
  optional: 1,
  result: arrayType(S),
  impl: () =>
    row((s: string, p: string, idx = 1) => {
      const re = javaRegex(p, "regexp_extract_all", true);
      groupIndexCheck(re, idx, "regexp_extract_all");
      const out: string[] = [];
      for (const m of s.matchAll(re)) out.push(m[idx] ?? "");
      return out;
    }),
});

const regexpReplace = fn({
  name: "regexp_replace",
  args: [S, S, S, IntegerType],
  optional: 1,
  result: S,
  impl: () =>
    row((s: string, p: string, rep: string, pos = 1) => {
      if (pos < 1) throw new ExecutionError("INVALID_PARAMETER_VALUE", `The value of parameter position of \`regexp_replace\` must be positive, but got ${pos}.`);
      const re = javaRegex(p, "regexp_replace", true);
      const expand = javaReplacement(rep);
      const start = pos - 1;
      if (start >= s.length) return s;
      const head = s.slice(0, start);
      return head + s.slice(start).replace(re, (...m: unknown[]) => {
        const last = m[m.length - 1];
        const hasGroups = typeof last === "object" && last !== null;
        const groups = m.slice(0, hasGroups ? -3 : -2) as string[];
        return expand(groups, hasGroups ? (last as Record<string, string>) : undefined);
      });
    }),
});

const rlike = fn({
  name: "rlike",
  aliases: ["regexp_like", "regexp"],
  args: [S, S],
  result: BooleanType,
  impl: () => row((s: string, p: string) => javaRegex(p, "rlike").test(s)),
});

function likeDef(name: string, ci: boolean): ScalarFunctionDef {
  return fn({
    name,
    args: [S, S, S],
    optional: 1,
    result: BooleanType,
    doc: `${name}(str, pattern[, escape]) - SQL ${name.toUpperCase()}: % matches any run, _ one character; escape defaults to '\\'.`,
    check: (_t, args) => {
      const e = constArg(args, 2);
      if (args.length === 3 && (typeof e !== "string" || charLength(e) !== 1)) {
        throw argError(name, `the escape character must be a one-character string literal, got ${String(e)}.`, "INVALID_ESCAPE_CHAR");
      }
    },
    state: (args) => {
      const p = constArg(args, 1);
      const esc = (constArg(args, 2) as string | undefined) ?? "\\";
      return typeof p === "string" ? likeToRegex(p, esc, ci) : undefined;
    },
    impl: (sig) => {
      const fixed = sig.state as RegExp | undefined;
      if (fixed) return row((s: string) => fixed.test(s));
      const cache = new Map<string, RegExp>();
      return row((s: string, p: string, esc = "\\") => {
        let re = cache.get(p);
        if (!re) { re = likeToRegex(p, esc, ci); if (cache.size > 256) cache.clear(); cache.set(p, re); }
        return re.test(s);
      });
    },
  });
}

const lower = fn({ name: "lower", aliases: ["lcase"], args: [S], result: S, impl: () => row((s: string) => s.toLowerCase()) });
const upper = fn({ name: "upper", aliases: ["ucase"], args: [S], result: S, impl: () => row((s: string) => s.toUpperCase()) });
const initcap = fn({
  name: "initcap", args: [S], result: S,
  doc: "initcap(str) - Lower-cases str and capitalizes the first letter of each space-separated word.",
  impl: () => row((s: string) => s.toLowerCase().replace(/(^|[ ])(\S)/gu, (_m, sp: string, c: string) => sp + c.toUpperCase())),
});

function trimmer(kind: "both" | "left" | "right"): (s: string, chars?: string) => string {
  return (s, chars = " ") => {
    const set = new Set(Array.from(chars));
    const cps = hasSurrogates(s) ? Array.from(s) : s.split("");
    let a = 0, b = cps.length;
    if (kind !== "right") while (a < b && set.has(cps[a]!)) a++;
    if (kind !== "left") while (b > a && set.has(cps[b - 1]!)) b--;
    return a === 0 && b === cps.length ? s : cps.slice(a, b).join("");
  };
}
const trimDoc = "(str[, trimStr]) - Removes trimStr's characters (default: spaces) from";
const trim = fn({ name: "trim", args: [S, S], optional: 1, result: S, doc: `trim${trimDoc} both ends. The SQL form TRIM(BOTH t FROM s) is trim(s, t).`, impl: () => row(trimmer("both")) });
const btrim = fn({ name: "btrim", args: [S, S], optional: 1, result: S, doc: `btrim${trimDoc} both ends.`, impl: () => row(trimmer("both")) });
const ltrim = fn({ name: "ltrim", args: [S, S], optional: 1, result: S, doc: `ltrim${trimDoc} the start.`, impl: () => row(trimmer("left")) });
const rtrim = fn({ name: "rtrim", args: [S, S], optional: 1, result: S, doc: `rtrim${trimDoc} the end.`, impl: () => row(trimmer("right")) });

const length = fn({
  name: "length", aliases: ["char_length", "character_length", "len"],
  args: ["stringOrBinary"], result: IntegerType,
  impl: (sig) => (sig.argTypes[0]!.kind === "binary" ? row((b: Uint8Array) => b.length) : row((s: string) => charLength(s))),
});
const octetLength = fn({
  name: "octet_length", args: ["stringOrBinary"], result: IntegerType,
  impl: (sig) => (sig.argTypes[0]!.kind === "binary" ? row((b: Uint8Array) => b.length) : row((s: string) => Buffer.byteLength(s, "utf8"))),
});
const bitLength = fn({
  name: "bit_length", args: ["stringOrBinary"], result: IntegerType,
  impl: (sig) => (sig.argTypes[0]!.kind === "binary" ? row((b: Uint8Array) => b.length * 8) : row((s: string) => Buffer.byteLength(s, "utf8") * 8)),
});

function padder(leftSide: boolean): (s: string, len: number, p?: string) => string {
  return (s, len, p = " ") => {
    if (len <= 0) return "";
    const n = charLength(s);
    if (n >= len || p.length === 0) return charSlice(s, 0, len);
    const need = len - n;
    const pcs = Array.from(p);
    let fill = "";
    for (let i = 0; i < need; i++) fill += pcs[i % pcs.length];
    return leftSide ? fill + s : s + fill;
  };
}
const lpad = fn({ name: "lpad", args: [S, IntegerType, S], optional: 1, result: S, impl: () => row(padder(true)) });
const rpad = fn({ name: "rpad", args: [S, IntegerType, S], optional: 1, result: S, impl: () => row(padder(false)) });
const repeat = fn({ name: "repeat", args: [S, IntegerType], result: S, impl: () => row((s: string, n: number) => (n <= 0 ? "" : s.repeat(n))) });

const reverse = scalar({
  type: "scalar",
  name: "reverse",
  minArgs: 1,
  maxArgs: 1,
  doc: "reverse(str|array) - The characters of a string, or the elements of an array, in reverse order.",
  resolve(args) {
    checkArgCount("reverse", args.length, 1, 1);
    const t = args[0]!.dataType;
    if (t.kind === "array") return { inputTypes: [null], dataType: t };
    return { inputTypes: [coerceArg("reverse", 0, args[0]!, S)], dataType: S };
  },
  compile(sig) {
    if (sig.argTypes[0]!.kind === "array") return row((a: unknown[]) => [...a].reverse());
    return row((s: string) => (hasSurrogates(s) ? Array.from(s).reverse().join("") : s.split("").reverse().join("")));
  },
});

function cpIndex(s: string, unitIndex: number): number {
  return hasSurrogates(s) ? charLength(s.slice(0, unitIndex)) : unitIndex;
}
const instr = fn({
  name: "instr", args: [S, S], result: IntegerType,
  impl: () => row((s: string, sub: string) => cpIndex(s, s.indexOf(sub)) + 1),
});
const locate = fn({
  name: "locate", aliases: ["position"], args: [S, S, IntegerType], optional: 1, result: IntegerType, nullSafe: true,
  doc: "locate(substr, str[, pos]) - 1-based position of substr in str at or after pos; 0 if absent.",
  impl: () =>
    row((sub: string | null, s: string | null, pos: number | null = 1) => {
      if (pos === null) return 0;
      if (sub === null || s === null) return null;
      if (pos < 1) return 0;
      const startUnit = hasSurrogates(s) ? Array.from(s).slice(0, pos - 1).join("").length : pos - 1;
      const i = s.indexOf(sub, startUnit);
      return i < 0 ? 0 : cpIndex(s, i) + 1;
    }),
});

const replace = fn({
  name: "replace", args: [S, S, S], optional: 1, result: S,
  // replaceAll is one pass (split and join build an array); it reads `$` in a replacement as a
  // pattern, so such replacements split and join.
  impl: () => row((s: string, search: string, rep = "") => (search === "" ? s : rep.includes("$") ? s.split(search).join(rep) : s.replaceAll(search, rep))),
});

const translate = fn({
  name: "translate", args: [S, S, S], result: S,
  impl: () => {
    let lastFrom: string | null = null, lastTo: string | null = null;
    let map = new Map<string, string | null>();
    return row((s: string, from: string, to: string) => {
      if (from !== lastFrom || to !== lastTo) {
        map = new Map();
        const f = Array.from(from), t = Array.from(to);
        f.forEach((c, i) => { if (!map.has(c)) map.set(c, t[i] ?? null); });
        lastFrom = from; lastTo = to;
      }
      let out = "";
      for (const c of s) {
        const r = map.get(c);
        if (r === undefined) out += c;
        else if (r !== null) out += r;
      }
      return out;
    });
  },
});

const formatString = scalar({
  type: "scalar",
  name: "format_string",
  aliases: ["printf"],
  minArgs: 1,
  maxArgs: Infinity,
  nullSafe: true,
  doc: "format_string(fmt, args...) - printf-style formatting (Java's Formatter).",
  resolve(args) {
    checkArgCount("format_string", args.length, 1, Infinity);
    return { inputTypes: [coerceArg("format_string", 0, args[0]!, S), ...args.slice(1).map(() => null)], dataType: S };
  },
  compile(sig) {
    const types = sig.argTypes.slice(1);
    return row((f: string | null, ...xs: unknown[]) => (f === null ? null : javaFormat(f, xs, types)));
  },
});

const formatNumber = fn({
  name: "format_number",
  args: ["numeric", "any"],
  result: S,
  doc: "format_number(x, d) - x with thousands separators and d decimals (HALF_EVEN), or formatted by a DecimalFormat-like pattern.",
  check: (types) => {
    const t = types[1]!;
    if (!(t.kind === "int" || t.kind === "byte" || t.kind === "short" || t.kind === "long" || t.kind === "string" || t.kind === "null")) {
      throw typeError("format_number", 1, `("INT" or "STRING")`, t);
    }
  },
  impl: (sig) => {
    const t = sig.argTypes[0]!;
    const toNum = (v: unknown): number => (t.kind === "decimal" ? decimalToNumber(v as Long, t.scale) : Number(v as Long));
    return row((x: unknown, d: unknown) => {
      if (typeof d === "string") return formatWithPattern(toNum(x), d);
      const dd = Number(d as Long);
      if (dd < 0) return null;
      return formatGrouped(x, t, dd, toNum);
    });
  },
});

function formatGrouped(x: unknown, t: DataType, d: number, toNum: (v: unknown) => number): string {
  let text: string;
  if (t.kind === "decimal") {
    const u = typeof x === "bigint" ? x : BigInt(x as number);
    const neg = u < 0n;
    const abs = (neg ? -u : u).toString().padStart(t.scale + 1, "0");
    text = (neg ? "-" : "") + (t.scale > 0 ? abs.slice(0, abs.length - t.scale) + "." + abs.slice(abs.length - t.scale) : abs);
  } else if (t.kind === "long" || t.kind === "int" || t.kind === "short" || t.kind === "byte") text = String(x as Long);
  else {
    const n = toNum(x);
    if (!Number.isFinite(n)) return Number.isNaN(n) ? "NaN" : n > 0 ? "∞" : "-∞";
    text = (n < 0 ? "-" : "") + plainDecimal(Math.abs(n));
  }
  const neg = text.startsWith("-");
  const [ip, fp = ""] = (neg ? text.slice(1) : text).split(".");
  let digits = BigInt(ip! + fp.padEnd(d, "0").slice(0, d));
  const rest = fp.slice(d);
  if (rest.length > 0 && /[1-9]/.test(rest)) {
    const first = Number(rest[0]);
    const tail = /[1-9]/.test(rest.slice(1));
    if (first > 5 || (first === 5 && (tail || (digits & 1n) === 1n))) digits += 1n;
  }
  let s = digits.toString().padStart(d + 1, "0");
  let intS = d > 0 ? s.slice(0, s.length - d) : s;
  const fracS = d > 0 ? s.slice(s.length - d) : "";
  intS = intS.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  s = intS + (d > 0 ? "." + fracS : "");
  return (neg && /[1-9]/.test(s) ? "-" : "") + s;
}

function formatWithPattern(n: number, pattern: string): string {
  if (pattern === "") return formatGrouped(n, { kind: "double" }, 0, (v) => v as number).replace(/,/g, ",");
  const [ip, fp = ""] = pattern.split(".");
  const minFrac = (fp.match(/0/g) ?? []).length;
  const maxFrac = minFrac + (fp.match(/#/g) ?? []).length;
  const grouping = ip!.includes(",");
  const minInt = (ip!.match(/0/g) ?? []).length;
  const factor = 10 ** maxFrac;
  const r = Math.round(Math.abs(n) * factor) / factor;
  let [i2, f2 = ""] = plainDecimal(r).split(".");
  f2 = f2.slice(0, maxFrac).padEnd(minFrac, "0");
  i2 = i2!.padStart(minInt, "0");
  if (minInt === 0 && i2 === "0") i2 = "";
  if (grouping) i2 = i2.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return (n < 0 ? "-" : "") + i2 + (f2 ? "." + f2 : "");
}

const ascii = fn({ name: "ascii", args: [S], result: IntegerType, impl: () => row((s: string) => (s.length === 0 ? 0 : s.codePointAt(0)!)) });
const chr = fn({
  name: "chr", aliases: ["char"], args: [LongType], result: S,
  impl: () => row((n: Long) => {
    if (n < 0) return "";
    const c = Number(BigInt(n) & 0xffn);
    return String.fromCharCode(c);
  }),
});

const base64 = fn({ name: "base64", args: [BinaryType], result: S, impl: () => row((b: Uint8Array) => Buffer.from(b).toString("base64")) });
const unbase64 = fn({
  name: "unbase64", args: [S], result: BinaryType,
  impl: () => row((s: string) => new Uint8Array(Buffer.from(s, "base64"))),
});

const hex = scalar({
  type: "scalar",
  name: "hex",
  minArgs: 1,
  maxArgs: 1,
  doc: "hex(x) - Hexadecimal text of a long (two's complement) or of the bytes of a string or binary.",
  resolve(args) {
    checkArgCount("hex", args.length, 1, 1);
    const t = args[0]!.dataType;
    if (t.kind === "string" || t.kind === "binary") return { inputTypes: [null], dataType: S };
    return { inputTypes: [coerceArg("hex", 0, args[0]!, LongType)], dataType: S };
  },
  compile(sig) {
    const k = sig.argTypes[0]!.kind;
    if (k === "string") return row((s: string) => Buffer.from(s, "utf8").toString("hex").toUpperCase());
    if (k === "binary") return row((b: Uint8Array) => Buffer.from(b).toString("hex").toUpperCase());
    return row((n: Long) => BigInt.asUintN(64, BigInt(n)).toString(16).toUpperCase());
  },
});
const unhex = fn({
  name: "unhex", args: [S], result: BinaryType,
  impl: () => row((s: string) => {
    const t = s.length % 2 === 1 ? "0" + s : s;
    if (!/^[0-9a-fA-F]*$/.test(t)) return null;
    return new Uint8Array(Buffer.from(t, "hex"));
  }),
});

const CHARSETS: Record<string, BufferEncoding> = {
  "utf-8": "utf8", utf8: "utf8", "us-ascii": "latin1", ascii: "latin1", "iso-8859-1": "latin1", latin1: "latin1",
  "utf-16le": "utf16le", "utf-16": "utf16le", "utf-16be": "utf16le",
};
function charset(name: string, f: string): BufferEncoding {
  const e = CHARSETS[name.toLowerCase()];
  if (!e) {
    throw new IllegalArgumentError(
      "INVALID_PARAMETER_VALUE.CHARSET",
      `The value of parameter charset of \`${f}\` is invalid: expects one of US-ASCII, ISO-8859-1, UTF-8, UTF-16BE, UTF-16LE, UTF-16, but got ${name}.`,
    );
  }
  return e;
}
function swap16(b: Buffer): Buffer {
  const c = Buffer.from(b);
  if (c.length % 2 === 0) c.swap16();
  return c;
}
const encode = fn({
  name: "encode", args: [S, S], result: BinaryType,
  impl: () => row((s: string, cs: string) => {
    const e = charset(cs, "encode");
    const lc = cs.toLowerCase();
    let b: Buffer = Buffer.from(s, e);
    if (lc === "utf-16be") b = swap16(b);
    if (lc === "utf-16") b = Buffer.concat([Buffer.from([0xfe, 0xff]), swap16(b)]);
    if (lc === "us-ascii" || lc === "ascii") b = Buffer.from(Array.from(s, (c) => (c.charCodeAt(0) < 128 ? c.charCodeAt(0) : 63)));
    return new Uint8Array(b);
  }),
});
const decode = fn({
  name: "decode", args: [BinaryType, S], result: S,
  impl: () => row((b: Uint8Array, cs: string) => {
    const e = charset(cs, "decode");
    const lc = cs.toLowerCase();
    let buf: Buffer = Buffer.from(b);
    if (lc === "utf-16be" || (lc === "utf-16" && !(buf[0] === 0xff && buf[1] === 0xfe))) {
      if (lc === "utf-16" && buf[0] === 0xfe && buf[1] === 0xff) buf = buf.subarray(2);
      buf = swap16(buf);
    } else if (lc === "utf-16") buf = buf.subarray(2);
    if (e === "utf8") return utf8Dec.decode(buf);
    return buf.toString(e);
  }),
});

function binaryOrString(name: string, op: (a: string, b: string) => boolean, opB: (a: Uint8Array, b: Uint8Array) => boolean): ScalarFunctionDef {
  return scalar({
    type: "scalar",
    name,
    minArgs: 2,
    maxArgs: 2,
    resolve(args) {
      checkArgCount(name, args.length, 2, 2);
      if (args.every((a) => a.dataType.kind === "binary")) return { inputTypes: [null, null], dataType: BooleanType };
      return { inputTypes: args.map((a, i) => coerceArg(name, i, a, S)), dataType: BooleanType };
    },
    compile(sig) {
      return sig.argTypes[0]!.kind === "binary" ? row(opB) : row(op);
    },
  });
}
const indexOfBytes = (a: Uint8Array, b: Uint8Array): number => Buffer.from(a.buffer, a.byteOffset, a.length).indexOf(Buffer.from(b.buffer, b.byteOffset, b.length));
const startswith = binaryOrString("startswith", (a, b) => a.startsWith(b), (a, b) => b.length <= a.length && b.every((x, i) => a[i] === x));
const endswith = binaryOrString("endswith", (a, b) => a.endsWith(b), (a, b) => b.length <= a.length && b.every((x, i) => a[a.length - b.length + i] === x));
const contains = binaryOrString("contains", (a, b) => a.includes(b), (a, b) => indexOfBytes(a, b) >= 0);

function levenshteinDistance(a: string, b: string): number {
  const x = Array.from(a), y = Array.from(b);
  if (x.length === 0) return y.length;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length]!;
}
const levenshtein = fn({
  name: "levenshtein", args: [S, S, IntegerType], optional: 1, result: IntegerType,
  impl: () => row((a: string, b: string, threshold?: number) => {
    const d = levenshteinDistance(a, b);
    return threshold !== undefined && d > threshold ? -1 : d;
  }),
});

const SOUNDEX_CODES = "01230120022455012623010202";
function soundexOf(s: string): string {
  if (s.length === 0) return s;
  const first = s[0]!.toUpperCase();
  if (first < "A" || first > "Z") return s;
  let out = first;
  let last = SOUNDEX_CODES[first.charCodeAt(0) - 65]!;
  for (let i = 1; i < s.length && out.length < 4; i++) {
    const c = s[i]!.toUpperCase();
    if (c < "A" || c > "Z") { last = "0"; continue; }
    const code = SOUNDEX_CODES[c.charCodeAt(0) - 65]!;
    if (c === "H" || c === "W") continue;
    if (code !== "0" && code !== last) out += code;
    last = code;
  }
  return out.padEnd(4, "0");
}
const soundex = fn({ name: "soundex", args: [S], result: S, impl: () => row(soundexOf) });

const overlay = fn({
  name: "overlay",
  args: ["stringOrBinary", "stringOrBinary", IntegerType, IntegerType],
  optional: 1,
  result: (t) => (t[0]!.kind === "binary" && t[1]!.kind === "binary" ? BinaryType : S),
  check: (t) => {
    if ((t[0]!.kind === "binary") !== (t[1]!.kind === "binary")) throw typeError("overlay", 1, `"${t[0]!.kind.toUpperCase()}"`, t[1]!);
  },
  impl: (sig) => {
    if (sig.dataType.kind === "binary") {
      return row((a: Uint8Array, r: Uint8Array, pos: number, len = -1) => {
        const l = len >= 0 ? len : r.length;
        const head = bytesSubstringSQL(a, 1, pos - 1), tail = bytesSubstringSQL(a, pos + l, 2147483647);
        const out = new Uint8Array(head.length + r.length + tail.length);
        out.set(head); out.set(r, head.length); out.set(tail, head.length + r.length);
        return out;
      });
    }
    return row((a: string, r: string, pos: number, len = -1) => {
      const l = len >= 0 ? len : charLength(r);
      return substringSQL(a, 1, pos - 1) + r + substringSQL(a, pos + l, 2147483647);
    });
  },
});

const space = fn({ name: "space", args: [IntegerType], result: S, impl: () => row((n: number) => (n <= 0 ? "" : " ".repeat(n))) });

const uuid = fn({
  name: "uuid", args: [], result: S, nullable: false, deterministic: false,
  doc: "uuid() - A random UUID string (non-deterministic).",
  impl: () => row(() => randomUUID()),
});

const substringIndex = fn({
  name: "substring_index", args: [S, S, IntegerType], result: S,
  doc: "substring_index(str, delim, count) - The part of str before the count-th delim (after it, counting from the end, when count < 0).",
  impl: () => row((s: string, d: string, count: number) => {
    if (d.length === 0 || count === 0) return "";
    const parts = s.split(d);
    if (count > 0) return parts.slice(0, count).join(d);
    return parts.slice(Math.max(0, parts.length + count)).join(d);
  }),
});

const findInSet = fn({
  name: "find_in_set", args: [S, S], result: IntegerType,
  impl: () => row((s: string, list: string) => (s.includes(",") ? 0 : list.split(",").indexOf(s) + 1)),
});

const toBinary = fn({
  name: "to_binary", args: [S, S], optional: 1, result: BinaryType,
  doc: "to_binary(str[, fmt]) - str decoded as 'hex' (default), 'utf-8' or 'base64'.",
  impl: () => row((s: string, f = "hex") => {
    switch (f.toLowerCase()) {
      case "hex": {
        const t = s.length % 2 === 1 ? "0" + s : s;
        return /^[0-9a-fA-F]*$/.test(t) ? new Uint8Array(Buffer.from(t, "hex")) : null;
      }
      case "utf-8": case "utf8": return utf8.encode(s);
      case "base64": return new Uint8Array(Buffer.from(s, "base64"));
      default:
        throw new IllegalArgumentError("INVALID_PARAMETER_VALUE.BINARY_FORMAT", `The value of parameter format of \`to_binary\` must be one of 'hex', 'utf-8', 'base64', but got '${f}'.`);
    }
  }),
});

export const STRING_FUNCTIONS: readonly ScalarFunctionDef[] = [
  concat, concatWs, substring, left, right, split, regexpExtract, regexpExtractAll, regexpReplace, rlike,
  likeDef("like", false), likeDef("ilike", true), lower, upper, initcap, trim, btrim, ltrim, rtrim, length,
  octetLength, bitLength, lpad, rpad, repeat, reverse, instr, locate, replace, translate, formatString, formatNumber,
  ascii, chr, base64, unbase64, hex, unhex, encode, decode, startswith, endswith, contains, levenshtein, soundex,
  overlay, space, uuid, substringIndex, findInSet, toBinary,
];

registerFunctions(STRING_FUNCTIONS);
