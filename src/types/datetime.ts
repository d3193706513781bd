/**
 * Date and timestamp values: DATE is days since 1970-01-01, TIMESTAMP is microseconds since the
 * epoch (UTC instant). Text is interpreted in a time zone (the session's, `sluice.sql.session.timeZone`).
 * Microseconds are kept in a double: exact up to 2^53 us (about the year 2255); beyond that they
 * round to a few microseconds, never more.
 */
import { MICROS_PER_DAY, MICROS_PER_MILLI, MICROS_PER_SECOND } from "./interval.js";

export const MILLIS_PER_DAY = 86_400_000;

export function daysFromCivil(y: number, m: number, d: number): number {
  // Howard Hinnant's days_from_civil (proleptic Gregorian), exact for all years.
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z: number): { year: number; month: number; day: number } {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return { year: y + (m <= 2 ? 1 : 0), month: m, day: d };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

export function formatDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  const ys = year < 0 ? "-" + pad(-year, 4) : pad(year, 4);
  return `${ys}-${pad(month)}-${pad(day)}`;
}

const zoneCache = new Map<string, Intl.DateTimeFormat>();
function zoneFormatter(tz: string): Intl.DateTimeFormat {
  let f = zoneCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
      hour: "numeric", minute: "numeric", second: "numeric", era: "short",
    });
    zoneCache.set(tz, f);
  }
  return f;
}

/** True for "UTC", "Z", "GMT", "+00:00" and the like: no zone arithmetic needed. */
export function isUtc(tz: string): boolean {
  return /^(utc|gmt|z|etc\/utc|etc\/gmt|[+-]00:?00)$/i.test(tz);
}

const FIXED_OFFSET = /^(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;

const fixedOffsets = new Map<string, number | null>();

/** The offset of a zone that has one offset at every instant (UTC, `+05:30`, `GMT-8`), in milliseconds; null for a region (`Europe/Paris`). */
export function fixedZoneOffsetMillis(tz: string): number | null {
  // Asked for every row a datetime function computes: the zone's two regular expressions once.
  let off = fixedOffsets.get(tz);
  if (off === undefined) {
    const fixed = FIXED_OFFSET.exec(tz);
    off = isUtc(tz) ? 0 : fixed ? (fixed[1] === "-" ? -1 : 1) * (Number(fixed[2]) * 3600_000 + Number(fixed[3] ?? 0) * 60_000) : null;
    if (fixedOffsets.size >= 64) fixedOffsets.clear();
    fixedOffsets.set(tz, off);
  }
  return off;
}

/** Offset of `tz` from UTC at the instant `epochMillis`, in milliseconds. */
export function zoneOffsetMillis(tz: string, epochMillis: number): number {
  const fixed = fixedZoneOffsetMillis(tz);
  if (fixed !== null) return fixed;
  const parts = zoneFormatter(tz).formatToParts(new Date(epochMillis));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  let year = get("year");
  if (parts.find((p) => p.type === "era")?.value === "BC") year = 1 - year;
  const local = daysFromCivil(year, get("month"), get("day")) * MILLIS_PER_DAY + get("hour") * 3600_000 + get("minute") * 60_000 + get("second") * 1000;
  const truncated = Math.floor(epochMillis / 1000) * 1000;
  return local - truncated;
}

/** Local wall-clock fields of an instant in a zone. */
export function localFields(micros: number, tz: string): { year: number; month: number; day: number; hour: number; minute: number; second: number; micros: number; days: number } {
  const ms = Math.floor(micros / MICROS_PER_MILLI);
  const localMicros = micros + zoneOffsetMillis(tz, ms) * MICROS_PER_MILLI;
  const days = Math.floor(localMicros / MICROS_PER_DAY);
  let rem = localMicros - days * MICROS_PER_DAY;
  const hour = Math.floor(rem / 3_600_000_000); rem -= hour * 3_600_000_000;
  const minute = Math.floor(rem / 60_000_000); rem -= minute * 60_000_000;
  const second = Math.floor(rem / MICROS_PER_SECOND); rem -= second * MICROS_PER_SECOND;
  const { year, month, day } = civilFromDays(days);
  return { year, month, day, hour, minute, second, micros: Math.round(rem), days };
}

/** The instant of a local wall-clock time in a zone (earlier offset wins in overlaps, as Java). */
export function fromLocal(days: number, microsOfDay: number, tz: string): number {
  const localMicros = days * MICROS_PER_DAY + microsOfDay;
  if (isUtc(tz)) return localMicros;
  const guessMs = Math.floor(localMicros / MICROS_PER_MILLI);
  const off1 = zoneOffsetMillis(tz, guessMs);
  const off2 = zoneOffsetMillis(tz, guessMs - off1);
  return localMicros - off2 * MICROS_PER_MILLI;
}

/** Spark's default rendering: `2024-01-02 03:04:05` with `.123456` trimmed of trailing zeros. */
export function formatTimestamp(micros: number, tz = "UTC"): string {
  const f = localFields(micros, tz);
  const ys = f.year < 0 ? "-" + pad(-f.year, 4) : pad(f.year, 4);
  let s = `${ys}-${pad(f.month)}-${pad(f.day)} ${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}`;
  if (f.micros !== 0) s += "." + pad(f.micros, 6).replace(/0+$/, "");
  return s;
}

const DATE_RE = /^\s*([+-]?\d{4,6})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$/;
const TS_RE = /^\s*([+-]?\d{4,6})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2}|[+-]\d{1,2}|(?:UTC|GMT)(?:[+-]\d{1,2}(?::?\d{2})?)?|[A-Za-z]+\/[A-Za-z_]+(?:\/[A-Za-z_]+)?)?\s*$/;

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const dim = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= dim;
}

/** Spark's cast of a string to DATE: `yyyy`, `yyyy-[m]m`, `yyyy-[m]m-[d]d` (anything after a T or space ignored). Null if invalid. */
export function parseDate(text: string): number | null {
  const t = text.trim().split(/[T ]/)[0]!;
  const m = DATE_RE.exec(t);
  if (!m) return null;
  const y = Number(m[1]), mo = Number(m[2] ?? 1), d = Number(m[3] ?? 1);
  if (!validDate(y, mo, d)) return null;
  return daysFromCivil(y, mo, d);
}

/** Spark's cast of a string to TIMESTAMP (ISO-8601-like, optional zone); null if invalid. */
export function parseTimestamp(text: string, tz = "UTC"): number | null {
  const m = TS_RE.exec(text);
  if (!m) {
    const d = parseDate(text);
    return d === null || /[T ]./.test(text.trim()) ? null : fromLocal(d, 0, tz);
  }
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  if (!validDate(y, mo, d)) return null;
  const h = Number(m[4] ?? 0), mi = Number(m[5] ?? 0), s = Number(m[6] ?? 0);
  if (h > 23 || mi > 59 || s > 59) return null;
  const frac = m[7] ? Number((m[7] + "000000").slice(0, 6)) : 0;
  const days = daysFromCivil(y, mo, d);
  const mod = ((h * 60 + mi) * 60 + s) * MICROS_PER_SECOND + frac;
  const zone = m[8];
  if (zone === undefined) return fromLocal(days, mod, tz);
  if (zone === "Z") return days * MICROS_PER_DAY + mod;
  return fromLocal(days, mod, normalizeZone(zone));
}

function normalizeZone(z: string): string {
  const m = /^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$/i.exec(z);
  if (m) return `${m[1]}${m[2]!.padStart(2, "0")}:${m[3] ?? "00"}`;
  return z;
}

export function microsFromDate(d: Date): number {
  return d.getTime() * MICROS_PER_MILLI;
}

export function dateFromMicros(micros: number): Date {
  return new Date(Math.floor(micros / MICROS_PER_MILLI));
}

/** Current time in microseconds (millisecond resolution). */
export function nowMicros(): number {
  return Date.now() * MICROS_PER_MILLI;
}
