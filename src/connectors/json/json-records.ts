import { splitLines } from "../files/split-lines.js";
import type { JsonOptions } from "./json-options.js";
import { JsonSyntaxError, NumberText, parseJsonText } from "./json-text-parser.js";

/** Marks a record that is not valid JSON under the options. */
export const MALFORMED: unique symbol = Symbol("MALFORMED");

/** One record of a JSON file: its text and the 1-based line it starts on. */
export interface JsonRecordText {
  readonly text: string;
  readonly line: number;
}

/** The records of a file's text: one per non-blank line, or the whole text with `multiLine`; `firstLine` numbers the text's first line. */
export function jsonRecordTexts(text: string, opts: JsonOptions, firstLine = 1): JsonRecordText[] {
  if (opts.multiLine) return text.trim() === "" ? [] : [{ text, line: firstLine }];
  const lines = splitLines(text, opts.lineSep);
  const out: JsonRecordText[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.length === 0 || (l.charCodeAt(0) <= 32 && l.trim() === "")) continue;
    out.push({ text: l, line: firstLine + i });
  }
  return out;
}

const BIG_DIGITS = /\d{16}/;

/**
 * Parses one record: JSON.parse when it is exact, else the lenient parser (integers past 2^53
 * as exact longs, and the syntax options). MALFORMED when neither accepts it. With `checkDigits`
 * a record holding 16 or more digits in a row skips JSON.parse (it could round them away
 * unnoticed, e.g. in a decimal); readers whose columns make rounding visible (a number past
 * 2^53) may pass false and re-parse those records with `parseJsonRecordExactly` instead, which
 * saves the scan of every record.
 */
export function parseJsonRecord(text: string, opts: JsonOptions, checkDigits = true): unknown {
  if (!checkDigits || !BIG_DIGITS.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      if (!opts.lenient) return MALFORMED;
    }
  }
  return parseJsonRecordExactly(text, opts);
}

/** The lenient, exact parser alone (see parseJsonRecord). */
export function parseJsonRecordExactly(text: string, opts: JsonOptions): unknown {
  try {
    return parseJsonText(text, opts.syntax);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return MALFORMED;
    throw e;
  }
}

/** The text of a JSON value for a string column: strings as is, anything else as JSON. */
export function jsonValueText(v: unknown): string {
  if (typeof v === "string") return v;
  if (v instanceof NumberText) return v.text;
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? Number(x) : x instanceof NumberText ? Number(x.text) : x)) ?? "null";
}
