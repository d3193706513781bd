import { ExecutionError, IllegalArgumentError } from "../../errors/errors.js";
import {
  type DataType, DateType, DoubleType, IntegerType, LongType, StringType, TimestampType, decimalType, isNumeric,
} from "../../types/data-type.js";
import { compileDateTimeFormat } from "../../types/datetime-format.js";
import { civilFromDays, daysFromCivil, fixedZoneOffsetMillis, fromLocal, localFields, parseDate, parseTimestamp, zoneOffsetMillis } from "../../types/datetime.js";
import { type Interval, MICROS_PER_DAY, MICROS_PER_SECOND } from "../../types/interval.js";
import { type Long, normalizeLong } from "../../types/long.js";
import { registerFunctions } from "../function-registry.js";
import type { ArgInfo, ExecFunctionContext, ScalarFunctionDef } from "../function-def.js";
import { decimalToNumber, rescale, toBig } from "./decimal-util.js";
import { argError, checkArgCount, coerceArg, constArg, fn, row, scalar, typeError } from "./define.js";

/** Date and time functions over internal values: DATE = days, TIMESTAMP = microseconds (UTC). */

const DEFAULT_FORMAT = "yyyy-MM-dd HH:mm:ss";

// ---------------------------------------------------------------------------------------------
// Calendar helpers (exported for the analyzer and other modules)

export function daysInMonth(y: number, m: number): number {
  return [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/** days + n months, clamping the day to the end of the month (Java's LocalDate.plusMonths). */
export function addMonthsToDays(days: number, months: number): number {
  if (months === 0) return days;
  const { year, month, day } = civilFromDays(days);
  const total = year * 12 + (month - 1) + months;
  const y = Math.floor(total / 12), m = total - y * 12 + 1;
  return daysFromCivil(y, m, Math.min(day, daysInMonth(y, m)));
}

/**
 * `timestamp + interval` as Spark computes it: months and days are added to the local date-time
 * in `timeZone` (so a day is a calendar day across DST changes), then the microseconds; with
 * `sign` -1, the interval is subtracted (no negated copy of it per row).
 */
export function addInterval(micros: number, iv: Interval, timeZone: string, sign: 1 | -1 = 1): number {
  if (iv.months === 0 && iv.days === 0) return micros + sign * iv.micros;
  const f = localFields(micros, timeZone);
  const days = addMonthsToDays(f.days, sign * iv.months) + sign * iv.days;
  const localMod = f.hour * 3_600_000_000 + f.minute * 60_000_000 + f.second * MICROS_PER_SECOND + f.micros;
  return fromLocal(days, localMod, timeZone) + sign * iv.micros;
}

/** `date + interval` (the interval must have no time part; Spark rejects one). */
export function addIntervalToDate(days: number, iv: Interval): number {
  if (iv.micros !== 0) {
    throw new IllegalArgumentError("INVALID_INTERVAL", "A date can only be added an interval of whole days, months and years; cast the date to a timestamp first.");
  }
  return addMonthsToDays(days, iv.months) + iv.days;
}

function isoWeek(days: number): number {
  const dow = ((((days + 3) % 7) + 7) % 7) + 1; // 1 = Monday
  const thursday = days - dow + 4;
  const { year } = civilFromDays(thursday);
  return Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1;
}

const floorDiv = (a: number, b: number): number => Math.floor(a / b);

function microsOfDay(micros: number, tz: string): number {
  const f = localFields(micros, tz);
  return f.hour * 3_600_000_000 + f.minute * 60_000_000 + f.second * MICROS_PER_SECOND + f.micros;
}

// ---------------------------------------------------------------------------------------------

const D = DateType, TS = TimestampType, S = StringType;

const currentTimestamp = fn({
  name: "current_timestamp", aliases: ["now", "localtimestamp"], args: [], result: TS, nullable: false, readsQueryTime: true,
  doc: "current_timestamp() - The query's start time (one value for every row of the query or micro-batch).",
  impl: (_s, ctx) => { const v = ctx.currentTimestampMicros; return row(() => v); },
});
const currentDate = fn({
  name: "current_date", aliases: ["curdate"], args: [], result: D, nullable: false, readsQueryTime: true,
  impl: (_s, ctx) => { const v = localFields(ctx.currentTimestampMicros, ctx.timeZone).days; return row(() => v); },
});
const currentTimezone = fn({
  name: "current_timezone", args: [], result: S, nullable: false,
  impl: (_s, ctx) => { const v = ctx.timeZone; return row(() => v); },
});

function parseFailure(ctx: ExecFunctionContext, text: string, fmt: string | null, what: string): null {
  if (ctx.ansi) {
    throw new ExecutionError(
      "CANNOT_PARSE_TIMESTAMP",
      `[CANNOT_PARSE_TIMESTAMP] Text '${text}' could not be parsed${fmt ? ` with the pattern '${fmt}'` : ""} as a ${what}. Use \`try_to_timestamp\` to tolerate invalid input string and return NULL instead. If necessary set "sluice.sql.ansi.enabled" to "false" to bypass this error.`,
    );
  }
  return null;
}

/** Compiles a constant pattern at resolution time so a bad pattern fails the query early. */
function patternState(args: readonly ArgInfo[], i: number): unknown {
  const p = constArg(args, i);
  if (typeof p === "string") compileDateTimeFormat(p);
  return undefined;
}

function toTimestampDef(name: string, tryMode: boolean): ScalarFunctionDef {
  return scalar({
    type: "scalar",
    name,
    minArgs: 1,
    maxArgs: 2,
    doc: `${name}(str[, fmt]) - str parsed as a timestamp (with the datetime pattern fmt); ${tryMode ? "null" : "null (an error under ANSI)"} when it does not parse.`,
    resolve(args: readonly ArgInfo[]) {
      checkArgCount(name, args.length, 1, 2);
      const t = args[0]!.dataType;
      const c0 = t.kind === "timestamp" || t.kind === "date" || (isNumeric(t) && args.length === 1) ? null : coerceArg(name, 0, args[0]!, S);
      const c1 = args.length === 2 ? coerceArg(name, 1, args[1]!, S) : null;
      patternState(args, 1);
      return { inputTypes: args.length === 2 ? [c0, c1] : [c0], dataType: TS };
    },
    compile(sig, ctx) {
      const tz = ctx.timeZone;
      const c = tryMode ? { ...ctx, ansi: false } : ctx;
      const t = sig.argTypes[0]!;
      if (t.kind === "timestamp") return row((v: number) => v);
      if (t.kind === "date") return row((d: number) => fromLocal(d, 0, tz));
      if (isNumeric(t)) {
        return t.kind === "decimal"
          ? row((v: Long) => Number(rescale(toBig(v), t.scale, 6, "DOWN")))
          : row((v: Long) => { const n = Number(v); return Number.isFinite(n) ? Math.trunc(n * MICROS_PER_SECOND) : null; });
      }
      if (sig.argTypes.length === 1) return row((s: string) => parseTimestamp(s, tz) ?? parseFailure(c, s, null, "timestamp"));
      return row((s: string, f: string) => compileDateTimeFormat(f).parse(s, tz) ?? parseFailure(c, s, f, "timestamp"));
    },
  });
}

function toDateDef(name: string, tryMode: boolean): ScalarFunctionDef {
  return scalar({
    type: "scalar",
    name,
    minArgs: 1,
    maxArgs: 2,
    doc: `${name}(str[, fmt]) - str parsed as a date (with the datetime pattern fmt).`,
    resolve(args: readonly ArgInfo[]) {
      checkArgCount(name, args.length, 1, 2);
      const t = args[0]!.dataType;
      const c0 = t.kind === "timestamp" || t.kind === "date" ? null : coerceArg(name, 0, args[0]!, S);
      const c1 = args.length === 2 ? coerceArg(name, 1, args[1]!, S) : null;
      patternState(args, 1);
      return { inputTypes: args.length === 2 ? [c0, c1] : [c0], dataType: D };
    },
    compile(sig, ctx) {
      const tz = ctx.timeZone;
      const c = tryMode ? { ...ctx, ansi: false } : ctx;
      const t = sig.argTypes[0]!;
      if (t.kind === "date") return row((d: number) => d);
      if (t.kind === "timestamp") return row((v: number) => localFields(v, tz).days);
      if (sig.argTypes.length === 1) return row((s: string) => parseDate(s) ?? parseFailure(c, s, null, "date"));
      return row((s: string, f: string) => compileDateTimeFormat(f).parseDate(s, tz) ?? parseFailure(c, s, f, "date"));
    },
  });
}

const dateFormat = fn({
  name: "date_format", args: [TS, S], result: S,
  state: (args) => patternState(args, 1),
  doc: "date_format(ts, fmt) - ts rendered with the datetime pattern fmt in the session time zone.",
  impl: (_s, ctx) => { const tz = ctx.timeZone; return row((v: number, f: string) => compileDateTimeFormat(f).format(v, tz)); },
});

function unixTimestampDef(name: string, minArgs: number): ScalarFunctionDef {
  return scalar({
    type: "scalar",
    name,
    minArgs,
    maxArgs: 2,
    // unix_timestamp() without arguments is the query's time.
    ...(minArgs === 0 ? { readsQueryTime: "withoutArguments" as const } : {}),
    doc: `${name}(${minArgs === 0 ? "[" : ""}time[, fmt]${minArgs === 0 ? "]" : ""}) - Seconds since the epoch of a timestamp, date or string (parsed with fmt, default '${DEFAULT_FORMAT}').`,
    resolve(args: readonly ArgInfo[]) {
      checkArgCount(name, args.length, minArgs, 2);
      const inputTypes: (DataType | null)[] = [];
      if (args.length > 0) {
        const t = args[0]!.dataType;
        inputTypes.push(t.kind === "timestamp" || t.kind === "date" ? null : coerceArg(name, 0, args[0]!, S));
      }
      if (args.length > 1) inputTypes.push(coerceArg(name, 1, args[1]!, S));
      patternState(args, 1);
      return { inputTypes, dataType: LongType };
    },
    compile(sig, ctx) {
      const tz = ctx.timeZone;
      if (sig.argTypes.length === 0) { const v = floorDiv(ctx.currentTimestampMicros, MICROS_PER_SECOND); return row(() => v); }
      const t = sig.argTypes[0]!;
      if (t.kind === "timestamp") return row((v: number) => floorDiv(v, MICROS_PER_SECOND));
      if (t.kind === "date") return row((d: number) => floorDiv(fromLocal(d, 0, tz), MICROS_PER_SECOND));
      return row((s: string, f: string = DEFAULT_FORMAT) => {
        const m = compileDateTimeFormat(f).parse(s, tz);
        return m === null ? parseFailure(ctx, s, f, "timestamp") : floorDiv(m, MICROS_PER_SECOND);
      });
    },
  });
}

const fromUnixtime = fn({
  name: "from_unixtime", args: [LongType, S], optional: 1, result: S,
  state: (args) => patternState(args, 1),
  impl: (_s, ctx) => {
    const tz = ctx.timeZone;
    return row((secs: Long, f: string = DEFAULT_FORMAT) => compileDateTimeFormat(f).format(Number(secs) * MICROS_PER_SECOND, tz));
  },
});

const timestampSeconds = fn({
  name: "timestamp_seconds", args: ["numeric"], result: TS,
  impl: (sig) => {
    const t = sig.argTypes[0]!;
    if (t.kind === "decimal") return row((v: Long) => Number(rescale(toBig(v), t.scale, 6, "DOWN")));
    if (t.kind === "double" || t.kind === "float") return row((v: number) => (Number.isFinite(v) ? Math.trunc(v * MICROS_PER_SECOND) : null));
    return row((v: Long) => Number(v) * MICROS_PER_SECOND);
  },
});
const timestampMillis = fn({ name: "timestamp_millis", args: ["integral"], result: TS, impl: () => row((v: Long) => Number(v) * 1000) });
const timestampMicros = fn({ name: "timestamp_micros", args: ["integral"], result: TS, impl: () => row((v: Long) => Number(v)) });
const unixSeconds = fn({ name: "unix_seconds", args: [TS], result: LongType, impl: () => row((v: number) => floorDiv(v, MICROS_PER_SECOND)) });
const unixMillis = fn({ name: "unix_millis", args: [TS], result: LongType, impl: () => row((v: number) => floorDiv(v, 1000)) });
const unixMicros = fn({ name: "unix_micros", args: [TS], result: LongType, impl: () => row((v: number) => normalizeLong(BigInt(v))) });
const unixDate = fn({ name: "unix_date", args: [D], result: IntegerType, impl: () => row((d: number) => d) });
const dateFromUnixDate = fn({ name: "date_from_unix_date", args: [IntegerType], result: D, impl: () => row((d: number) => d) });

const dateAdd = fn({ name: "date_add", aliases: ["dateadd"], args: [D, IntegerType], result: D, impl: () => row((d: number, n: number) => d + n) });
const dateSub = fn({ name: "date_sub", args: [D, IntegerType], result: D, impl: () => row((d: number, n: number) => d - n) });
const datediff = fn({ name: "datediff", aliases: ["date_diff"], args: [D, D], result: IntegerType, impl: () => row((a: number, b: number) => a - b) });
const addMonths = fn({ name: "add_months", args: [D, IntegerType], result: D, impl: () => row((d: number, n: number) => addMonthsToDays(d, n)) });

const monthsBetween = fn({
  name: "months_between", args: [TS, TS, "any"], optional: 1, result: DoubleType,
  check: (t) => { if (t.length === 3 && t[2]!.kind !== "boolean") throw typeError("months_between", 2, `"BOOLEAN"`, t[2]!); },
  impl: (_s, ctx) => {
    const tz = ctx.timeZone;
    return row((a: number, b: number, roundOff = true) => {
      const f1 = localFields(a, tz), f2 = localFields(b, tz);
      const monthDiff = f1.year * 12 + f1.month - (f2.year * 12 + f2.month);
      const last1 = f1.day === daysInMonth(f1.year, f1.month), last2 = f2.day === daysInMonth(f2.year, f2.month);
      if (f1.day === f2.day || (last1 && last2)) return monthDiff;
      const t1 = microsOfDay(a, tz), t2 = microsOfDay(b, tz);
      const secondsDiff = (f1.day - f2.day) * 86400 + (t1 - t2) / MICROS_PER_SECOND;
      const diff = monthDiff + secondsDiff / (31 * 86400);
      return roundOff ? Math.round(diff * 1e8) / 1e8 : diff;
    });
  },
});

function truncDays(days: number, unit: string): number | null {
  const { year, month } = civilFromDays(days);
  switch (unit) {
    case "year": case "yyyy": case "yy": return daysFromCivil(year, 1, 1);
    case "quarter": return daysFromCivil(year, Math.floor((month - 1) / 3) * 3 + 1, 1);
    case "month": case "mm": case "mon": return daysFromCivil(year, month, 1);
    case "week": return days - ((((days + 3) % 7) + 7) % 7);
    default: return null;
  }
}

const dateTrunc = fn({
  name: "date_trunc", args: [S, TS], result: TS,
  doc: "date_trunc(unit, ts) - ts truncated to the unit (YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND); null for an unknown unit.",
  impl: (_s, ctx) => {
    const tz = ctx.timeZone;
    return row((unitText: string, v: number) => {
      const unit = unitText.toLowerCase();
      switch (unit) {
        case "microsecond": return v;
        case "millisecond": return floorDiv(v, 1000) * 1000;
        case "second": return floorDiv(v, MICROS_PER_SECOND) * MICROS_PER_SECOND;
        case "minute": case "hour": case "day": case "dd": {
          const f = localFields(v, tz);
          const mod = unit === "minute" ? (f.hour * 60 + f.minute) * 60_000_000 : unit === "hour" ? f.hour * 3_600_000_000 : 0;
          return fromLocal(f.days, mod, tz);
        }
        default: {
          const d = truncDays(localFields(v, tz).days, unit);
          return d === null ? null : fromLocal(d, 0, tz);
        }
      }
    });
  },
});
const trunc = fn({
  name: "trunc", args: [D, S], result: D,
  doc: "trunc(date, unit) - date truncated to YEAR, QUARTER, MONTH or WEEK; null for other units.",
  impl: () => row((d: number, unit: string) => truncDays(d, unit.toLowerCase())),
});

function dateField(name: string, f: (days: number) => number, aliases?: string[]): ScalarFunctionDef {
  return fn({ name, ...(aliases ? { aliases } : {}), args: [D], result: IntegerType, impl: () => row(f) });
}
const year = dateField("year", (d) => civilFromDays(d).year);
const quarter = dateField("quarter", (d) => Math.floor((civilFromDays(d).month - 1) / 3) + 1);
const month = dateField("month", (d) => civilFromDays(d).month);
const dayofmonth = dateField("dayofmonth", (d) => civilFromDays(d).day, ["day"]);
const dayofweek = dateField("dayofweek", (d) => ((((d + 4) % 7) + 7) % 7) + 1);
const weekday = dateField("weekday", (d) => (((d + 3) % 7) + 7) % 7);
const dayofyear = dateField("dayofyear", (d) => d - daysFromCivil(civilFromDays(d).year, 1, 1) + 1);
const weekofyear = dateField("weekofyear", isoWeek);

/**
 * hour, minute, second: from the local time of day only (no calendar date is worked out), with a
 * fixed zone's offset (UTC, +02:00) read once rather than per row.
 */
function timeField(name: string, unitMicros: number, modulo: number): ScalarFunctionDef {
  return fn({
    name, args: [TS], result: IntegerType,
    impl: (_s, ctx) => {
      const tz = ctx.timeZone, fixed = fixedZoneOffsetMillis(tz);
      return row((v: number) => {
        const local = v + (fixed ?? zoneOffsetMillis(tz, Math.floor(v / 1000))) * 1000;
        const ofDay = local - Math.floor(local / MICROS_PER_DAY) * MICROS_PER_DAY;
        return Math.floor(ofDay / unitMicros) % modulo;
      });
    },
  });
}
const hour = timeField("hour", 3_600_000_000, 24);
const minute = timeField("minute", 60_000_000, 60);
const second = timeField("second", MICROS_PER_SECOND, 60);

const lastDay = fn({
  name: "last_day", args: [D], result: D,
  impl: () => row((d: number) => { const { year: y, month: m } = civilFromDays(d); return daysFromCivil(y, m, daysInMonth(y, m)); }),
});

const DOW_NAMES: Record<string, number> = { mo: 0, mon: 0, monday: 0, tu: 1, tue: 1, tuesday: 1, we: 2, wed: 2, wednesday: 2, th: 3, thu: 3, thursday: 3, fr: 4, fri: 4, friday: 4, sa: 5, sat: 5, saturday: 5, su: 6, sun: 6, sunday: 6 };
const nextDay = fn({
  name: "next_day", args: [D, S], result: D,
  impl: (_s, ctx) => row((d: number, name: string) => {
    const target = DOW_NAMES[name.trim().toLowerCase()];
    if (target === undefined) {
      if (ctx.ansi) throw new ExecutionError("ILLEGAL_DAY_OF_WEEK", `Illegal input for day of week: ${name}.`);
      return null;
    }
    const cur = (((d + 3) % 7) + 7) % 7;
    const delta = ((target - cur + 7) % 7) || 7;
    return d + delta;
  }),
});

const makeDate = fn({
  name: "make_date", args: [IntegerType, IntegerType, IntegerType], result: D,
  impl: (_s, ctx) => row((y: number, m: number, d: number) => {
    if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) {
      if (ctx.ansi) throw new ExecutionError("DATETIME_FIELD_OUT_OF_BOUNDS", `Invalid date: year ${y}, month ${m}, day ${d}.`);
      return null;
    }
    return daysFromCivil(y, m, d);
  }),
});

const makeTimestamp = fn({
  name: "make_timestamp", args: [IntegerType, IntegerType, IntegerType, IntegerType, IntegerType, decimalType(16, 6), S], optional: 1, result: TS,
  doc: "make_timestamp(year, month, day, hour, min, sec[, timezone]) - A timestamp from fields; sec may have a fraction, and 60 means the next minute.",
  impl: (sig, ctx) => {
    // A narrower decimal is not widened by the implicit cast: read sec with its own scale.
    const st = sig.argTypes[5]!;
    const secScale = st.kind === "decimal" ? st.scale : 0;
    return row((y: number, mo: number, d: number, h: number, mi: number, sec: Long, tz?: string) => {
      const secMicros = Number(rescale(toBig(sec), secScale, 6));
      const bad = (): null => {
        if (ctx.ansi) throw new ExecutionError("DATETIME_FIELD_OUT_OF_BOUNDS", `Invalid timestamp fields: ${y}-${mo}-${d} ${h}:${mi}:${decimalToNumber(sec, secScale)}.`);
        return null;
      };
      if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 || secMicros < 0) return bad();
      if (secMicros >= 60 * MICROS_PER_SECOND && secMicros !== 60 * MICROS_PER_SECOND) return bad();
      const mod = h * 3_600_000_000 + mi * 60_000_000 + secMicros;
      const days = daysFromCivil(y, mo, d);
      return fromLocal(days, mod, tz ?? ctx.timeZone);
    });
  },
});

/** try_make_timestamp: make_timestamp with null for invalid fields whatever the ANSI setting. */
const tryMakeTimestamp: ScalarFunctionDef = Object.freeze({
  ...makeTimestamp,
  name: "try_make_timestamp",
  doc: "try_make_timestamp(year, month, day, hour, min, sec[, timezone]) - make_timestamp, but null instead of an error for invalid fields.",
  compile: (sig: Parameters<ScalarFunctionDef["compile"]>[0], ctx: Parameters<ScalarFunctionDef["compile"]>[1]) => makeTimestamp.compile(sig, { ...ctx, ansi: false }),
});

const fromUtcTimestamp = fn({
  name: "from_utc_timestamp", args: [TS, S], result: TS,
  doc: "from_utc_timestamp(ts, tz) - Reads ts as a UTC wall-clock time and returns that time as shown in tz.",
  impl: () => row((v: number, tz: string) => v + zoneOffsetMillis(tz, Math.floor(v / 1000)) * 1000),
});
const toUtcTimestamp = fn({
  name: "to_utc_timestamp", args: [TS, S], result: TS,
  doc: "to_utc_timestamp(ts, tz) - Reads ts as a wall-clock time in tz and returns it as UTC.",
  impl: () => row((v: number, tz: string) => {
    const days = floorDiv(v, MICROS_PER_DAY);
    return fromLocal(days, v - days * MICROS_PER_DAY, tz);
  }),
});

const FIELD_ALIASES: Record<string, string> = {
  year: "YEAR", y: "YEAR", years: "YEAR", yr: "YEAR", yrs: "YEAR",
  quarter: "QUARTER", qtr: "QUARTER",
  month: "MONTH", mon: "MONTH", mons: "MONTH", months: "MONTH",
  week: "WEEK", w: "WEEK", weeks: "WEEK",
  day: "DAY", d: "DAY", days: "DAY",
  dayofweek: "DOW", dow: "DOW", dayofweek_iso: "DOW_ISO", dow_iso: "DOW_ISO", doy: "DOY",
  hour: "HOUR", h: "HOUR", hours: "HOUR", hr: "HOUR", hrs: "HOUR",
  minute: "MINUTE", m: "MINUTE", min: "MINUTE", mins: "MINUTE", minutes: "MINUTE",
  second: "SECOND", s: "SECOND", sec: "SECOND", seconds: "SECOND", secs: "SECOND",
};

const datePart = scalar({
  type: "scalar",
  name: "date_part",
  aliases: ["extract", "datepart"],
  minArgs: 2,
  maxArgs: 2,
  doc: "date_part(field, source) - A field (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, DOW, DOY, QUARTER, WEEK, ...) of a date or timestamp. EXTRACT(f FROM x) is date_part('f', x).",
  resolve(args) {
    checkArgCount("date_part", args.length, 2, 2);
    const f = args[0]!;
    if (!f.foldable || typeof f.value !== "string") throw argError("date_part", "the field must be a string literal.", "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT");
    const field = FIELD_ALIASES[f.value.toLowerCase()];
    if (!field) throw argError("date_part", `the field '${f.value}' is not supported.`, "INVALID_EXTRACT_FIELD");
    const st = args[1]!.dataType;
    const timeField = field === "HOUR" || field === "MINUTE" || field === "SECOND";
    const src = st.kind === "date" && !timeField ? null : st.kind === "timestamp" ? null : coerceArg("date_part", 1, args[1]!, timeField ? TS : D);
    return { inputTypes: [null, src], dataType: field === "SECOND" ? decimalType(8, 6) : IntegerType, state: field };
  },
  compile(sig, ctx) {
    const field = sig.state as string;
    const tz = ctx.timeZone;
    const isTs = sig.argTypes[1]!.kind === "timestamp";
    const daysOf = (v: number): number => (isTs ? localFields(v, tz).days : v);
    switch (field) {
      case "YEAR": return row((_f: string, v: number) => civilFromDays(daysOf(v)).year);
      case "QUARTER": return row((_f: string, v: number) => Math.floor((civilFromDays(daysOf(v)).month - 1) / 3) + 1);
      case "MONTH": return row((_f: string, v: number) => civilFromDays(daysOf(v)).month);
      case "WEEK": return row((_f: string, v: number) => isoWeek(daysOf(v)));
      case "DAY": return row((_f: string, v: number) => civilFromDays(daysOf(v)).day);
      case "DOW": return row((_f: string, v: number) => ((((daysOf(v) + 4) % 7) + 7) % 7) + 1);
      case "DOW_ISO": return row((_f: string, v: number) => ((((daysOf(v) + 3) % 7) + 7) % 7) + 1);
      case "DOY": return row((_f: string, v: number) => { const d = daysOf(v); return d - daysFromCivil(civilFromDays(d).year, 1, 1) + 1; });
      case "HOUR": return row((_f: string, v: number) => localFields(v, tz).hour);
      case "MINUTE": return row((_f: string, v: number) => localFields(v, tz).minute);
      default: return row((_f: string, v: number) => { const f = localFields(v, tz); return f.second * MICROS_PER_SECOND + f.micros; });
    }
  },
});

export const DATETIME_FUNCTIONS: readonly ScalarFunctionDef[] = [
  currentTimestamp, currentDate, currentTimezone, toTimestampDef("to_timestamp", false), toTimestampDef("try_to_timestamp", true),
  toDateDef("to_date", false), dateFormat, unixTimestampDef("unix_timestamp", 0), unixTimestampDef("to_unix_timestamp", 1), fromUnixtime,
  timestampSeconds, timestampMillis, timestampMicros, unixSeconds, unixMillis, unixMicros, unixDate, dateFromUnixDate,
  dateAdd, dateSub, datediff, addMonths, monthsBetween, dateTrunc, trunc, year, quarter, month, dayofmonth, dayofweek,
  weekday, dayofyear, weekofyear, hour, minute, second, lastDay, nextDay, makeDate, makeTimestamp, tryMakeTimestamp, fromUtcTimestamp,
  toUtcTimestamp, datePart,
];

registerFunctions(DATETIME_FUNCTIONS);
