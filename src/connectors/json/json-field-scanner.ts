import { BAD_VALUE } from "../files/text-value.js";
import type { JsonConverter } from "./json-converters.js";
import { type SpecialByteFinder, specialByteFinder } from "./special-byte-finder.js";

/** Nesting deeper than this in a skipped value goes to the general parser (no deep recursion here). */
const MAX_SKIP_DEPTH = 64;

/** Byte classes inside a string: 0 plain ASCII, 1 `"`, 2 `\`, 3 control character, 4 part of a multi-byte UTF-8 character. */
const STRING_CLASS = new Uint8Array(256);
for (let c = 0; c < 32; c++) STRING_CLASS[c] = 3;
STRING_CLASS[34] = 1;
STRING_CLASS[92] = 2;
for (let c = 128; c < 256; c++) STRING_CLASS[c] = 4;

/** What the scanner reads for one column: the field's name, its converter, and whether it shows rounding. */
export interface ScannedColumn {
  readonly name: string;
  readonly convert: JsonConverter;
  /** A long or string column: a number JSON.parse would round (an integer past 2^53) is left to the general path. */
  readonly exact: boolean;
  /**
   * A string column the reader may not need for every record (no pushed filter reads it): a plain
   * JSON string (no escapes) is its value as is, so scan() leaves it unread and `materialize` reads
   * it for the records the reader keeps.
   */
  readonly lazy?: boolean;
}

/** In scan()'s `out`: a lazy column's string, not read yet (see `materialize`). */
const UNREAD: unique symbol = Symbol("unread");

/**
 * Reads the flat fields a schema asks for out of one JSON record in one pass over its UTF-8
 * bytes, without building an object: the fast path of the JSON reader for JSON Lines.
 *
 * `scan(bytes, start, end, crlf, text, delta, out)` looks at the line at `start` and either
 * handles the record on it — it is one strict-JSON object (what JSON.parse accepts, no more: only spaces as
 * whitespace), the wanted fields hold scalars, and every converter accepts its value — writing
 * each column's converted value to `out` (null when the field is absent or null; the last of
 * duplicate keys wins, as with JSON.parse) and returning where the line ends; or it returns -1, and the
 * caller reads the record with the general path (JSON.parse / the lenient parser + converters),
 * which decides everything about the records the scanner leaves: malformed text, the lenient
 * syntax options, nested or rounded values in wanted fields, values the column type rejects,
 * top-level arrays, blank lines, tabs.
 *
 * For every record it handles, `out` is what the general path would produce: strings are the
 * same characters (escapes decoded by JSON.parse, other text by the UTF-8 decoder), numbers are
 * read by Number() as JSON.parse reads them, and values go through the same converters. Skipped
 * fields, nested ones included, are checked as strictly, so a malformed record is never taken.
 *
 * A lazy column's plain string is left unread in `out` until `materialize` (the reader calls it
 * for the records its pushed filters keep).
 *
 * `text`, when not null, is the same bytes decoded, all ASCII, with text index = byte index +
 * `delta`: strings are sliced from it (they share its memory, as sliced strings do) instead of
 * being decoded one by one.
 */
export class JsonFieldScanner {
  private readonly width: number;
  /** Column indices by the UTF-8 length of their name (only keys of that length are compared). */
  private readonly byLength: (number[] | undefined)[] = [];
  private readonly names: string[];
  private readonly nameBytes: Uint8Array[];
  private readonly convs: JsonConverter[];
  private readonly exact: boolean[];
  private readonly lazy: boolean[];
  private readonly lazyColumns: number[];
  /** Where each lazy column's unread string lies in the bytes: [from[c], to[c]), quotes excluded. */
  private readonly from: Int32Array;
  private readonly to: Int32Array;
  /** Where the last string or number scanned ends (one past it). */
  private end = 0;
  /** What the last string scanned holds besides plain ASCII: bit 1 a backslash escape, bit 2 non-ASCII bytes. */
  private flags = 0;
  /** The last number scanned (when asked for). */
  private num = 0;
  private b: Buffer = Buffer.alloc(0);
  private text: string | null = null;
  private delta = 0;
  /** In `text`: the first backslash or control character (but \n, \r) after the last string looked at, or its length. */
  private special = -1;
  private readonly finder: SpecialByteFinder = specialByteFinder();

  /**
   * `columns[c]` null: column c is never read from the record (e.g. the corrupt-record column),
   * always null. Names must be distinct (a reader with two columns of one name uses the general path).
   */
  constructor(columns: readonly (ScannedColumn | null)[]) {
    this.width = columns.length;
    this.names = columns.map((c) => c?.name ?? "");
    this.nameBytes = this.names.map((n) => new Uint8Array(Buffer.from(n, "utf8")));
    this.convs = columns.map((c) => c?.convert ?? (() => null));
    this.exact = columns.map((c) => c?.exact ?? false);
    this.lazy = columns.map((c) => c?.lazy === true);
    this.lazyColumns = this.lazy.flatMap((l, c) => (l ? [c] : []));
    this.from = new Int32Array(this.width);
    this.to = new Int32Array(this.width);
    columns.forEach((c, i) => {
      if (c === null) return;
      if (columns.some((d, j) => j < i && d?.name === c.name)) throw new Error(`JsonFieldScanner: column ${c.name} twice`);
      (this.byLength[this.nameBytes[i]!.length] ??= []).push(i);
    });
  }

  /**
   * Sets the bytes that scan() reads, and their decoded text when all ASCII (text index = byte
   * index + `delta`; strings are then sliced from it, and found with indexOf), else null.
   */
  chunk(b: Buffer, text: string | null, delta: number): void {
    this.b = b;
    this.text = text;
    this.delta = delta;
    this.special = -1;
    if (text !== null) this.finder.load(b.subarray(-delta, text.length - delta), text);
  }

  /**
   * Scans the record bytes[start, end) (see the class doc; a line without its line end): true
   * when it handled it, values in `out` (one slot per column).
   */
  scan(start: number, end: number, out: unknown[]): boolean {
    const b = this.b;
    const text = this.text;
    const delta = this.delta;
    const width = this.width;
    for (let c = 0; c < width; c++) out[c] = null;
    let p = start;
    while (b[p] === 32 && p < end) p++;
    if (p >= end || b[p] !== 123) return false;
    p++;
    while (b[p] === 32 && p < end) p++;
    if (b[p] === 125 && p < end) p++;
    else {
      for (;;) {
        if (p >= end || b[p] !== 34 || !this.string(b, p, end)) return false;
        const col = this.flags === 0 ? this.column(b, p + 1, this.end - 1) : this.decodedColumn(b, p);
        if (col === -2) return false;
        p = this.end;
        while (b[p] === 32 && p < end) p++;
        if (p >= end || b[p] !== 58) return false;
        p++;
        while (b[p] === 32 && p < end) p++;
        if (p >= end) return false;
        const c = b[p]!;
        let v: unknown = null;
        let unread = false;
        if (c === 34) {
          if (!this.string(b, p, end)) return false;
          const e = this.end;
          if (this.flags & 1) {
            const d = decodeString(b, p, e);
            if (d === undefined) return false;
            v = d;
          } else if (col >= 0) {
            if (this.lazy[col]) {
              this.from[col] = p + 1;
              this.to[col] = e - 1;
              unread = true;
            } else v = text !== null ? text.slice(p + 1 + delta, e - 1 + delta) : b.toString("utf8", p + 1, e - 1);
          }
          p = e;
        } else if (c === 45 || (c >= 48 && c <= 57)) {
          if (!this.number(b, p, end, col >= 0)) return false;
          if (col >= 0) {
            v = this.num;
            if (this.exact[col] && Number.isInteger(v) && !Number.isSafeInteger(v)) return false;
          }
          p = this.end;
        } else if (c === 116) {
          if (p + 4 > end || b[p + 1] !== 114 || b[p + 2] !== 117 || b[p + 3] !== 101) return false;
          v = true;
          p += 4;
        } else if (c === 102) {
          if (p + 5 > end || b[p + 1] !== 97 || b[p + 2] !== 108 || b[p + 3] !== 115 || b[p + 4] !== 101) return false;
          v = false;
          p += 5;
        } else if (c === 110) {
          if (p + 4 > end || b[p + 1] !== 117 || b[p + 2] !== 108 || b[p + 3] !== 108) return false;
          p += 4;
        } else if ((c === 123 || c === 91) && col < 0) {
          p = this.skipNested(b, p, end, 0);
          if (p < 0) return false;
        } else return false;
        if (col >= 0) {
          if (unread) out[col] = UNREAD;
          else if (v === null) out[col] = null;
          else {
            const x = this.convs[col]!(v);
            if (x === BAD_VALUE) return false;
            out[col] = x;
          }
        }
        while (b[p] === 32 && p < end) p++;
        if (p >= end) return false;
        const d = b[p++];
        if (d === 44) {
          while (b[p] === 32 && p < end) p++;
          continue;
        }
        if (d === 125) break;
        return false;
      }
    }
    while (b[p] === 32 && p < end) p++;
    return p === end;
  }

  /**
   * Reads the strings the last scan() left unread in `out` (lazy columns): call it for a record
   * the reader keeps, before the next chunk(). A reader that drops most records (a pushed filter
   * on another column) so slices no string it would drop.
   */
  materialize(out: unknown[]): void {
    const cols = this.lazyColumns;
    const text = this.text;
    for (let k = 0; k < cols.length; k++) {
      const c = cols[k]!;
      if (out[c] !== UNREAD) continue;
      out[c] = text !== null ? text.slice(this.from[c]! + this.delta, this.to[c]! + this.delta) : this.b.toString("utf8", this.from[c]!, this.to[c]!);
    }
  }

  /** The column a plain (ASCII, unescaped) key bytes[a, e) names, or -1. */
  private column(b: Buffer, a: number, e: number): number {
    const cands = this.byLength[e - a];
    if (cands === undefined) return -1;
    for (let k = 0; k < cands.length; k++) {
      const c = cands[k]!;
      const name = this.nameBytes[c]!;
      let i = 0;
      while (i < name.length && b[a + i] === name[i]) i++;
      if (i === name.length) return c;
    }
    return -1;
  }

  /** The column a key with escapes or non-ASCII text names (decoded), -1 for none, -2 when it does not decode. */
  private decodedColumn(b: Buffer, q: number): number {
    const key = this.flags & 1 ? decodeString(b, q, this.end) : b.toString("utf8", q + 1, this.end - 1);
    if (key === undefined) return -2;
    for (let c = 0; c < this.width; c++) if (this.byLength[this.nameBytes[c]!.length]?.includes(c) && this.names[c] === key) return c;
    return -1;
  }

  /**
   * The string starting at the quote at q: sets `end` past its closing quote and `flags`; false
   * for a control character in it or no closing quote before `end`.
   */
  private string(b: Buffer, q: number, end: number): boolean {
    const text = this.text;
    if (text !== null) {
      // ASCII text: the closing quote by indexOf, when no backslash or control character comes first.
      const from = q + 1 + this.delta;
      const close = text.indexOf('"', from);
      if (close < 0 || close - this.delta >= end) return false;
      if (this.special < from) this.special = this.finder.next(from);
      if (this.special > close) {
        this.end = close - this.delta + 1;
        this.flags = 0;
        return true;
      }
    }
    let i = q + 1;
    let flags = 0;
    for (;;) {
      let k = STRING_CLASS[b[i]!];
      while (k === 0) k = STRING_CLASS[b[++i]!];
      if (i >= end) return false;
      if (k === 1) break;
      if (k === 2) {
        flags |= 1;
        i += 2;
      } else if (k === 4) {
        flags |= 2;
        i++;
      } else return false;
    }
    this.end = i + 1;
    this.flags = flags;
    return true;
  }

  /**
   * A strict JSON number at p (-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?): sets `end`, and `num`
   * (its value as JSON.parse reads it) when `want`; false when it is not one.
   */
  private number(b: Buffer, p: number, end: number, want: boolean): boolean {
    let i = p;
    let c = b[i]!;
    const neg = c === 45;
    if (neg) c = b[++i]!;
    let v = 0;
    if (c === 48) c = b[++i]!;
    else if (c >= 49 && c <= 57) {
      do {
        v = v * 10 + (c - 48);
        c = b[++i]!;
      } while (c >= 48 && c <= 57);
    } else return false;
    if (c >= 48 && c <= 57) return false; // a leading zero
    let plain = true;
    if (c === 46) {
      plain = false;
      c = b[++i]!;
      if (!(c >= 48 && c <= 57)) return false;
      do c = b[++i]!; while (c >= 48 && c <= 57);
    }
    if (c === 101 || c === 69) {
      plain = false;
      c = b[++i]!;
      if (c === 43 || c === 45) c = b[++i]!;
      if (!(c >= 48 && c <= 57)) return false;
      do c = b[++i]!; while (c >= 48 && c <= 57);
    }
    if (i > end) return false;
    this.end = i;
    // Up to 15 characters the running value is exact; beyond, or with a fraction, Number() rounds as JSON.parse does.
    if (want) this.num = plain && i - p <= 15 ? (neg ? -v : v) : Number(b.toString("latin1", p, i));
    return true;
  }

  /** Past the object or array at p, checked as strictly as JSON.parse would; -1 when not. */
  private skipNested(b: Buffer, p: number, end: number, depth: number): number {
    if (depth >= MAX_SKIP_DEPTH) return -1;
    const close = b[p] === 123 ? 125 : 93;
    p++;
    while (b[p] === 32 && p < end) p++;
    if (p < end && b[p] === close) return p + 1;
    for (;;) {
      if (p >= end) return -1;
      if (close === 125) {
        if (b[p] !== 34 || !this.string(b, p, end)) return -1;
        if (this.flags & 1 && decodeString(b, p, this.end) === undefined) return -1;
        p = this.end;
        while (b[p] === 32 && p < end) p++;
        if (p >= end || b[p] !== 58) return -1;
        p++;
        while (b[p] === 32 && p < end) p++;
        if (p >= end) return -1;
      }
      const c = b[p];
      if (c === 34) {
        if (!this.string(b, p, end)) return -1;
        if (this.flags & 1 && decodeString(b, p, this.end) === undefined) return -1;
        p = this.end;
      } else if (c === 45 || (c !== undefined && c >= 48 && c <= 57)) {
        if (!this.number(b, p, end, false)) return -1;
        p = this.end;
      } else if (c === 116 && p + 4 <= end && b[p + 1] === 114 && b[p + 2] === 117 && b[p + 3] === 101) p += 4;
      else if (c === 102 && p + 5 <= end && b[p + 1] === 97 && b[p + 2] === 108 && b[p + 3] === 115 && b[p + 4] === 101) p += 5;
      else if (c === 110 && p + 4 <= end && b[p + 1] === 117 && b[p + 2] === 108 && b[p + 3] === 108) p += 4;
      else if (c === 123 || c === 91) {
        p = this.skipNested(b, p, end, depth + 1);
        if (p < 0) return -1;
      } else return -1;
      while (b[p] === 32 && p < end) p++;
      if (p >= end) return -1;
      const d = b[p++];
      if (d === close) return p;
      if (d !== 44) return -1;
      while (b[p] === 32 && p < end) p++;
    }
  }
}

/** The string bytes[q, e) (quotes included) decoded, escapes by JSON.parse; undefined when they are not valid JSON. */
function decodeString(b: Buffer, q: number, e: number): string | undefined {
  try {
    return JSON.parse(b.toString("utf8", q, e)) as string;
  } catch {
    return undefined;
  }
}
