import type { DataType } from "../../types/data-type.js";
import { daysFromCivil, formatDate, fromLocal, localFields } from "../../types/datetime.js";
import { type Long, normalizeLong } from "../../types/long.js";
import { decimalToString, toDecimalUnscaled } from "../../types/values.js";
import type { PgType } from "./postgres-types.js";

/**
 * Values between PostgreSQL's text representation and Sluice's internal values, exact both
 * ways: int8 beyond 2^53 become bigints, numeric keeps every digit (unscaled decimal), timestamps
 * keep microseconds. Connections run with TimeZone=UTC, DateStyle=ISO, extra_float_digits=1 and
 * bytea_output=hex (see postgres-connection.ts), which is what the decoders expect.
 */

/** Text → internal value of `t`. Throws a plain Error describing the text on bad input. */
export type Decoder = (text: string) => unknown;

const MICROS_PER_DAY = 86_400_000_000;

/** A decoder from a column's PostgreSQL type to Spark type `t`; `timeZone` places `timestamp` (without zone) values. */
export function decoderFor(t: DataType, pg: PgType, timeZone: string): Decoder {
  if (t.kind === "array") {
    const elem = decoderFor(t.elementType, pg.element ?? pg, timeZone);
    return (s) => mapArray(parseArrayLiteral(s), elem);
  }
  switch (t.kind) {
    case "boolean": return (s) => s === "t";
    case "byte": case "short": case "int": return (s) => Number(s);
    case "long": return (s) => (s.length < 16 ? Number(s) : normalizeLong(BigInt(s)));
    case "float": return (s) => Math.fround(Number(s));
    case "double": return (s) => Number(s);
    case "decimal": return (s) => {
      const v = toDecimalUnscaled(s, t);
      if (v === null) throw new Error(`numeric value ${s} does not fit ${`decimal(${t.precision},${t.scale})`}`);
      return v;
    };
    case "date": return decodeDate;
    case "timestamp": return pg.name === "timestamp" ? (s) => decodeTimestamp(s, timeZone) : (s) => decodeTimestamp(s, "UTC");
    case "binary": return decodeBytea;
    default: return (s) => s;
  }
}

function mapArray(a: unknown[], elem: Decoder): unknown[] {
  const out = new Array<unknown>(a.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    out[i] = x === null ? null : Array.isArray(x) ? mapArray(x, elem) : elem(x as string);
  }
  return out;
}

const DATE_RE = /^(\d{4,})-(\d\d)-(\d\d)( BC)?$/;

function decodeDate(s: string): number {
  const m = DATE_RE.exec(s);
  if (!m) throw new Error(`date value '${s}' cannot be represented (infinite dates have no Spark counterpart)`);
  const y = m[4] ? 1 - Number(m[1]) : Number(m[1]);
  return daysFromCivil(y, Number(m[2]), Number(m[3]));
}

const TS_RE = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?)?( BC)?$/;

/** `2024-01-02 03:04:05.123456+00` → microseconds since the epoch. Without an offset, the wall clock is in `timeZone`. */
function decodeTimestamp(s: string, timeZone: string): number {
  const m = TS_RE.exec(s);
  if (!m) throw new Error(`timestamp value '${s}' cannot be represented (infinite timestamps have no Spark counterpart)`);
  const y = m[12] ? 1 - Number(m[1]) : Number(m[1]);
  const days = daysFromCivil(y, Number(m[2]), Number(m[3]));
  const frac = m[7] ? Number(m[7].padEnd(6, "0")) : 0;
  const mod = ((Number(m[4]) * 60 + Number(m[5])) * 60 + Number(m[6])) * 1_000_000 + frac;
  if (m[8] === undefined) return timeZone === "UTC" ? days * MICROS_PER_DAY + mod : fromLocal(days, mod, timeZone);
  const off = (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0)) * 1_000_000;
  return days * MICROS_PER_DAY + mod - (m[8] === "-" ? -off : off);
}

function decodeBytea(s: string): Uint8Array {
  if (!s.startsWith("\\x")) throw new Error(`bytea value in escape format; expected hex output`);
  const b = Buffer.from(s.slice(2), "hex");
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Parses PostgreSQL's array text (`{1,2,NULL}`, `{"a b","x\"y"}`, `{{1,2},{3,4}}`, with an
 * optional `[l:u]=` dimension prefix) into nested arrays of element text, null for NULL.
 */
export function parseArrayLiteral(s: string): unknown[] {
  let i = 0;
  if (s[0] === "[") {
    i = s.indexOf("=") + 1;
  }
  const parse = (): unknown[] => {
    if (s[i] !== "{") throw new Error(`bad array literal ${s}`);
    i++;
    const out: unknown[] = [];
    if (s[i] === "}") {
      i++;
      return out;
    }
    for (;;) {
      const c = s[i];
      if (c === "{") out.push(parse());
      else if (c === '"') {
        i++;
        let v = "";
        let start = i;
        for (;;) {
          const d = s[i];
          if (d === undefined) throw new Error(`bad array literal ${s}`);
          if (d === "\\") {
            v += s.slice(start, i) + s[i + 1];
            i += 2;
            start = i;
          } else if (d === '"') {
            v += s.slice(start, i);
            i++;
            break;
          } else i++;
        }
        out.push(v);
      } else {
        const start = i;
        while (s[i] !== "," && s[i] !== "}" && i < s.length) i++;
        const v = s.slice(start, i).trim();
        out.push(v === "NULL" ? null : v);
      }
      if (s[i] === ",") i++;
      else if (s[i] === "}") {
        i++;
        return out;
      } else throw new Error(`bad array literal ${s}`);
    }
  };
  return parse();
}

/** Internal value → text for COPY's text format (already escaped), or null for NULL. */
export type Encoder = (v: unknown) => string;

const COPY_SPECIAL = /[\\\n\r\t]/;

/** Escapes a value for COPY text format: backslash, newline, carriage return and tab. */
export function copyEscape(s: string): string {
  if (!COPY_SPECIAL.test(s)) return s;
  return s.replace(/[\\\n\r\t]/g, (c) => (c === "\\" ? "\\\\" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\t"));
}

/**
 * An encoder from Spark type `t` to the text PostgreSQL's input function for `pg` reads back
 * exactly; `timeZone` renders TIMESTAMP into a `timestamp` (without zone) column as its wall
 * clock there (the inverse of the decoder).
 */
export function encoderFor(t: DataType, pg: PgType | null, timeZone: string): Encoder {
  const literal = literalFor(t, pg, timeZone);
  if (t.kind === "string") return (v) => copyEscape(v as string);
  if (t.kind === "array" || t.kind === "binary") return (v) => copyEscape(literal(v));
  return literal;
}

function literalFor(t: DataType, pg: PgType | null, timeZone: string): Encoder {
  switch (t.kind) {
    case "boolean": return (v) => (v ? "t" : "f");
    case "byte": case "short": case "int": case "long": return (v) => String(v);
    case "float": case "double": return (v) => (Object.is(v, -0) ? "-0" : String(v));
    case "decimal": return (v) => decimalToString(v as Long, t.scale);
    case "string": case "null": return (v) => String(v);
    case "binary": return (v) => "\\x" + Buffer.from(v as Uint8Array).toString("hex");
    case "date":
      return (v) => encodeDate(v as number);
    case "timestamp": {
      const wall = pg !== null && pg.name === "timestamp";
      // Rows of one day share their date text: remember the last one.
      let lastDays = NaN, lastDate = "";
      const dateText = (days: number): string => (days === lastDays ? lastDate : ((lastDays = days), (lastDate = encodeDate(days))));
      return wall ? (v) => encodeTimestamp(v as number, timeZone, false, dateText) : (v) => encodeTimestamp(v as number, "UTC", true, dateText);
    }
    case "array": {
      const elem = literalFor(t.elementType, pg?.element ?? null, timeZone);
      const fmt = (a: unknown[]): string => {
        let s = "{";
        for (let i = 0; i < a.length; i++) {
          if (i > 0) s += ",";
          const x = a[i];
          if (x === null || x === undefined) s += "NULL";
          else if (Array.isArray(x) && t.elementType.kind === "array") s += fmt(x);
          else s += '"' + elem(x).replace(/[\\"]/g, (c) => "\\" + c) + '"';
        }
        return s + "}";
      };
      return (v) => fmt(v as unknown[]);
    }
    default:
      return (v) => String(v);
  }
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

function encodeDate(days: number): string {
  const s = formatDate(days);
  if (s.startsWith("-") || s.startsWith("0000")) {
    // PostgreSQL writes years before 1 AD as `YYYY-MM-DD BC` (year 0 is 1 BC).
    const y = Number(s.slice(0, s.lastIndexOf("-", s.length - 4)));
    return `${pad(1 - y, 4)}${s.slice(s.length - 6)} BC`;
  }
  return s;
}

function encodeTimestamp(micros: number, timeZone: string, withOffset: boolean, dateText: (days: number) => string): string {
  let days: number, rem: number;
  if (timeZone === "UTC") {
    days = Math.floor(micros / MICROS_PER_DAY);
    rem = micros - days * MICROS_PER_DAY;
  } else {
    const f = localFields(micros, timeZone);
    days = f.days;
    rem = ((f.hour * 60 + f.minute) * 60 + f.second) * 1_000_000 + f.micros;
  }
  const h = Math.floor(rem / 3_600_000_000);
  rem -= h * 3_600_000_000;
  const mi = Math.floor(rem / 60_000_000);
  rem -= mi * 60_000_000;
  const sec = Math.floor(rem / 1_000_000);
  const us = rem - sec * 1_000_000;
  const date = dateText(days);
  const bc = date.endsWith(" BC");
  const d = bc ? date.slice(0, -3) : date;
  return `${d} ${pad(h)}:${pad(mi)}:${pad(sec)}${us ? "." + pad(us, 6) : ""}${withOffset ? "+00" : ""}${bc ? " BC" : ""}`;
}
