import { IllegalArgumentError } from "../errors/errors.js";
import { parseInterval } from "../types/interval.js";

/** What `writeStream.trigger(...)` accepts. */
export type TriggerSpec =
  | { readonly processingTime: string | number }
  | { readonly once: true }
  | { readonly availableNow: true }
  | { readonly continuous: string | number };

/** A parsed trigger. ProcessingTime with interval 0 is the default trigger (as soon as possible). */
export type Trigger =
  | { readonly kind: "processingTime"; readonly intervalMs: number }
  | { readonly kind: "once" }
  | { readonly kind: "availableNow" }
  | { readonly kind: "continuous"; readonly intervalMs: number };

export const DEFAULT_TRIGGER: Trigger = Object.freeze({ kind: "processingTime", intervalMs: 0 });

export function parseTrigger(spec: TriggerSpec): Trigger {
  if ("processingTime" in spec) return { kind: "processingTime", intervalMs: intervalMs(spec.processingTime, "processingTime") };
  if ("once" in spec && spec.once) return { kind: "once" };
  if ("availableNow" in spec && spec.availableNow) return { kind: "availableNow" };
  if ("continuous" in spec) return { kind: "continuous", intervalMs: intervalMs(spec.continuous, "continuous") };
  throw new IllegalArgumentError("INVALID_TRIGGER", `Unknown trigger ${JSON.stringify(spec)}; use { processingTime: "1 second" }, { once: true }, { availableNow: true } or { continuous: "1 second" }.`);
}

function intervalMs(v: string | number, what: string): number {
  if (typeof v === "number") {
    if (!(v >= 0) || !Number.isFinite(v)) throw new IllegalArgumentError("INVALID_TRIGGER", `The ${what} interval must be a non-negative number of milliseconds, got ${v}.`);
    return v;
  }
  const i = parseInterval(v, `${what} trigger interval`);
  if (i.months !== 0) throw new IllegalArgumentError("INVALID_TRIGGER", `Doesn't support month or year interval: ${v}`);
  const ms = i.days * 86_400_000 + i.micros / 1000;
  if (ms < 0) throw new IllegalArgumentError("INVALID_TRIGGER", `The ${what} interval must not be negative: ${v}.`);
  return ms;
}

/**
 * Processing-time scheduling (Spark's ProcessingTimeExecutor): a trigger that started at
 * `triggerTimeMs` is followed by one at the next multiple of the interval; a batch that overruns
 * its interval is followed by the next one at once.
 */
export function nextTriggerTime(triggerTimeMs: number, intervalMs: number): number {
  if (intervalMs <= 0) return triggerTimeMs;
  return triggerTimeMs - (triggerTimeMs % intervalMs) + intervalMs;
}
