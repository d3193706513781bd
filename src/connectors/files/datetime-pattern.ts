import { IllegalArgumentError } from "../../errors/errors.js";
import { daysFromCivil, fromLocal, isUtc, localFields, parseDate, parseTimestamp } from "../../types/datetime.js";
import { MICROS_PER_DAY, MICROS_PER_SECOND } from "../../types/interval.js";

/**
 * Spark datetime patterns (`yyyy-MM-dd HH:mm:ss`, `dd/MM/yyyy`, `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`)
 * compiled once into a parser and a formatter. Supported letters: y/u, M/L (numeric and
 * MMM/MMMM names), d, D, H, h, k, K, m, s, S (fraction), a, E (names, checked but ignored on
 * parse), X/x/Z/O (offsets), z/VV (zone ids), quoted literals and `[optional]` sections.
 */
export interface DatetimePattern {
  readonly pattern: string;
  /** Microseconds since the epoch, or null when the text does not match. */
  parseTimestamp(text: string, timeZone: string): number | null;
  /** Days since the epoch, or null when the text does not match. */
  parseDate(text: string): number | null;
  formatTimestamp(micros: number, timeZone: string): string;
  formatDate(days: number): string;
}

type Token =
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "field"; readonly letter: string; readonly width: number }
  | { readonly kind: "optional"; readonly tokens: readonly Token[] };

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

function tokenize(pattern: string): Token[] {
  let i = 0;
  const parse = (closing: boolean): Token[] => {
    const out: Token[] = [];
    while (i < pattern.length) {
      const c = pattern[i]!;
      if (c === "[") {
        i++;
        out.push({ kind: "optional", tokens: parse(true) });
      } else if (c === "]") {
        if (!closing) throw bad(pattern, "unbalanced ']'");
        i++;
        return out;
      } else if (c === "'") {
        let j = i + 1;
        let text = "";
        for (;;) {
          if (j >= pattern.length) throw bad(pattern, "unterminated quote");
          if (pattern[j] === "'") {
            if (pattern[j + 1] === "'") { text += "'"; j += 2; continue; }
            break;
          }
          text += pattern[j++];
        }
        out.push({ kind: "literal", text: j === i + 1 ? "'" : text });
        i = j + 1;
      } else if (/[A-Za-z]/.test(c)) {
        let j = i;
        while (pattern[j] === c) j++;
        if (!"yuMLdHhkKmsSaEXxZzVOGQwWD".includes(c)) throw bad(pattern, `unknown pattern letter '${c}'`);
        out.push({ kind: "field", letter: c, width: j - i });
        i = j;
      } else {
        out.push({ kind: "literal", text: c });
        i++;
      }
    }
    if (closing) throw bad(pattern, "unbalanced '['");
    return out;
  };
  return parse(false);
}

function bad(pattern: string, why: string): IllegalArgumentError {
  return new IllegalArgumentError("INVALID_DATETIME_PATTERN", `Invalid datetime pattern '${pattern}': ${why}.`);
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

interface Slot { readonly letter: string; readonly width: number }

function regexFor(tokens: readonly Token[], slots: Slot[]): string {
  let re = "";
  for (const t of tokens) {
    if (t.kind === "literal") re += escapeRe(t.text);
    else if (t.kind === "optional") re += `(?:${regexFor(t.tokens, slots)})?`;
    else {
      slots.push({ letter: t.letter, width: t.width });
      re += `(${fieldRegex(t.letter, t.width)})`;
    }
  }
  return re;
}

function fieldRegex(letter: string, w: number): string {
  switch (letter) {
    case "y": case "u": return w === 2 ? "\\d{2}" : w >= 4 ? `[+-]?\\d{${w},9}` : "[+-]?\\d{1,9}";
    case "M": case "L": return w >= 4 ? "[A-Za-z]+" : w === 3 ? "[A-Za-z]{3}" : w === 2 ? "\\d{2}" : "\\d{1,2}";
    case "d": case "H": case "h": case "k": case "K": case "m": case "s": return w === 2 ? "\\d{2}" : "\\d{1,2}";
    case "D": return w >= 3 ? "\\d{3}" : "\\d{1,3}";
    case "S": return `\\d{1,${Math.max(w, 1)}}`;
    case "a": return "[AaPp][Mm]";
    case "E": return "[A-Za-z]+";
    case "X": return w === 1 ? "Z|[+-]\\d{2}(?:\\d{2})?" : w === 2 || w === 4 ? "Z|[+-]\\d{4}" : "Z|[+-]\\d{2}:\\d{2}(?::\\d{2})?";
    case "x": return w === 1 ? "[+-]\\d{2}(?:\\d{2})?" : w === 2 || w === 4 ? "[+-]\\d{4}" : "[+-]\\d{2}:\\d{2}";
    case "Z": return w <= 3 ? "[+-]\\d{4}" : "(?:GMT)?[+-]\\d{2}:\\d{2}|Z";
    case "O": return "GMT(?:[+-]\\d{1,2}(?::\\d{2})?)?";
    case "z": case "V": return "[A-Za-z][A-Za-z0-9_/+-]*(?::\\d{2})?";
    default: return "[^\\s]+";
  }
}

interface Parsed { year: number; month: number; day: number; hour: number; minute: number; second: number; micros: number; zone: string | null; pm: boolean | null; dayOfYear: number | null }

function offsetZone(text: string): string {
  if (text === "Z") return "UTC";
  const t = text.replace(/^GMT/, "");
  const m = /^([+-])(\d{2}):?(\d{2})?/.exec(t);
  return m ? `${m[1]}${m[2]}:${m[3] ?? "00"}` : "UTC";
}

export function compileDatetimePattern(pattern: string): DatetimePattern {
  const tokens = tokenize(pattern);
  const slots: Slot[] = [];
  const re = new RegExp(`^${regexFor(tokens, slots)}$`);

  const parseFields = (text: string): Parsed | null => {
    const m = re.exec(text.trim());
    if (!m) return null;
    const p: Parsed = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, micros: 0, zone: null, pm: null, dayOfYear: null };
    for (let k = 0; k < slots.length; k++) {
      const v = m[k + 1];
      if (v === undefined) continue;
      const { letter, width } = slots[k]!;
      switch (letter) {
        case "y": case "u": p.year = width === 2 ? 2000 + Number(v) : Number(v); break;
        case "M": case "L": {
          if (width >= 3) {
            const idx = MONTHS.findIndex((n) => (width === 3 ? n.slice(0, 3) : n).toLowerCase() === v.toLowerCase());
            if (idx < 0) return null;
            p.month = idx + 1;
          } else p.month = Number(v);
          break;
        }
        case "d": p.day = Number(v); break;
        case "D": p.dayOfYear = Number(v); break;
        case "H": case "k": p.hour = Number(v) % 24; break;
        case "h": case "K": p.hour = Number(v) % 12; break;
        case "m": p.minute = Number(v); break;
        case "s": p.second = Number(v); break;
        case "S": p.micros = Number((v + "000000").slice(0, 6)); break;
        case "a": p.pm = v.toLowerCase() === "pm"; break;
        case "E":
          if (!DAYS.some((n) => n.toLowerCase().startsWith(v.toLowerCase()))) return null;
          break;
        case "X": case "x": case "Z": case "O": p.zone = offsetZone(v); break;
        case "z": case "V": p.zone = v; break;
        default: break;
      }
    }
    if (p.pm !== null && p.pm) p.hour += 12;
    if (p.month < 1 || p.month > 12 || p.day < 1 || p.day > daysInMonth(p.year, p.month)) return null;
    if (p.hour > 23 || p.minute > 59 || p.second > 59) return null;
    return p;
  };

  const daysOf = (p: Parsed): number => (p.dayOfYear !== null ? daysFromCivil(p.year, 1, 1) + p.dayOfYear - 1 : daysFromCivil(p.year, p.month, p.day));

  return {
    pattern,
    parseTimestamp(text, timeZone) {
      const p = parseFields(text);
      if (p === null) return null;
      const mod = ((p.hour * 60 + p.minute) * 60 + p.second) * MICROS_PER_SECOND + p.micros;
      return fromLocal(daysOf(p), mod, p.zone ?? timeZone);
    },
    parseDate(text) {
      const p = parseFields(text);
      return p === null ? null : daysOf(p);
    },
    formatTimestamp(micros, timeZone) {
      const f = localFields(micros, timeZone);
      const offsetMinutes = Math.round((fromLocalUtc(f) - micros) / 60_000_000);
      return formatTokens(tokens, { ...f, offsetMinutes, zone: timeZone });
    },
    formatDate(days) {
      const f = localFields(days * MICROS_PER_DAY, "UTC");
      return formatTokens(tokens, { ...f, offsetMinutes: 0, zone: "UTC" });
    },
  };
}

function fromLocalUtc(f: { days: number; hour: number; minute: number; second: number; micros: number }): number {
  return f.days * MICROS_PER_DAY + ((f.hour * 60 + f.minute) * 60 + f.second) * MICROS_PER_SECOND + f.micros;
}

function daysInMonth(y: number, m: number): number {
  return [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

interface Fields { year: number; month: number; day: number; hour: number; minute: number; second: number; micros: number; days: number; offsetMinutes: number; zone: string }

const pad = (n: number, w: number): string => (n < 0 ? "-" + String(-n).padStart(w, "0") : String(n).padStart(w, "0"));

function formatTokens(tokens: readonly Token[], f: Fields): string {
  let out = "";
  for (const t of tokens) {
    if (t.kind === "literal") out += t.text;
    else if (t.kind === "optional") out += formatTokens(t.tokens, f);
    else out += formatField(t.letter, t.width, f);
  }
  return out;
}

function formatOffset(minutes: number, colon: boolean, zForZero: boolean, short = false): string {
  if (minutes === 0 && zForZero) return "Z";
  const sign = minutes < 0 ? "-" : "+";
  const a = Math.abs(minutes);
  const hh = pad(Math.floor(a / 60), 2), mm = pad(a % 60, 2);
  if (short && a % 60 === 0) return sign + hh;
  return sign + hh + (colon ? ":" : "") + mm;
}

function formatField(letter: string, w: number, f: Fields): string {
  switch (letter) {
    case "y": case "u": return w === 2 ? pad(((f.year % 100) + 100) % 100, 2) : pad(f.year, w);
    case "M": case "L": return w >= 4 ? MONTHS[f.month - 1]! : w === 3 ? MONTHS[f.month - 1]!.slice(0, 3) : pad(f.month, w);
    case "d": return pad(f.day, w);
    case "D": return pad(f.days - daysFromCivil(f.year, 1, 1) + 1, w);
    case "H": return pad(f.hour, w);
    case "k": return pad(f.hour === 0 ? 24 : f.hour, w);
    case "h": return pad(f.hour % 12 === 0 ? 12 : f.hour % 12, w);
    case "K": return pad(f.hour % 12, w);
    case "m": return pad(f.minute, w);
    case "s": return pad(f.second, w);
    case "S": return pad(f.micros, 6).slice(0, w).padEnd(w, "0");
    case "a": return f.hour < 12 ? "AM" : "PM";
    case "E": {
      const dow = ((((f.days + 3) % 7) + 7) % 7); // 1970-01-01 was a Thursday (index 3)
      return w >= 4 ? DAYS[dow]! : DAYS[dow]!.slice(0, 3);
    }
    case "X": return formatOffset(f.offsetMinutes, w >= 3, true, w === 1);
    case "x": return formatOffset(f.offsetMinutes, w >= 3, false, w === 1);
    case "Z": return w <= 3 ? formatOffset(f.offsetMinutes, false, false) : formatOffset(f.offsetMinutes, true, true);
    case "z": case "V": case "O": return f.zone;
    default: return "";
  }
}

/**
 * Text ↔ date/timestamp for a data source: the user's pattern when one is given, else Spark's
 * lenient ISO-8601 parsing and the format's default output pattern.
 */
export class DatetimeCodec {
  private readonly tsIn: DatetimePattern | null;
  private readonly dateIn: DatetimePattern | null;
  private readonly tsOut: DatetimePattern;
  private readonly dateOut: DatetimePattern;

  constructor(
    timestampFormat: string | undefined,
    dateFormat: string | undefined,
    readonly timeZone: string,
    defaultTimestampOut = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
  ) {
    this.tsIn = timestampFormat ? compileDatetimePattern(timestampFormat) : null;
    this.dateIn = dateFormat ? compileDatetimePattern(dateFormat) : null;
    this.tsOut = this.tsIn ?? compileDatetimePattern(defaultTimestampOut);
    this.dateOut = this.dateIn ?? compileDatetimePattern("yyyy-MM-dd");
    this.utcDefault = this.tsIn === null && defaultTimestampOut === "yyyy-MM-dd'T'HH:mm:ss.SSSXXX" && isUtc(timeZone);
  }

  private readonly utcDefault: boolean;

  get hasTimestampFormat(): boolean {
    return this.tsIn !== null;
  }

  get hasDateFormat(): boolean {
    return this.dateIn !== null;
  }

  parseTimestamp(text: string): number | null {
    if (this.tsIn !== null) return this.tsIn.parseTimestamp(text, this.timeZone);
    return parseTimestamp(text, this.timeZone);
  }

  parseDate(text: string): number | null {
    if (this.dateIn !== null) return this.dateIn.parseDate(text);
    return parseDate(text);
  }

  /** Strict date parse for inference: the pattern, or exactly `yyyy-MM-dd` by default. */
  parseDateStrict(text: string): number | null {
    if (this.dateIn !== null) return this.dateIn.parseDate(text);
    return /^\d{4}-\d{2}-\d{2}$/.test(text) ? parseDate(text) : null;
  }

  formatTimestamp(micros: number): string {
    // Fast path: the default pattern in UTC is exactly Date#toISOString for years 0..9999.
    if (this.utcDefault && micros >= -62167219200e6 && micros < 253402300800e6) return new Date(Math.floor(micros / 1000)).toISOString();
    return this.tsOut.formatTimestamp(micros, this.timeZone);
  }

  formatDate(days: number): string {
    return this.dateOut.formatDate(days);
  }
}
