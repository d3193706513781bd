import { IllegalArgumentError } from "../errors/errors.js";

/** Spark's calendar interval: months, days and microseconds kept apart because their lengths vary. */
export interface Interval {
  readonly months: number;
  readonly days: number;
  readonly micros: number;
}

export const MICROS_PER_MILLI = 1000;
export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
export const MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;
export const MICROS_PER_DAY = 24 * MICROS_PER_HOUR;

export function interval(months: number, days: number, micros: number): Interval {
  return Object.freeze({ months, days, micros });
}

const UNIT_MICROS: Record<string, number> = {
  microsecond: 1, microseconds: 1, us: 1,
  millisecond: MICROS_PER_MILLI, milliseconds: MICROS_PER_MILLI, ms: MICROS_PER_MILLI,
  second: MICROS_PER_SECOND, seconds: MICROS_PER_SECOND, sec: MICROS_PER_SECOND, secs: MICROS_PER_SECOND, s: MICROS_PER_SECOND,
  minute: MICROS_PER_MINUTE, minutes: MICROS_PER_MINUTE, min: MICROS_PER_MINUTE, mins: MICROS_PER_MINUTE, m: MICROS_PER_MINUTE,
  hour: MICROS_PER_HOUR, hours: MICROS_PER_HOUR, h: MICROS_PER_HOUR,
};

/**
 * Parses Spark interval text: `"10 seconds"`, `"1 hour 30 minutes"`, `"interval 5 minutes"`,
 * `"2 days"`, `"1 week"`, `"3 months"`, `"1 year"`. `what` names the argument in errors.
 */
export function parseInterval(text: string, what = "interval"): Interval {
  let s = text.trim().toLowerCase();
  if (s.startsWith("interval")) s = s.slice("interval".length).trim();
  s = s.replace(/^'(.*)'$/, "$1").trim();
  if (s === "") throw new IllegalArgumentError("INVALID_INTERVAL", `The ${what} '${text}' is not a valid interval: it is empty.`);
  const re = /([+-]?\d+(?:\.\d+)?)\s*([a-z]+)/g;
  let months = 0, days = 0, micros = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    if (s.slice(consumed, m.index).trim() !== "") break;
    consumed = m.index + m[0].length;
    const n = Number(m[1]);
    const unit = m[2]!;
    if (unit === "year" || unit === "years" || unit === "y") months += Math.round(n * 12);
    else if (unit === "month" || unit === "months" || unit === "mon" || unit === "mons") months += n;
    else if (unit === "week" || unit === "weeks" || unit === "w") days += 7 * n;
    else if (unit === "day" || unit === "days" || unit === "d") days += n;
    else if (UNIT_MICROS[unit] !== undefined) micros += Math.round(n * UNIT_MICROS[unit]);
    else throw new IllegalArgumentError("INVALID_INTERVAL", `The ${what} '${text}' has an unknown unit '${m[2]}'. Use microseconds, milliseconds, seconds, minutes, hours, days, weeks, months or years.`);
  }
  if (consumed === 0 || s.slice(consumed).trim() !== "") {
    throw new IllegalArgumentError("INVALID_INTERVAL", `The ${what} '${text}' is not a valid interval; expected e.g. '10 seconds' or '1 hour 30 minutes'.`);
  }
  return interval(months, days, micros);
}

/** Microseconds of an interval that must have a fixed length (no months), as window durations need. */
export function fixedMicros(iv: Interval, what: string): number {
  if (iv.months !== 0) throw new IllegalArgumentError("INVALID_INTERVAL", `The ${what} must not contain months or years, because their length varies.`);
  return iv.days * MICROS_PER_DAY + iv.micros;
}

/** Spark's textual form of an interval, e.g. `INTERVAL '10' SECOND` is shown as `10 seconds`. */
export function formatInterval(iv: Interval): string {
  const parts: string[] = [];
  const years = Math.trunc(iv.months / 12), months = iv.months % 12;
  if (years) parts.push(`${years} years`);
  if (months) parts.push(`${months} months`);
  if (iv.days) parts.push(`${iv.days} days`);
  let us = iv.micros;
  const sign = us < 0 ? -1 : 1;
  us = Math.abs(us);
  const h = Math.floor(us / MICROS_PER_HOUR); us -= h * MICROS_PER_HOUR;
  const mi = Math.floor(us / MICROS_PER_MINUTE); us -= mi * MICROS_PER_MINUTE;
  const sec = us / MICROS_PER_SECOND;
  if (h) parts.push(`${sign * h} hours`);
  if (mi) parts.push(`${sign * mi} minutes`);
  if (sec) parts.push(`${sign * sec} seconds`);
  return parts.length ? parts.join(" ") : "0 seconds";
}
