import { IllegalArgumentError } from "../errors/errors.js";
import { civilFromDays, daysFromCivil, fixedZoneOffsetMillis, fromLocal, localFields, zoneOffsetMillis } from "./datetime.js";
import { MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND } from "./interval.js";

/**
 * Spark's datetime patterns (`yyyy-MM-dd HH:mm:ss.SSS`, `dd/MM/yyyy`, `EEE, d MMM yyyy`, `hh:mm a`,
 * `XXX`, `z`, `'T'` quoted text, `[...]` optional sections) compiled once into a formatter and a
 * parser over internal values (timestamp micros, date days) in a time zone.
 */
export interface DateTimeFormat {
  readonly pattern: string;
  /** Renders a timestamp (micros since the epoch) in `timeZone`. */
  format(micros: number, timeZone: string): string;
  /** Parses text to a timestamp (micros); null when the text does not match the pattern. */
  parse(text: string, timeZone: string): number | null;
  /** Parses text to a date (days since the epoch) as the local date it names; null when it does not match. */
  parseDate(text: string, timeZone: string): number | null;
  /** The date fields of the text as written, any zone in it ignored (Spark's DateFormatter, used by data sources). */
  parseLocalDate(text: string): number | null;
}

type Token =
  | { readonly t: "lit"; readonly s: string }
  | { readonly t: "field"; readonly c: string; readonly n: number }
  | { readonly t: "opt"; readonly body: readonly Token[] };

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const SUPPORTED = new Set("GyMLdDQqEFahKkHmsSVzOXxZ".split(""));
const WEEK_BASED = new Set("YwWuec".split(""));

const cache = new Map<string, DateTimeFormat>();

/** Compiles (and caches) a pattern; throws IllegalArgumentError naming the pattern when it is invalid. */
export function compileDateTimeFormat(pattern: string): DateTimeFormat {
  let f = cache.get(pattern);
  if (!f) {
    const tokens = tokenize(pattern);
    f = {
      pattern,
      format: memoizedFormat(tokens),
      parse: (text, tz) => {
        const r = parseAll(tokens, text);
        return r ? toMicros(r, tz) : null;
      },
      parseDate: (text, tz) => {
        const r = parseAll(tokens, text);
        if (!r) return null;
        if (r.offsetMicros === undefined && r.zone === undefined) return localDays(r);
        const m = toMicros(r, tz);
        return m === null ? null : localFields(m, tz).days;
      },
      parseLocalDate: (text) => {
        const r = parseAll(tokens, text);
        return r ? localDays(r) : null;
      },
    };
    if (cache.size > 256) cache.clear();
    cache.set(pattern, f);
  }
  return f;
}

/**
 * formatTokens remembering its last answer: where the zone has one fixed offset, instants in the
 * same local day (or hour, minute, second: the pattern's finest field) render alike, and
 * time-ordered rows (a GROUP BY date_format(ts, 'yyyy-MM-dd'), Nexmark q15-q17) meet the same one
 * row after row. Patterns with fractions of a second, and region zones, compute every time.
 */
function memoizedFormat(tokens: readonly Token[]): (micros: number, tz: string) => string {
  const unit = finestUnitMicros(tokens);
  if (unit === null) return (micros, tz) => formatTokens(tokens, micros, tz);
  let zone: string | null = null, offsetMicros: number | null = null, key = NaN, text = "";
  return (micros, tz) => {
    if (tz !== zone) {
      zone = tz;
      const ms = fixedZoneOffsetMillis(tz);
      offsetMicros = ms === null ? null : ms * 1000;
      key = NaN;
    }
    if (offsetMicros === null) return formatTokens(tokens, micros, tz);
    const k = Math.floor((micros + offsetMicros) / unit);
    if (k !== key) {
      text = formatTokens(tokens, micros, tz);
      key = k;
    }
    return text;
  };
}

const FIELD_UNIT_MICROS: Readonly<Record<string, number>> = {
  s: MICROS_PER_SECOND, m: MICROS_PER_MINUTE,
  H: MICROS_PER_HOUR, h: MICROS_PER_HOUR, K: MICROS_PER_HOUR, k: MICROS_PER_HOUR, a: MICROS_PER_HOUR,
};

/** The length of time within which a pattern's text stays the same in a fixed-offset zone, in micros; null when it shows fractions of a second. */
function finestUnitMicros(tokens: readonly Token[]): number | null {
  let unit = MICROS_PER_DAY;
  for (const tok of tokens) {
    if (tok.t === "lit") continue;
    if (tok.t === "opt") {
      const inner = finestUnitMicros(tok.body);
      if (inner === null) return null;
      unit = Math.min(unit, inner);
      continue;
    }
    if (tok.c === "S") return null;
    unit = Math.min(unit, FIELD_UNIT_MICROS[tok.c] ?? MICROS_PER_DAY);
  }
  return unit;
}

function bad(pattern: string, why: string): never {
  throw new IllegalArgumentError("INVALID_DATETIME_PATTERN", `The datetime pattern '${pattern}' is invalid: ${why}.`);
}

function tokenize(pattern: string): Token[] {
  const stack: Token[][] = [[]];
  let i = 0;
  const push = (tok: Token): void => { stack[stack.length - 1]!.push(tok); };
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      if (pattern[i + 1] === "'") { push({ t: "lit", s: "'" }); i += 2; continue; }
      let j = i + 1, s = "";
      for (;;) {
        if (j >= pattern.length) bad(pattern, "a quoted literal is not closed");
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") { s += "'"; j += 2; continue; }
          break;
        }
        s += pattern[j++];
      }
      push({ t: "lit", s });
      i = j + 1;
      continue;
    }
    if (c === "[") { stack.push([]); i++; continue; }
    if (c === "]") {
      if (stack.length === 1) bad(pattern, "']' without a matching '['");
      const body = stack.pop()!;
      push({ t: "opt", body });
      i++;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      const n = j - i;
      if (WEEK_BASED.has(c)) bad(pattern, `week-based pattern letter '${c}' is not supported (since Spark 3.0); use 'y', 'M', 'd' or 'E' instead`);
      if (!SUPPORTED.has(c)) bad(pattern, `unknown pattern letter '${c}'`);
      const max: Record<string, number> = { G: 5, M: 5, L: 5, d: 2, D: 3, Q: 5, q: 5, E: 5, F: 1, a: 1, h: 2, K: 2, k: 2, H: 2, m: 2, s: 2, S: 9, V: 2, z: 4, O: 4, X: 5, x: 5, Z: 5, y: 9 };
      if (n > (max[c] ?? 9)) bad(pattern, `too many pattern letters '${c}'`);
      if (c === "O" && n !== 1 && n !== 4) bad(pattern, "pattern letter count must be 1 or 4 for 'O'");
      if (c === "V" && n !== 2) bad(pattern, "pattern letter count must be 2 for 'V'");
      push({ t: "field", c, n });
      i = j;
      continue;
    }
    push({ t: "lit", s: c });
    i++;
  }
  if (stack.length !== 1) bad(pattern, "'[' without a matching ']'");
  return stack[0]!;
}

const pad = (n: number, w: number): string => (n < 0 ? "-" + String(-n).padStart(w, "0") : String(n).padStart(w, "0"));

function offsetText(offMin: number, withColon: boolean, withMinutes: "always" | "nonzero", zeroZ: boolean): string {
  if (offMin === 0 && zeroZ) return "Z";
  const sign = offMin < 0 ? "-" : "+";
  const a = Math.abs(offMin);
  const h = Math.floor(a / 60), m = a % 60;
  if (withMinutes === "nonzero" && m === 0) return `${sign}${pad(h, 2)}`;
  return `${sign}${pad(h, 2)}${withColon ? ":" : ""}${pad(m, 2)}`;
}

const zoneNameCache = new Map<string, Intl.DateTimeFormat>();
function zoneShortName(tz: string, ms: number, long: boolean): string {
  if (/^(utc|z|etc\/utc)$/i.test(tz)) return long ? "Coordinated Universal Time" : "UTC";
  const key = tz + (long ? "L" : "S");
  let f = zoneNameCache.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: long ? "long" : "short" });
    } catch {
      return tz;
    }
    zoneNameCache.set(key, f);
  }
  return f.formatToParts(new Date(ms)).find((p) => p.type === "timeZoneName")?.value ?? tz;
}

function formatTokens(tokens: readonly Token[], micros: number, tz: string): string {
  const f = localFields(micros, tz);
  const ms = Math.floor(micros / 1000);
  const offMin = Math.round(zoneOffsetMillis(tz, ms) / 60000);
  const dow = (((f.days + 3) % 7) + 7) % 7; // 0 = Monday
  let out = "";
  const emit = (toks: readonly Token[]): void => {
    for (const tok of toks) {
      if (tok.t === "lit") { out += tok.s; continue; }
      if (tok.t === "opt") { emit(tok.body); continue; }
      const n = tok.n;
      switch (tok.c) {
        case "G": out += n === 4 ? (f.year > 0 ? "Anno Domini" : "Before Christ") : f.year > 0 ? "AD" : "BC"; break;
        case "y": {
          const y = f.year > 0 ? f.year : 1 - f.year;
          out += n === 2 ? pad(y % 100, 2) : pad(y, n);
          break;
        }
        case "M": case "L":
          out += n >= 4 ? MONTHS[f.month - 1]! : n === 3 ? MONTHS[f.month - 1]!.slice(0, 3) : pad(f.month, n);
          break;
        case "d": out += pad(f.day, n); break;
        case "D": out += pad(f.days - daysFromCivil(f.year, 1, 1) + 1, n); break;
        case "Q": case "q": {
          const q = Math.floor((f.month - 1) / 3) + 1;
          out += n >= 4 ? `${["1st", "2nd", "3rd", "4th"][q - 1]} quarter` : n === 3 ? `Q${q}` : pad(q, n);
          break;
        }
        case "E": out += n >= 4 ? DAYS[dow]! : DAYS[dow]!.slice(0, 3); break;
        case "F": out += String(Math.floor((f.day - 1) / 7) + 1); break;
        case "a": out += f.hour < 12 ? "AM" : "PM"; break;
        case "h": out += pad(f.hour % 12 === 0 ? 12 : f.hour % 12, n); break;
        case "K": out += pad(f.hour % 12, n); break;
        case "k": out += pad(f.hour === 0 ? 24 : f.hour, n); break;
        case "H": out += pad(f.hour, n); break;
        case "m": out += pad(f.minute, n); break;
        case "s": out += pad(f.second, n); break;
        case "S": out += (String(f.micros).padStart(6, "0") + "000").slice(0, n); break;
        case "V": out += tz; break;
        case "z": out += zoneShortName(tz, ms, n === 4); break;
        case "O": {
          if (offMin === 0) { out += "GMT"; break; }
          const sign = offMin < 0 ? "-" : "+";
          const a = Math.abs(offMin), h = Math.floor(a / 60), m = a % 60;
          out += n === 4 ? `GMT${sign}${pad(h, 2)}:${pad(m, 2)}` : `GMT${sign}${h}${m ? ":" + pad(m, 2) : ""}`;
          break;
        }
        case "X": case "x": {
          const z = tok.c === "X";
          out += n === 1 ? offsetText(offMin, false, "nonzero", z) : n === 2 || n === 4 ? offsetText(offMin, false, "always", z) : offsetText(offMin, true, "always", z);
          break;
        }
        case "Z":
          out += n <= 3 ? offsetText(offMin, false, "always", false) : n === 4 ? (offMin === 0 ? "GMT" : "GMT" + offsetText(offMin, true, "always", false)) : offsetText(offMin, true, "always", true);
          break;
      }
    }
  };
  emit(tokens);
  return out;
}

interface Parsed {
  year?: number; month?: number; day?: number; doy?: number;
  hour?: number; hour12?: number; pm?: boolean; minute?: number; second?: number; micros?: number;
  offsetMicros?: number; zone?: string; bc?: boolean;
}

function parseAll(tokens: readonly Token[], text: string): Parsed | null {
  const p: Parsed = {};
  const end = parseSeq(tokens, text, 0, p);
  if (end === null || end !== text.length) return null;
  return p;
}

function parseSeq(tokens: readonly Token[], text: string, pos: number, p: Parsed): number | null {
  for (let k = 0; k < tokens.length; k++) {
    const tok = tokens[k]!;
    if (tok.t === "lit") {
      if (text.slice(pos, pos + tok.s.length).toLowerCase() !== tok.s.toLowerCase()) return null;
      pos += tok.s.length;
      continue;
    }
    if (tok.t === "opt") {
      const trial: Parsed = { ...p };
      const r = parseSeq(tok.body, text, pos, trial);
      if (r !== null) { Object.assign(p, trial); pos = r; }
      continue;
    }
    const next = tokens[k + 1];
    const adjacentDigits = next !== undefined && next.t === "field" && isNumericField(next);
    const r = parseField(tok.c, tok.n, text, pos, p, adjacentDigits);
    if (r === null) return null;
    pos = r;
  }
  return pos;
}

function isNumericField(tok: { c: string; n: number }): boolean {
  if ("MLQq".includes(tok.c)) return tok.n <= 2;
  return "ydDhKkHmsSF".includes(tok.c);
}

function digits(text: string, pos: number, min: number, max: number): [number, number] | null {
  let j = pos;
  while (j < text.length && j - pos < max && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
  if (j - pos < min) return null;
  return [Number(text.slice(pos, j)), j];
}

function matchWord(text: string, pos: number, words: readonly string[]): [number, number] | null {
  const rest = text.slice(pos).toLowerCase();
  let best: [number, number] | null = null;
  words.forEach((w, i) => {
    if (rest.startsWith(w.toLowerCase()) && (!best || w.length > best[1] - pos)) best = [i, pos + w.length];
  });
  return best;
}

function parseOffset(text: string, pos: number): [number, number] | null {
  if (text[pos] === "Z" || text[pos] === "z") return [0, pos + 1];
  const m = /^([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?/.exec(text.slice(pos));
  if (!m) return null;
  const sign = m[1] === "-" ? -1 : 1;
  const off = sign * (Number(m[2]) * MICROS_PER_HOUR + Number(m[3] ?? 0) * MICROS_PER_MINUTE + Number(m[4] ?? 0) * MICROS_PER_SECOND);
  return [off, pos + m[0].length];
}

function parseField(c: string, n: number, text: string, pos: number, p: Parsed, adjacent: boolean): number | null {
  const num = (min: number, max: number): [number, number] | null => digits(text, pos, min, max);
  let r: [number, number] | null;
  switch (c) {
    case "G":
      r = matchWord(text, pos, ["AD", "BC", "Anno Domini", "Before Christ"]);
      if (!r) return null;
      p.bc = r[0] % 2 === 1;
      return r[1];
    case "y":
      r = n === 2 ? num(2, 2) : num(n, n >= 4 && !adjacent ? 9 : n === 1 && !adjacent ? 9 : Math.max(n, 4));
      if (!r) return null;
      p.year = n === 2 ? 2000 + r[0] : r[0];
      return r[1];
    case "M": case "L":
      if (n >= 3) {
        r = matchWord(text, pos, n === 3 ? MONTHS.map((m) => m.slice(0, 3)) : MONTHS);
        if (!r) return null;
        p.month = r[0] + 1;
        return r[1];
      }
      r = num(n, 2);
      if (!r) return null;
      p.month = r[0];
      return r[1];
    case "d": r = num(n, 2); if (!r) return null; p.day = r[0]; return r[1];
    case "D": r = num(n, 3); if (!r) return null; p.doy = r[0]; return r[1];
    case "Q": case "q":
      r = n >= 3 ? null : num(n, 2);
      return r ? r[1] : null;
    case "E":
      r = matchWord(text, pos, n >= 4 ? DAYS : DAYS.map((d) => d.slice(0, 3)));
      return r ? r[1] : null;
    case "F": r = num(1, 1); return r ? r[1] : null;
    case "a":
      r = matchWord(text, pos, ["AM", "PM"]);
      if (!r) return null;
      p.pm = r[0] === 1;
      return r[1];
    case "h": case "K": r = num(n, 2); if (!r) return null; p.hour12 = r[0] % 12; return r[1];
    case "k": r = num(n, 2); if (!r) return null; p.hour = r[0] % 24; return r[1];
    case "H": r = num(n, 2); if (!r) return null; p.hour = r[0]; return r[1];
    case "m": r = num(n, 2); if (!r) return null; p.minute = r[0]; return r[1];
    case "s": r = num(n, 2); if (!r) return null; p.second = r[0]; return r[1];
    case "S": {
      r = num(1, n);
      if (!r) return null;
      const txt = text.slice(pos, r[1]);
      p.micros = Number((txt + "000000").slice(0, 6));
      return r[1];
    }
    case "X": case "x": case "Z": {
      if (c === "Z" && n === 4 && text.startsWith("GMT", pos)) {
        const o = parseOffset(text, pos + 3);
        if (!o) { p.offsetMicros = 0; return pos + 3; }
        p.offsetMicros = o[0];
        return o[1];
      }
      const o = parseOffset(text, pos);
      if (!o) return null;
      p.offsetMicros = o[0];
      return o[1];
    }
    case "O": {
      if (!text.startsWith("GMT", pos)) return null;
      const m = /^([+-])(\d{1,2})(?::(\d{2}))?/.exec(text.slice(pos + 3));
      if (!m) { p.offsetMicros = 0; return pos + 3; }
      p.offsetMicros = (m[1] === "-" ? -1 : 1) * (Number(m[2]) * MICROS_PER_HOUR + Number(m[3] ?? 0) * MICROS_PER_MINUTE);
      return pos + 3 + m[0].length;
    }
    case "V": case "z": {
      const m = /^[A-Za-z][A-Za-z0-9_/+-]*/.exec(text.slice(pos));
      if (!m) return null;
      const z = m[0];
      if (/^(UTC|GMT|Z|UT)$/i.test(z)) p.offsetMicros = 0;
      else {
        try {
          new Intl.DateTimeFormat("en-US", { timeZone: z });
          p.zone = z;
        } catch {
          return null;
        }
      }
      return pos + z.length;
    }
  }
  return null;
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const dim = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= dim;
}

function localDays(p: Parsed): number | null {
  let year = p.year ?? 1970;
  if (p.bc) year = 1 - year;
  if (p.doy !== undefined && p.month === undefined && p.day === undefined) {
    const start = daysFromCivil(year, 1, 1);
    const d = start + p.doy - 1;
    if (p.doy < 1 || civilFromDays(d).year !== year) return null;
    return d;
  }
  const month = p.month ?? 1, day = p.day ?? 1;
  if (!validDate(year, month, day)) return null;
  return daysFromCivil(year, month, day);
}

function toMicros(p: Parsed, tz: string): number | null {
  const days = localDays(p);
  if (days === null) return null;
  let hour = p.hour ?? 0;
  if (p.hour12 !== undefined) hour = p.hour12 + (p.pm ? 12 : 0);
  else if (p.pm !== undefined && p.hour !== undefined && p.hour < 12 && p.pm) hour = p.hour + 12;
  const minute = p.minute ?? 0, second = p.second ?? 0;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const mod = hour * MICROS_PER_HOUR + minute * MICROS_PER_MINUTE + second * MICROS_PER_SECOND + (p.micros ?? 0);
  if (p.offsetMicros !== undefined) return days * MICROS_PER_DAY + mod - p.offsetMicros;
  return fromLocal(days, mod, p.zone ?? tz);
}
