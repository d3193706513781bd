import { AnalysisError, ExecutionError } from "../../errors/errors.js";
import { type DataType, type DecimalType, StringType, decimalType } from "../../types/data-type.js";
import { type Long, normalizeLong } from "../../types/long.js";
import { decimalToString } from "../../types/values.js";
import type { ArgInfo, ScalarFunctionDef } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { checkArgCount, coerceArg, row, scalar, typeError } from "./define.js";

/**
 * to_number / try_to_number (text → DECIMAL) and to_char / to_varchar (DECIMAL → text) with
 * Spark's number format strings: `0`/`9` digits (a leading 0 before the point fixes the count, 9
 * allows fewer), `.`/`D` decimal point, `,`/`G` grouping, `$`, `S` (sign), `MI` (minus),
 * `PR` (<negative>), in the order [MI|S] [$] digits [.] digits [$] [PR|MI|S]. Written from the
 * behaviour Spark's ToNumberParser specifies: the result type is DECIMAL(digits in the format,
 * digits after the point); a number too wide for the format prints as '#'s.
 */

type Token =
  | { k: "digits"; n: number; exact: boolean }
  | { k: "point" } | { k: "comma" } | { k: "dollar" } | { k: "sign" } | { k: "minus" } | { k: "open" } | { k: "close" }
  | { k: "group"; parts: GroupPart[] }
  | { k: "bad"; ch: string };
/** A run of digits and grouping separators, in format order. */
type GroupPart = { k: "digits"; n: number; exact: boolean } | { k: "comma" };

export interface NumberFormat {
  readonly format: string;
  readonly tokens: readonly Token[];
  readonly precision: number;
  readonly scale: number;
}

function tokenize(f: string): Token[] {
  const raw: Token[] = [];
  let afterPoint = false;
  for (let i = 0; i < f.length;) {
    const ch = f[i]!;
    if (ch === "0" || ch === "9") {
      const start = i;
      do i++;
      while (i < f.length && (f[i] === "0" || f[i] === "9"));
      raw.push({ k: "digits", n: i - start, exact: ch === "0" && !afterPoint });
      continue;
    }
    i++;
    if (ch === "." || ch === "D") { raw.push({ k: "point" }); afterPoint = true; }
    else if (ch === "," || ch === "G") raw.push({ k: "comma" });
    else if (ch === "$") raw.push({ k: "dollar" });
    else if (ch === "S") raw.push({ k: "sign" });
    else if (ch === "M" && f[i] === "I") { raw.push({ k: "minus" }); i++; }
    else if (ch === "P" && f[i] === "R") { raw.unshift({ k: "open" }); raw.push({ k: "close" }); i++; }
    else raw.push({ k: "bad", ch });
  }
  // Consecutive digits and separators form one group.
  const out: Token[] = [];
  let group: GroupPart[] = [];
  for (const t of raw) {
    if (t.k === "digits" || t.k === "comma") { group.push(t); continue; }
    if (group.length) { out.push({ k: "group", parts: group }); group = []; }
    out.push(t);
  }
  if (group.length) out.push({ k: "group", parts: group });
  return out;
}

const digitCount = (t: Token): number => (t.k === "group" ? t.parts.reduce((s, p) => s + (p.k === "digits" ? p.n : 0), 0) : 0);
const label = (t: Token): string =>
  t.k === "group" ? "digit sequence" : t.k === "point" ? ". or D" : t.k === "comma" ? ", or G" : t.k === "dollar" ? "$" : t.k === "sign" ? "S"
    : t.k === "minus" ? "MI" : t.k === "open" || t.k === "close" ? "PR" : t.k === "bad" ? `character '${t.ch}''` : "digit sequence";

function invalid(sub: string, format: string, extra = ""): AnalysisError {
  return new AnalysisError(`INVALID_FORMAT.${sub}`, `[INVALID_FORMAT.${sub}] The format is invalid: '${format}'.${extra}`);
}

/** Parses and checks a format string (Spark's rules and error classes). */
export function numberFormat(format: string): NumberFormat {
  const tokens = tokenize(format);
  if (format === "") throw invalid("EMPTY", format, " The number format string cannot be empty.");
  if (!tokens.some((t) => t.k === "group")) throw invalid("WRONG_NUM_DIGIT", format, " The format string requires at least one number digit.");
  const firstDollar = tokens.findIndex((t) => t.k === "dollar");
  const firstGroup = tokens.findIndex((t) => t.k === "group");
  const point = tokens.findIndex((t) => t.k === "point");
  if (firstGroup < firstDollar) throw invalid("CUR_MUST_BEFORE_DIGIT", format, " Currency characters must appear before digits in the number format.");
  if (point !== -1 && point < firstDollar) throw invalid("CUR_MUST_BEFORE_DEC", format, " Currency characters must appear before any decimal point in the number format.");
  tokens.forEach((t, i) => {
    if (t.k !== "group") return;
    if (point === -1 || i < point) {
      const ps = t.parts;
      if (ps.some((p, j) => p.k === "comma" && (j === 0 || j === ps.length - 1 || ps[j - 1]!.k === "comma" || ps[j + 1]!.k === "comma"))) {
        throw invalid("CONT_THOUSANDS_SEPS", format, " Thousands separators (, or G) must have digits in between them in the number format.");
      }
    } else if (t.parts.some((p) => p.k === "comma")) {
      throw invalid("THOUSANDS_SEPS_MUST_BEFORE_DEC", format, " Thousands separators (, or G) may not appear after the decimal point in the number format.");
    }
  });
  for (const k of ["point", "sign", "minus", "dollar", "close"] as const) {
    if (tokens.filter((t) => t.k === k).length > 1) throw invalid("WRONG_NUM_TOKEN", format, ` At most one ${label({ k } as Token)} is allowed in the number format.`);
  }
  // [PR] [MI|S] [$] digits [.] digits [$] [MI|S|PR]
  const allowed: (readonly Token["k"][])[] = [["open"], ["minus", "sign"], ["dollar"], ["group"], ["point"], ["group"], ["dollar"], ["minus", "sign", "close"]];
  let at = 0;
  for (const kinds of allowed) if (at < tokens.length && kinds.includes(tokens[at]!.k)) at++;
  if (at < tokens.length) throw invalid("UNEXPECTED_TOKEN", format, ` Found the unexpected ${label(tokens[at]!)} in the format string; the structure of the valid format is [MI|S] [$] [0|9|G|,]* [.|D] [0|9]* [$] [PR|MI|S].`);
  const precision = tokens.reduce((s, t) => s + digitCount(t), 0);
  const scale = point === -1 ? 0 : tokens.slice(point).reduce((s, t) => s + digitCount(t), 0);
  if (precision > 38) throw invalid("WRONG_NUM_DIGIT", format, " The format has more than 38 digits.");
  return { format, tokens, precision, scale };
}

function mismatch(input: string, inputType: string, format: string): ExecutionError {
  return new ExecutionError("INVALID_FORMAT.MISMATCH_INPUT", `[INVALID_FORMAT.MISMATCH_INPUT] The input ${inputType} '${input}' does not match the format '${format}'.`);
}

/** Text → unscaled decimal (scale = nf.scale), or null when it does not match. */
export function parseNumber(nf: NumberFormat, s: string): Long | null {
  let before = "", after = "";
  let afterPoint = false, opened = false, closed = false, negate = false;
  let i = 0;
  for (const t of nf.tokens) {
    const ch = i < s.length ? s[i] : undefined;
    switch (t.k) {
      case "group": {
        // Read digits, separators and whitespace; then compare group sizes (last group first) with the format's.
        const sizes: number[] = [];
        let cur = 0;
        for (; i < s.length; i++) {
          const c = s[i]!;
          if (/\s/.test(c)) continue;
          if (c >= "0" && c <= "9") {
            cur++;
            if (afterPoint) after += c;
            else before += c;
          } else if (c === ",") {
            sizes.unshift(cur);
            cur = 0;
          } else break;
        }
        sizes.unshift(cur);
        const expected = t.parts.filter((p): p is Extract<GroupPart, { k: "digits" }> => p.k === "digits").reverse();
        if (sizes.length > expected.length) return null;
        for (let j = 0; j < expected.length; j++) {
          const n = sizes[j] ?? 0, e = expected[j]!;
          if (e.exact ? n !== e.n : n > e.n) return null;
        }
        break;
      }
      case "point": if (ch === ".") { afterPoint = true; i++; } break;
      case "dollar": if (ch !== undefined) { if (ch !== "$") return null; i++; } break;
      case "sign": if (ch === "+") i++; else if (ch === "-") { negate = !negate; i++; } break;
      case "minus": if (ch === "-") { negate = !negate; i++; } break;
      case "open": if (ch === "<") { if (opened) return null; opened = true; i++; } break;
      case "close": if (ch === ">") { if (!opened) return null; closed = true; negate = !negate; i++; } break;
      case "comma": case "digits": case "bad": return null;
    }
  }
  if (i < s.length || opened !== closed || (before === "" && after === "")) return null;
  const digits = (before === "" ? "0" : before) + after.padEnd(nf.scale, "0");
  const v = BigInt(digits);
  return normalizeLong(negate ? -v : v);
}

/** Unscaled decimal (with `scale`) → text in the format (Spark's to_char). */
export function formatNumber(nf: NumberFormat, unscaled: Long, scale: number): string {
  const negative = unscaled < 0;
  const plain = decimalToString(unscaled, scale);
  let [intPart = "", frac = ""] = plain.split(".");
  intPart = intPart.replace(/^[-0]+/, "");
  frac = frac.replace(/0+$/, "");
  let fmtBefore = 0, fmtAfter = 0, seenPoint = false;
  for (const t of nf.tokens) {
    if (t.k === "point") seenPoint = true;
    else if (t.k === "group") { if (seenPoint) fmtAfter += digitCount(t); else fmtBefore += digitCount(t); }
  }
  if (fmtBefore < intPart.length || fmtAfter < frac.length) {
    intPart = "#".repeat(fmtBefore);
    frac = "#".repeat(fmtAfter);
  }
  const beforeDigits = " ".repeat(fmtBefore - intPart.length) + intPart;
  const afterDigits = frac + "0".repeat(fmtAfter - frac.length);
  const out: string[] = [];
  const last = (): string | undefined => out[out.length - 1];
  const addChar = (c: string): void => {
    // The character moves left past spaces.
    out.push(c);
    for (let k = out.length - 1; k >= 1 && out[k - 1] === " " && out[k] === c; k--) { out[k] = " "; out[k - 1] = c; }
  };
  const addSpace = (): void => {
    // A space moves left past a sign or an opening bracket, so they stay next to the digits.
    out.push(" ");
    for (let k = out.length - 1; k >= 1 && (out[k - 1] === "+" || out[k - 1] === "-" || out[k - 1] === "<") && out[k] === " "; k--) { out[k] = out[k - 1]!; out[k - 1] = " "; }
  };
  const stripLonePoint = (): void => {
    const p = out.indexOf(".");
    if (p !== -1 && (p === out.length - 1 || out[p + 1] === " ")) out[p] = " ";
  };
  let bi = 0, ai = 0, reachedPoint = false;
  for (const t of nf.tokens) {
    switch (t.k) {
      case "group":
        for (const p of t.parts) {
          if (p.k === "comma") {
            const l = last();
            if (l !== undefined && l >= "0" && l <= "9") out.push(",");
            else addSpace();
          } else if (!reachedPoint) {
            for (let j = 0; j < p.n; j++) {
              const c = beforeDigits[bi++]!;
              if (c === " " && p.exact) out.push("0");
              else if (c === " ") addSpace();
              else out.push(c);
            }
          } else {
            for (let j = 0; j < p.n; j++) out.push(afterDigits[ai++]!);
          }
        }
        break;
      case "point":
        if (last() === " ") out[out.length - 1] = "0";
        out.push(".");
        reachedPoint = true;
        break;
      case "dollar": out.push("$"); break;
      case "sign": stripLonePoint(); addChar(negative ? "-" : "+"); break;
      case "minus": if (negative) { stripLonePoint(); addChar("-"); } else out.push(" "); break;
      case "open": if (negative) out.push("<"); break;
      case "close": stripLonePoint(); if (negative) addChar(">"); else out.push(" ", " "); break;
      default: break;
    }
  }
  stripLonePoint();
  const s = out.join("");
  return s === "" || s === "+" || s === "-" ? "0" : s;
}

function formatArg(name: string, args: readonly ArgInfo[]): NumberFormat {
  const f = args[1]!;
  if (!f.foldable || typeof f.value !== "string") {
    throw new AnalysisError("DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", `[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] Cannot resolve "${name}": the format must be a constant string.`);
  }
  return numberFormat(f.value);
}

function toNumber(name: string, tolerant: boolean): ScalarFunctionDef {
  return scalar({
    type: "scalar", name, minArgs: 2, maxArgs: 2,
    doc: `${name}(str, format) - str read as a DECIMAL in the number format (0 9 . D , G $ S MI PR)${tolerant ? "; null when it does not match" : ""}.`,
    resolve(args: readonly ArgInfo[]) {
      checkArgCount(name, args.length, 2, 2);
      const inputTypes = args.map((a, i) => coerceArg(name, i, a, StringType));
      const nf = formatArg(name, args);
      return { inputTypes, dataType: decimalType(nf.precision, nf.scale), state: nf };
    },
    compile(sig) {
      const nf = sig.state as NumberFormat;
      return row((s: string) => {
        const v = parseNumber(nf, s);
        if (v === null && !tolerant) throw mismatch(s, "STRING", nf.format);
        return v;
      });
    },
  });
}

/** The DECIMAL type a number is read as by to_char (Spark's DecimalType.forType). */
function asDecimal(t: DataType): DecimalType | null {
  switch (t.kind) {
    case "decimal": return t;
    case "byte": return decimalType(3, 0);
    case "short": return decimalType(5, 0);
    case "int": return decimalType(10, 0);
    case "long": return decimalType(20, 0);
    case "float": return decimalType(14, 7);
    case "double": return decimalType(30, 15);
    default: return null;
  }
}

function toChar(name: string): ScalarFunctionDef {
  return scalar({
    type: "scalar", name, minArgs: 2, maxArgs: 2,
    doc: `${name}(number, format) - The number as text in the number format (0 9 . D , G $ S MI PR); '#'s when it is too wide.`,
    resolve(args: readonly ArgInfo[]) {
      checkArgCount(name, args.length, 2, 2);
      const dt = asDecimal(args[0]!.dataType);
      if (!dt) throw typeError(name, 0, `"DECIMAL"`, args[0]!.dataType);
      const nf = formatArg(name, args);
      return { inputTypes: [dt.kind === args[0]!.dataType.kind ? null : dt, coerceArg(name, 1, args[1]!, StringType)], dataType: StringType, state: nf };
    },
    compile(sig) {
      const nf = sig.state as NumberFormat;
      const scale = (sig.argTypes[0] as DecimalType).scale;
      return row((v: Long) => formatNumber(nf, v, scale));
    },
  });
}

export const NUMBER_FORMAT_FUNCTIONS: readonly ScalarFunctionDef[] = [toNumber("to_number", false), toNumber("try_to_number", true), toChar("to_char"), toChar("to_varchar")];

registerFunctions(NUMBER_FORMAT_FUNCTIONS);
