import { type Expr, Expr as E } from "../expr/expression.js";
import { exprType } from "../expr/expr-type.js";
import type { ScalarFunctionDef } from "../expr/function-def.js";
import { addInterval, addIntervalToDate } from "../expr/functions/index.js";
import { CalendarIntervalType, type DataType, DateType, TimestampType } from "../types/data-type.js";
import { type Interval, MICROS_PER_DAY, interval } from "../types/interval.js";
import { registerInternalFunctions } from "../expr/function-registry.js";

/**
 * `timestamp ± INTERVAL`, `INTERVAL + timestamp`, `date ± INTERVAL`, as Spark's
 * TimeAdd / DateAddInterval: months and days move the local calendar date in the session
 * time zone, then the time part is added. A date plus an interval with a time part stays a
 * date (the time part counts in whole days) unless ANSI mode is on, where it is an error.
 */
const negate = (iv: Interval): Interval => interval(-iv.months, -iv.days, -iv.micros);

function def(name: string, resultType: DataType, subtract: boolean): ScalarFunctionDef {
  const sign = (iv: Interval): Interval => (subtract ? negate(iv) : iv);
  return {
    type: "scalar",
    name,
    minArgs: 2,
    maxArgs: 2,
    resolve: () => ({ inputTypes: [null, null], dataType: resultType }),
    compile: (_sig, ctx) => {
      if (resultType.kind === "timestamp") return ((ts: number, iv: Interval) => addInterval(ts, iv, ctx.timeZone, subtract ? -1 : 1)) as never;
      return ((days: number, iv: Interval) => {
        const s = sign(iv);
        if (s.micros === 0 || ctx.ansi) return addIntervalToDate(days, s);
        return addIntervalToDate(days, interval(s.months, s.days + Math.floor(s.micros / MICROS_PER_DAY), 0));
      }) as never;
    },
    doc: `${resultType.kind} ${subtract ? "-" : "+"} interval`,
    // A constant interval of only hours, minutes and seconds moves an instant by a fixed amount:
    // the generated loop adds it (no time zone involved).
    inline: resultType.kind !== "timestamp" ? undefined : (args) => {
      const iv = args[1]?.kind === "Literal" ? (args[1].value as Interval | null) : null;
      if (iv === null || iv.months !== 0 || iv.days !== 0) return null;
      return (v) => `(${v[0]} ${subtract ? "-" : "+"} ${iv.micros})`;
    },
  };
}

/** The internal functions; expr-sql.ts prints their calls as the operator they came from. */
export const TIMESTAMP_PLUS_INTERVAL = def("__timestamp_plus_interval", TimestampType, false);
export const TIMESTAMP_MINUS_INTERVAL = def("__timestamp_minus_interval", TimestampType, true);
export const DATE_PLUS_INTERVAL = def("__date_plus_interval", DateType, false);
export const DATE_MINUS_INTERVAL = def("__date_minus_interval", DateType, true);

/**
 * `date - date` and `timestamp - timestamp` (a date against a timestamp is cast to timestamp), as
 * Spark's SubtractDates / SubtractTimestamps: the days between the dates (datediff's count) or
 * the microseconds between the instants. Spark's result types are INTERVAL DAY and INTERVAL DAY TO
 * SECOND; Sluice has only the calendar interval type, so the result is an `interval` holding only
 * days (dates) or only microseconds (timestamps).
 */
function diffDef(name: string, unit: "days" | "micros"): ScalarFunctionDef {
  return {
    type: "scalar",
    name,
    minArgs: 2,
    maxArgs: 2,
    resolve: () => ({ inputTypes: [null, null], dataType: CalendarIntervalType }),
    compile: () => (unit === "days" ? ((a: number, b: number) => interval(0, a - b, 0)) : ((a: number, b: number) => interval(0, 0, a - b))) as never,
    doc: unit === "days" ? "date - date" : "timestamp - timestamp",
  };
}
export const DATE_MINUS_DATE = diffDef("__date_minus_date_interval", "days");
export const TIMESTAMP_MINUS_TIMESTAMP = diffDef("__timestamp_minus_timestamp_interval", "micros");

/** The SQL operator of an interval-arithmetic call, or undefined for other functions. */
export function intervalOperator(fnName: string): "+" | "-" | undefined {
  if (!fnName.startsWith("__") || !fnName.endsWith("_interval")) return undefined;
  return fnName.includes("_plus_") ? "+" : fnName.includes("_minus_") ? "-" : undefined;
}

/**
 * Resolves `left op right` when one side is an interval and the other a date or timestamp;
 * undefined when the operands are not of that shape (ordinary arithmetic then applies).
 * String operands of a datetime side are cast to timestamp, as Spark does.
 */
export function resolveIntervalArithmetic(op: string, left: Expr, right: Expr): Expr | undefined {
  if (op !== "+" && op !== "-") return undefined;
  let lt = exprType(left), rt = exprType(right);
  if (op === "+" && lt.kind === "interval" && rt.kind !== "interval") {
    [left, right] = [right, left];
    [lt, rt] = [rt, lt];
  }
  if (op === "-" && lt.kind === "date" && rt.kind === "date") return E.call(DATE_MINUS_DATE, [left, right], CalendarIntervalType);
  if (op === "-" && (lt.kind === "date" || lt.kind === "timestamp") && (rt.kind === "date" || rt.kind === "timestamp")) {
    const ts = (e: Expr, t: DataType): Expr => (t.kind === "date" ? E.implicitCast(e, TimestampType) : e);
    return E.call(TIMESTAMP_MINUS_TIMESTAMP, [ts(left, lt), ts(right, rt)], CalendarIntervalType);
  }
  if (rt.kind !== "interval") return undefined;
  if (lt.kind === "string") {
    left = E.implicitCast(left, TimestampType);
    lt = TimestampType;
  }
  if (lt.kind === "timestamp") return E.call(op === "+" ? TIMESTAMP_PLUS_INTERVAL : TIMESTAMP_MINUS_INTERVAL, [left, right], TimestampType);
  if (lt.kind === "date") return E.call(op === "+" ? DATE_PLUS_INTERVAL : DATE_MINUS_INTERVAL, [left, right], DateType);
  return undefined;
}

registerInternalFunctions([TIMESTAMP_PLUS_INTERVAL, TIMESTAMP_MINUS_INTERVAL, DATE_PLUS_INTERVAL, DATE_MINUS_INTERVAL, DATE_MINUS_DATE, TIMESTAMP_MINUS_TIMESTAMP]);
