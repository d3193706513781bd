import type { Token, TokenList, TokenType } from "./token.js";

/** Operators, longest first so that `<=>` wins over `<=` and `<`. */
const OPERATORS = ["<=>", "<=", ">=", "<>", "!=", "==", "||", "::", "->", "=>", "=", "<", ">", "!", "+", "-", "*", "/", "%", "&", "|", "^", "~", "(", ")", "[", "]", ",", ".", ";", ":"];
const NUMBER_SUFFIXES = new Set(["L", "S", "Y", "D", "F", "BD"]);

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isIdentStart = (ch: string): boolean => /[\p{L}_]/u.test(ch);
const isIdentPart = (ch: string): boolean => /[\p{L}\p{N}_]/u.test(ch);

/**
 * Splits SQL text into tokens. Never throws: a bad character, an unclosed string or comment
 * becomes an `error` token that the parser reports with its position (SET values may contain
 * characters that are not SQL, and the parser reads those from the raw text instead).
 */
export function tokenize(text: string): TokenList {
  const tokens: Token[] = [];
  const hints = new Map<number, Token[]>();
  let i = 0;
  let line = 1;
  let lineStart = 0;

  const push = (type: TokenType, start: number, end: number, value: string, startLine: number, startCol: number): Token => {
    const raw = text.slice(start, end);
    const tok: Token = Object.freeze({ type, text: raw, value, upper: type === "ident" ? raw.toUpperCase() : "", start, end, line: startLine, column: startCol });
    if (type === "hint") {
      const list = hints.get(tokens.length) ?? [];
      list.push(tok);
      hints.set(tokens.length, list);
    } else tokens.push(tok);
    return tok;
  };
  /** Advances over [i, to), keeping line bookkeeping for newlines inside strings and comments. */
  const advanceTo = (to: number): void => {
    for (; i < to; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
  };

  while (i < text.length) {
    const c = text.charCodeAt(i);
    const ch = text[i]!;
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) {
      advanceTo(i + 1);
      continue;
    }
    const start = i;
    const startLine = line;
    const startCol = i - lineStart + 1;

    // -- comment to end of line
    if (ch === "-" && text[i + 1] === "-") {
      while (i < text.length && text.charCodeAt(i) !== 10) i++;
      continue;
    }
    // /* comment */ (nested, as Spark allows) and /*+ hint */
    if (ch === "/" && text[i + 1] === "*") {
      const isHint = text[i + 2] === "+";
      let depth = 0;
      let j = i;
      while (j < text.length) {
        if (text[j] === "/" && text[j + 1] === "*") { depth++; j += 2; continue; }
        if (text[j] === "*" && text[j + 1] === "/") { depth--; j += 2; if (depth === 0) break; continue; }
        j++;
      }
      if (depth !== 0) {
        push("error", start, text.length, "Unclosed comment: '/*' has no matching '*/'.", startLine, startCol);
        advanceTo(text.length);
        break;
      }
      if (isHint) push("hint", start, j, text.slice(i + 3, j - 2), startLine, startCol);
      advanceTo(j);
      continue;
    }
    // 'string' or "string", also r'raw' and X'hex'
    if (ch === "'" || ch === '"') {
      const r = readString(text, i, false);
      push(r.error ? "error" : "string", start, r.end, r.error ?? r.value, startLine, startCol);
      advanceTo(r.end);
      continue;
    }
    if ((ch === "r" || ch === "R") && (text[i + 1] === "'" || text[i + 1] === '"')) {
      const r = readString(text, i + 1, true);
      push(r.error ? "error" : "string", start, r.end, r.error ?? r.value, startLine, startCol);
      advanceTo(r.end);
      continue;
    }
    if ((ch === "x" || ch === "X") && text[i + 1] === "'") {
      const r = readString(text, i + 1, true);
      if (r.error) push("error", start, r.end, r.error, startLine, startCol);
      else if (!/^[0-9A-Fa-f]*$/.test(r.value)) push("error", start, r.end, `Invalid binary literal ${text.slice(start, r.end)}: expected hexadecimal digits`, startLine, startCol);
      else push("hex", start, r.end, r.value, startLine, startCol);
      advanceTo(r.end);
      continue;
    }
    // `quoted identifier`
    if (ch === "`") {
      let j = i + 1;
      let value = "";
      let closed = false;
      while (j < text.length) {
        if (text[j] === "`") {
          if (text[j + 1] === "`") { value += "`"; j += 2; continue; }
          closed = true;
          j++;
          break;
        }
        value += text[j++];
      }
      if (!closed) push("error", start, text.length, "Unclosed quoted identifier: '`' has no matching '`'.", startLine, startCol);
      else push("quoted", start, j, value, startLine, startCol);
      advanceTo(j);
      continue;
    }
    // numbers: 12  1.5  .5  1e3  10L  1.2BD (a leading '.' only where a number may start)
    const prev = tokens[tokens.length - 1];
    const dotStartsNumber = ch === "." && isDigit(text.charCodeAt(i + 1) || 0) && !(prev && (prev.type === "ident" || prev.type === "quoted" || (prev.type === "op" && (prev.value === ")" || prev.value === "]"))));
    if (isDigit(c) || dotStartsNumber) {
      const end = readNumber(text, i);
      if (end.identEnd > end.end) push("ident", start, end.identEnd, text.slice(start, end.identEnd), startLine, startCol);
      else push("number", start, end.end, text.slice(start, end.end), startLine, startCol);
      advanceTo(Math.max(end.end, end.identEnd));
      continue;
    }
    if (isIdentStart(ch)) {
      let j = i + 1;
      while (j < text.length && isIdentPart(text[j]!)) j++;
      push("ident", start, j, text.slice(start, j), startLine, startCol);
      advanceTo(j);
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      push("op", start, i + op.length, op, startLine, startCol);
      advanceTo(i + op.length);
      continue;
    }
    push("error", start, i + 1, `Unexpected character '${ch}'.`, startLine, startCol);
    advanceTo(i + 1);
  }
  push("eof", text.length, text.length, "", line, text.length - lineStart + 1);
  return { text, tokens, hints };
}

/**
 * Reads a number starting at `i`. Returns where the number ends; when digits run straight into
 * letters that are not a literal suffix (`1abc`), `identEnd` is past them: Spark reads such a
 * word as an identifier.
 */
function readNumber(text: string, i: number): { end: number; identEnd: number } {
  let j = i;
  while (isDigit(text.charCodeAt(j) || 0)) j++;
  let fractional = false;
  if (text[j] === "." && !(text[j + 1] === "." )) {
    // `1.` is a number too, but `1.x` is not a fraction
    if (isDigit(text.charCodeAt(j + 1) || 0) || !isIdentStart(text[j + 1] ?? " ")) {
      fractional = true;
      j++;
      while (isDigit(text.charCodeAt(j) || 0)) j++;
    }
  }
  if ((text[j] === "e" || text[j] === "E") && (isDigit(text.charCodeAt(j + 1) || 0) || ((text[j + 1] === "+" || text[j + 1] === "-") && isDigit(text.charCodeAt(j + 2) || 0)))) {
    fractional = true;
    j += 2;
    while (isDigit(text.charCodeAt(j) || 0)) j++;
  }
  let k = j;
  while (k < text.length && isIdentPart(text[k]!)) k++;
  if (k === j) return { end: j, identEnd: j };
  const suffix = text.slice(j, k).toUpperCase();
  if (NUMBER_SUFFIXES.has(suffix)) return { end: k, identEnd: k };
  // `1abc`: an identifier in Spark, unless the number had a fraction or exponent
  return fractional ? { end: j, identEnd: j } : { end: j, identEnd: k };
}

/** Reads a quoted string at `i` (the quote). Spark's escapes unless `raw`; a doubled quote is a quote. */
function readString(text: string, i: number, raw: boolean): { end: number; value: string; error?: string } {
  const q = text[i]!;
  let j = i + 1;
  let value = "";
  while (j < text.length) {
    const ch = text[j]!;
    if (ch === q) {
      if (text[j + 1] === q) { value += q; j += 2; continue; }
      return { end: j + 1, value };
    }
    if (ch === "\\" && j + 1 < text.length) {
      if (raw) { value += ch + text[j + 1]!; j += 2; continue; }
      const e = unescapeAt(text, j);
      value += e.value;
      j = e.end;
      continue;
    }
    value += ch;
    j++;
  }
  return { end: text.length, value, error: `Unclosed string literal: ${q} has no matching ${q}.` };
}

const SIMPLE_ESCAPES: Record<string, string> = { "0": "\u0000", b: "\b", n: "\n", r: "\r", t: "\t", Z: "\u001A", "%": "\\%", _: "\\_" };

/** One backslash escape at `j` as Spark unescapes it: \n \t \uXXXX \ooo, `\%` and `\_` keep the backslash, `\x` is `x`. */
function unescapeAt(text: string, j: number): { value: string; end: number } {
  const n = text[j + 1]!;
  if (n === "u" && /^[0-9A-Fa-f]{4}$/.test(text.slice(j + 2, j + 6))) return { value: String.fromCharCode(parseInt(text.slice(j + 2, j + 6), 16)), end: j + 6 };
  if (/^[0-3][0-7][0-7]$/.test(text.slice(j + 1, j + 4))) return { value: String.fromCharCode(parseInt(text.slice(j + 1, j + 4), 8)), end: j + 4 };
  const simple = SIMPLE_ESCAPES[n];
  return { value: simple ?? n, end: j + 2 };
}
