import { IllegalArgumentError } from "../errors/errors.js";
import { TimestampType, structField, structType } from "../types/data-type.js";
import { fixedMicros, parseInterval } from "../types/interval.js";
import type { Expr } from "./expression.js";
import type { ScalarFunctionDef } from "./function-def.js";
import { registerInternalFunctions } from "./function-registry.js";

/** The struct type of `window(...)` columns: `struct<start: timestamp, end: timestamp>`. */
export const WINDOW_STRUCT = structType([structField("start", TimestampType, true), structField("end", TimestampType, true)]);

export interface TimeWindowSpec {
  readonly durationMicros: number;
  readonly slideMicros: number;
  readonly startMicros: number;
}

/** Parses the duration arguments of window(ts, duration, slide?, startTime?) as Spark validates them. */
export function timeWindowSpec(duration: string, slide?: string, start?: string): TimeWindowSpec {
  const d = fixedMicros(parseInterval(duration, "window duration"), "window duration");
  const s = slide === undefined ? d : fixedMicros(parseInterval(slide, "slide duration"), "slide duration");
  const st = start === undefined ? 0 : fixedMicros(parseInterval(start, "start time"), "start time");
  if (d <= 0) throw new IllegalArgumentError("INVALID_WINDOW", `The window duration (${duration}) must be greater than 0.`);
  if (s <= 0) throw new IllegalArgumentError("INVALID_WINDOW", `The slide duration (${slide}) must be greater than 0.`);
  if (s > d) throw new IllegalArgumentError("INVALID_WINDOW", `The slide duration (${slide}) must be less than or equal to the window duration (${duration}).`);
  if (Math.abs(st) >= s) throw new IllegalArgumentError("INVALID_WINDOW", `The absolute value of start time (${start}) must be less than the slide duration (${slide ?? duration}).`);
  return { durationMicros: d, slideMicros: s, startMicros: st };
}

/** How many windows of a spec can contain one timestamp (Spark's maxNumOverlapping). */
export function overlappingWindows(spec: TimeWindowSpec): number {
  return Math.ceil(spec.durationMicros / spec.slideMicros);
}

/**
 * The k-th window (k = 0 is the latest-starting one) that may contain `ts`: windows are
 * half-open [start, end) and aligned to the epoch plus startTime.
 */
export function windowStart(ts: number, spec: TimeWindowSpec, k: number): number {
  return ts - slideRemainder(ts - spec.startMicros, spec.slideMicros) - k * spec.slideMicros;
}

/**
 * x mod slide in [0, slide) (NaN for NaN). By a floor division where that is exact, as `%` on
 * doubles is a library call (fmod) several times slower: with an integer slide and |x| <
 * 2^53 - slide, q * slide and x - q * slide are exact, and a quotient that rounding put off by one
 * gives a remainder out of range, which `%` then computes. Generated aggregation loops inline
 * the same steps (fused-aggregate.ts).
 */
export function slideRemainder(x: number, slide: number): number {
  const limit = 2 ** 53 - slide;
  if (x < limit && x > -limit && Number.isInteger(slide)) {
    const rem = x - Math.floor(x / slide) * slide;
    if (rem >= 0 && rem < slide) return rem;
  }
  const rem = x % slide;
  return rem < 0 ? rem + slide : rem;
}

/** Internal function: the k-th candidate window of a timestamp, as struct<start,end>. State: {spec, k}. */
export const timeWindowFunction: ScalarFunctionDef = {
  type: "scalar",
  name: "__time_window",
  minArgs: 1,
  maxArgs: 1,
  resolve: () => ({ inputTypes: [TimestampType], dataType: WINDOW_STRUCT }),
  compile: (sig) => {
    const { spec, k } = sig.state as { spec: TimeWindowSpec; k: number };
    return ((ts: number) => {
      const start = windowStart(ts, spec, k);
      return [start, start + spec.durationMicros];
    }) as (...args: never[]) => unknown;
  },
};

registerInternalFunctions([timeWindowFunction]);

/** A call of the internal time-window function (window(ts, ...) as the analyzer rewrites it): its time, spec and k; else null. */
export function timeWindowCall(e: Expr): { ts: Expr; spec: TimeWindowSpec; k: number } | null {
  if (e.kind !== "Call" || e.fn.name !== timeWindowFunction.name || e.args.length !== 1) return null;
  const { spec, k } = e.state as { spec: TimeWindowSpec; k: number };
  return { ts: e.args[0]!, spec, k };
}

export function sameWindowSpec(a: TimeWindowSpec, b: TimeWindowSpec): boolean {
  return a.durationMicros === b.durationMicros && a.slideMicros === b.slideMicros && a.startMicros === b.startMicros;
}
