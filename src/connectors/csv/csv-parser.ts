import type { CsvOptions } from "./csv-options.js";

/**
 * One parsed CSV record, reused between calls: `fields[0..count)` are the values (quotes removed,
 * escapes applied), `quoted[i]` says the field was quoted (a quoted "" is an empty string, an
 * unquoted empty field is null). `start`/`end` locate the raw record text, `line` its first line.
 */
export interface CsvRecord {
  fields: string[];
  quoted: Uint8Array;
  count: number;
  line: number;
  start: number;
  end: number;
}

/**
 * Splits CSV text into records with a hand-written scanner: one reused record, no per-record
 * objects, and it keeps what csv-parse does not hand back cheaply (line numbers for FAILFAST,
 * raw record text for the corrupt-record column, quoted-vs-unquoted for null vs ""). Quoted
 * fields may span lines only with `multiLine`.
 * `onRecord` returns false to stop early.
 */
export function parseCsvText(text: string, o: CsvOptions, onRecord: (r: CsvRecord) => boolean | void): void {
  const sep = o.sep.charCodeAt(0);
  const quote = o.quote === "" ? -1 : o.quote.charCodeAt(0);
  const escape = o.escape.charCodeAt(0);
  const comment = o.comment === "" ? -1 : o.comment.charCodeAt(0);
  const customSep = o.lineSep !== undefined && o.lineSep !== "" ? o.lineSep : null;
  const rec: CsvRecord = { fields: new Array<string>(64), quoted: new Uint8Array(64), count: 0, line: 1, start: 0, end: 0 };
  const len = text.length;
  let pos = 0;
  let line = 1;
  const push = (value: string, wasQuoted: boolean): void => {
    if (rec.count === rec.quoted.length) {
      const q = new Uint8Array(rec.quoted.length * 2);
      q.set(rec.quoted);
      rec.quoted = q;
    }
    rec.fields[rec.count] = value;
    rec.quoted[rec.count++] = wasQuoted ? 1 : 0;
  };
  const isEol = (i: number): number => {
    // Length of the line separator at i, or 0.
    if (customSep !== null) return text.startsWith(customSep, i) ? customSep.length : 0;
    const c = text.charCodeAt(i);
    if (c === 10) return 1;
    if (c === 13) return text.charCodeAt(i + 1) === 10 ? 2 : 1;
    return 0;
  };
  while (pos < len) {
    // Skip empty lines and comment lines, as Spark does.
    const eol0 = isEol(pos);
    if (eol0 > 0) { pos += eol0; line++; continue; }
    if (text.charCodeAt(pos) === comment) {
      let e = pos;
      while (e < len && isEol(e) === 0) e++;
      pos = e + isEol(e);
      line++;
      continue;
    }
    rec.count = 0;
    rec.line = line;
    rec.start = pos;
    let endOfRecord = false;
    while (!endOfRecord) {
      // One field starting at pos.
      let p = pos;
      while (p < len && text.charCodeAt(p) === 32 && o.ignoreLeadingWhiteSpace) p++;
      if (p < len && text.charCodeAt(p) === quote) {
        let value = "";
        let segStart = p + 1;
        let i = p + 1;
        for (;;) {
          if (i >= len) { value += text.slice(segStart, i); break; }
          const c = text.charCodeAt(i);
          if (c === escape && escape !== quote && i + 1 < len && (text.charCodeAt(i + 1) === quote || text.charCodeAt(i + 1) === escape)) {
            value += text.slice(segStart, i) + text[i + 1];
            i += 2;
            segStart = i;
            continue;
          }
          if (c === quote) {
            if (text.charCodeAt(i + 1) === quote) {
              value += text.slice(segStart, i + 1);
              i += 2;
              segStart = i;
              continue;
            }
            value += text.slice(segStart, i);
            i++;
            break;
          }
          if (!o.multiLine && isEol(i) > 0) { value += text.slice(segStart, i); break; }
          if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) line++;
          i++;
        }
        // After the closing quote: anything up to the separator is kept (unescaped quote handling).
        let j = i;
        while (j < len && text.charCodeAt(j) !== sep && isEol(j) === 0) j++;
        if (j > i) {
          const tail = text.slice(i, j);
          value += o.ignoreTrailingWhiteSpace ? tail.trimEnd() : tail;
        }
        push(value, true);
        pos = j;
      } else {
        let j = p;
        while (j < len) {
          const c = text.charCodeAt(j);
          if (c === sep || c === 10 || c === 13 || (customSep !== null && isEol(j) > 0)) break;
          j++;
        }
        let value = text.slice(p, j);
        if (o.ignoreTrailingWhiteSpace) value = value.trimEnd();
        push(value, false);
        pos = j;
      }
      if (pos < len && text.charCodeAt(pos) === sep) {
        pos++;
        if (pos >= len) { push("", false); endOfRecord = true; }
        continue;
      }
      endOfRecord = true;
    }
    rec.end = pos;
    const eol = pos < len ? isEol(pos) : 0;
    pos += eol;
    line++;
    if (onRecord(rec) === false) return;
  }
}
