import { AnalysisError } from "../errors/errors.js";
import { CalendarIntervalType, StringType, TimestampType, sqlTypeName } from "../types/data-type.js";
import { type Interval, MICROS_PER_DAY, parseInterval } from "../types/interval.js";
import { WINDOW_STRUCT } from "./time-window.js";
import type { ScalarFunctionDef } from "./function-def.js";
import { registerFunctions, registerInternalFunctions } from "./function-registry.js";

/**
 * Microseconds of a session gap: a string such as "10 minutes" or an interval value. Null when
 * the gap is null, not a valid interval, or has months (whose length varies).
 */
export function sessionGapMicros(gap: unknown): number | null {
  if (gap === null || gap === undefined) return null;
  let iv: Interval;
  if (typeof gap === "string") {
    try {
      iv = parseInterval(gap, "session gap");
    } catch {
      return null;
    }
  } else {
    iv = gap as Interval;
  }
  if (iv.months !== 0) return null;
  return iv.days * MICROS_PER_DAY + iv.micros;
}

/**
 * Internal: the end of a row's own session, `ts + gap` (struct field `end` before merging).
 * Null when the gap is null, invalid or not positive: the rewrite drops such rows, as Spark does.
 */
export const sessionEndFunction: ScalarFunctionDef = {
  type: "scalar",
  name: "__session_end",
  minArgs: 2,
  maxArgs: 2,
  resolve: (args) => {
    const g = args[1]!.dataType;
    if (g.kind !== "string" && g.kind !== "interval" && g.kind !== "null") {
      throw new AnalysisError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] The gap duration of session_window must be a STRING or INTERVAL, however it has the type "${sqlTypeName(g)}".`);
    }
    return { inputTypes: [TimestampType, g.kind === "interval" ? CalendarIntervalType : StringType], dataType: TimestampType };
  },
  compile: () => {
    // The gap is most often one value for every row: parsed once, not per row (a string is
    // compared by value, an interval, immutable, by identity).
    let lastGap: unknown, lastMicros: number | null = null;
    return ((ts: number, gap: unknown) => {
      if (gap !== lastGap) {
        lastGap = gap;
        lastMicros = sessionGapMicros(gap);
      }
      return lastMicros === null || lastMicros <= 0 ? null : ts + lastMicros;
    }) as (...args: never[]) => unknown;
  },
};

/**
 * Internal window-only function `__session_window(ts, end)` over a partition ordered by ts: the
 * merged session [start, end) of each row, where a row joins the current session when its
 * timestamp is not after the session's end (Spark's MergingSessionsIterator).
 */
export const sessionWindowFunction: ScalarFunctionDef = {
  type: "scalar",
  name: "__session_window",
  minArgs: 2,
  maxArgs: 2,
  windowOnly: true,
  nullSafe: true,
  resolve: () => {
    throw new AnalysisError("UNSUPPORTED_FEATURE", "__session_window is internal.");
  },
  compile: () => {
    throw new AnalysisError("UNSUPPORTED_FEATURE", "__session_window is evaluated by the window operator.");
  },
};

/** Internal: `struct(start, end)` of a row's own (unmerged) session, for session_window outside an aggregation. */
export const sessionStructFunction: ScalarFunctionDef = {
  type: "scalar",
  name: "__session_struct",
  minArgs: 2,
  maxArgs: 2,
  resolve: () => ({ inputTypes: [TimestampType, TimestampType], dataType: WINDOW_STRUCT }),
  compile: () => ((start: number, end: number) => [start, end]) as (...args: never[]) => unknown,
};

/** Sessions of timestamps sorted ascending with their own ends: [start, end] per row. */
export function mergeSessions(ts: readonly number[], ends: readonly number[]): [number, number][] {
  const out = new Array<[number, number]>(ts.length);
  let i = 0;
  while (i < ts.length) {
    const start = ts[i]!;
    let end = ends[i]!;
    let j = i + 1;
    while (j < ts.length && ts[j]! <= end) {
      if (ends[j]! > end) end = ends[j]!;
      j++;
    }
    const w: [number, number] = [start, end];
    for (let k = i; k < j; k++) out[k] = w;
    i = j;
  }
  return out;
}

/** `window_time(window)`: the inclusive upper bound of a time or session window, end - 1 microsecond. */
export const windowTimeFunction: ScalarFunctionDef = {
  type: "scalar",
  name: "window_time",
  minArgs: 1,
  maxArgs: 1,
  doc: "window_time(window_column) - The event time of a time or session window: its end minus one microsecond.",
  resolve: (args) => {
    const t = args[0]!.dataType;
    const ok = t.kind === "struct" && t.fields.length === 2 && t.fields[0]!.name === "start" && t.fields[1]!.name === "end"
      && t.fields.every((f) => f.dataType.kind === "timestamp");
    if (!ok) {
      throw new AnalysisError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] window_time needs a window column (STRUCT<start: TIMESTAMP, end: TIMESTAMP>) made by window or session_window, however it has the type "${sqlTypeName(t)}".`);
    }
    return { inputTypes: [null], dataType: TimestampType };
  },
  compile: () => ((w: readonly unknown[]) => {
    const end = w[1];
    return end === null || end === undefined ? null : (end as number) - 1;
  }) as (...args: never[]) => unknown,
};

registerFunctions([windowTimeFunction]);

registerInternalFunctions([sessionEndFunction, sessionWindowFunction, sessionStructFunction]);
