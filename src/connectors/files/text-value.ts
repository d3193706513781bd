import type { DataType } from "../../types/data-type.js";
import { LONG_MAX, LONG_MIN, normalizeLong } from "../../types/long.js";
import { toDecimalUnscaled } from "../../types/values.js";
import type { DatetimeCodec } from "./datetime-codec.js";

/** Returned by a text converter when the text is not a value of the type (a malformed field). */
export const BAD_VALUE: unique symbol = Symbol("BAD_VALUE");
export type TextConverter = (text: string) => unknown;

const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[dDfF]?$/;

export interface NumberWords {
  readonly nanValue: string;
  readonly positiveInf: string;
  readonly negativeInf: string;
}

const JAVA_WORDS: NumberWords = { nanValue: "NaN", positiveInf: "Inf", negativeInf: "-Inf" };

export function parseIntegral(text: string, min: number, max: number): number | typeof BAD_VALUE {
  if (!INT_RE.test(text)) return BAD_VALUE;
  const n = Number(text);
  return n >= min && n <= max ? n : BAD_VALUE;
}

export function parseLongText(text: string): number | bigint | typeof BAD_VALUE {
  if (!INT_RE.test(text)) return BAD_VALUE;
  if (text.length <= 16) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return n;
  }
  const b = BigInt(text);
  return b < LONG_MIN || b > LONG_MAX ? BAD_VALUE : normalizeLong(b);
}

export function parseDoubleText(text: string, words: NumberWords = JAVA_WORDS): number | typeof BAD_VALUE {
  if (FLOAT_RE.test(text)) return parseFloat(text);
  if (text === words.nanValue || text === "NaN") return NaN;
  if (text === words.positiveInf || text === "Infinity" || text === "+Infinity" || text === "Inf") return Number.POSITIVE_INFINITY;
  if (text === words.negativeInf || text === "-Infinity" || text === "-Inf") return Number.NEGATIVE_INFINITY;
  return BAD_VALUE;
}

export function parseBooleanText(text: string): boolean | typeof BAD_VALUE {
  const t = text.toLowerCase();
  return t === "true" ? true : t === "false" ? false : BAD_VALUE;
}

/**
 * A function turning text into the internal value of `type` (see types/data-type.ts), or
 * BAD_VALUE. Used for CSV fields, partition directory values and JSON primitives read as text.
 */
export function textConverter(type: DataType, codec: DatetimeCodec, words: NumberWords = JAVA_WORDS): TextConverter {
  switch (type.kind) {
    case "string": return (s) => s;
    case "boolean": return parseBooleanText;
    case "byte": return (s) => parseIntegral(s, -128, 127);
    case "short": return (s) => parseIntegral(s, -32768, 32767);
    case "int": return (s) => parseIntegral(s, -2147483648, 2147483647);
    case "long": return parseLongText;
    case "float": return (s) => {
      const d = parseDoubleText(s, words);
      return d === BAD_VALUE ? d : Math.fround(d);
    };
    case "double": return (s) => parseDoubleText(s, words);
    case "decimal": return (s) => toDecimalUnscaled(s, type) ?? BAD_VALUE;
    case "date": return (s) => codec.parseDate(s) ?? BAD_VALUE;
    case "timestamp": return (s) => codec.parseTimestamp(s) ?? BAD_VALUE;
    case "binary": {
      const enc = new TextEncoder();
      return (s) => enc.encode(s);
    }
    case "null": return () => null;
    default: return () => BAD_VALUE;
  }
}
