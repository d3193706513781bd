import { IllegalArgumentError } from "../errors/errors.js";
import { parseInterval } from "../types/interval.js";
import { type GroupStateImpl, type GroupStateTimeout, NO_TIMESTAMP } from "./group-state.js";
import { evaluateSource, functionExpressionSource } from "../expr/udf-source.js";

/**
 * A first `transformWithState` (Spark 4's arbitrary stateful processing v2): a
 * {@link StatefulProcessor} declares named state variables (value, list, map — each with an
 * optional TTL) and timers through its {@link StatefulProcessorHandle}, and handles each key's
 * new rows and its expired timers. It runs on the flatMapGroupsWithState operator: one state
 * entry per key holds all of the key's variables and timers, and the key's timeout is its
 * earliest timer (or TTL expiry), so timers fire in the same batches GroupState timeouts do
 * (processing time: earlier than the batch timestamp; event time: earlier than the watermark),
 * including batches without data. State changes are committed with the batch.
 *
 * TTL is in processing time (the batch timestamp) as in Spark: an expired value reads as
 * absent, and is purged when its key is next processed — or, in "ProcessingTime" time mode, in
 * the first batch after it expires.
 */
export type TimeMode = "None" | "ProcessingTime" | "EventTime";
export const TimeMode = Object.freeze({ None: "None", ProcessingTime: "ProcessingTime", EventTime: "EventTime" } as const satisfies Record<TimeMode, TimeMode>);

/** `{ ttlDuration: "1 hour" }` (or milliseconds). */
export interface TTLConfig {
  readonly ttlDuration: string | number;
}

export interface ValueState<T> {
  exists(): boolean;
  /** The value, or undefined when absent (or expired). */
  get(): T | undefined;
  update(value: T): void;
  clear(): void;
}

export interface ListState<T> {
  exists(): boolean;
  get(): T[];
  put(values: readonly T[]): void;
  appendValue(value: T): void;
  appendList(values: readonly T[]): void;
  clear(): void;
}

export interface MapState<K, V> {
  exists(): boolean;
  getValue(key: K): V | undefined;
  containsKey(key: K): boolean;
  updateValue(key: K, value: V): void;
  removeKey(key: K): void;
  iterator(): [K, V][];
  keys(): K[];
  values(): V[];
  clear(): void;
}

export interface TimerValues {
  getCurrentProcessingTimeInMs(): number;
  /** The batch's watermark (ms); -1 when the query has none. */
  getCurrentWatermarkInMs(): number;
}

export interface ExpiredTimerInfo {
  getExpiryTimeInMs(): number;
}

/** What a processor's `init` gets: named state variables and the current key's timers. */
export interface StatefulProcessorHandle {
  getValueState<T>(name: string, ttl?: TTLConfig): ValueState<T>;
  getListState<T>(name: string, ttl?: TTLConfig): ListState<T>;
  getMapState<K, V>(name: string, ttl?: TTLConfig): MapState<K, V>;
  /** Registers a timer for the current key (ms: processing time or event time, per the time mode). */
  registerTimer(expiryTimestampMs: number): void;
  deleteTimer(expiryTimestampMs: number): void;
  listTimers(): number[];
  /** Removes every state variable and timer of the current key. */
  deleteIfExists(name: string): void;
}

export interface StatefulProcessor<K = unknown, In = Record<string, unknown>, Out = Record<string, unknown>> {
  /** Called once before the first key is processed: declare state variables here. */
  init(handle: StatefulProcessorHandle, outputMode: "append" | "update", timeMode: TimeMode): void;
  handleInputRows(key: K, rows: Iterable<In>, timerValues: TimerValues): Iterable<Out>;
  handleExpiredTimer?(key: K, timerValues: TimerValues, expiredTimerInfo: ExpiredTimerInfo): Iterable<Out>;
}

// ---- the per-key record ----

interface Cell {
  x: unknown;
  /** TTL expiry (ms), NO_TIMESTAMP for none. */
  e: number;
}
interface KeyRecord {
  v: Record<string, Cell>;
  l: Record<string, Cell[]>;
  m: Record<string, { k: unknown; x: unknown; e: number }[]>;
  t: number[];
}

const emptyRecord = (): KeyRecord => ({ v: {}, l: {}, m: {}, t: [] });
const canon = (k: unknown): string => JSON.stringify(k, (_x, v: unknown) => (typeof v === "bigint" ? { $bigint: v.toString() } : v)) ?? "null";
const clone = <T>(v: T): T => (v !== null && typeof v === "object" ? structuredClone(v) : v);

function ttlMs(ttl: TTLConfig | undefined, name: string): number {
  if (ttl === undefined) return NO_TIMESTAMP;
  const d = ttl.ttlDuration;
  const ms = typeof d === "number" ? d : (() => {
    const i = parseInterval(d, `TTL of state variable ${name}`);
    if (i.months !== 0) throw new IllegalArgumentError("INVALID_TTL", `The TTL of state variable ${name} cannot use months or years.`);
    return Math.trunc((i.days * 86_400_000_000 + i.micros) / 1000);
  })();
  if (!(ms > 0)) throw new IllegalArgumentError("INVALID_TTL", `The TTL of state variable ${name} must be positive, got ${String(d)}.`);
  return ms;
}

/**
 * Turns a processor into the function flatMapGroupsWithState runs (see
 * KeyValueGroupedDataset.transformWithState).
 */
export function processorFunction(
  processor: StatefulProcessor<unknown, Record<string, unknown>, Record<string, unknown>>,
  outputMode: "append" | "update",
  timeMode: TimeMode,
): (key: unknown, values: Iterable<Record<string, unknown>>, state: GroupStateImpl) => Iterable<Record<string, unknown>> {
  let rec: KeyRecord = emptyRecord();
  let now = 0;
  let active = false;
  const declared = new Map<string, { kind: "value" | "list" | "map"; ttl: number }>();
  const live = (c: { e: number }): boolean => c.e === NO_TIMESTAMP || c.e > now;
  const expiry = (name: string): number => {
    const ttl = declared.get(name)!.ttl;
    return ttl === NO_TIMESTAMP ? NO_TIMESTAMP : now + ttl;
  };
  const check = (name: string): void => {
    if (!active) throw new IllegalArgumentError("STATE_VARIABLE_OUTSIDE_CALL", `State variable ${name} can only be used inside handleInputRows / handleExpiredTimer (it belongs to the current key).`);
  };
  const declare = (name: string, kind: "value" | "list" | "map", ttl: TTLConfig | undefined): void => {
    const prev = declared.get(name);
    if (prev !== undefined && prev.kind !== kind) throw new IllegalArgumentError("STATE_VARIABLE_ALREADY_DEFINED", `State variable ${name} is already defined as ${prev.kind} state.`);
    declared.set(name, { kind, ttl: ttlMs(ttl, name) });
  };
  let watermarkMs = NO_TIMESTAMP;
  const handle: StatefulProcessorHandle = {
    getValueState<T>(name: string, ttl?: TTLConfig): ValueState<T> {
      declare(name, "value", ttl);
      return {
        exists: () => (check(name), rec.v[name] !== undefined && live(rec.v[name])),
        get: () => (check(name), rec.v[name] !== undefined && live(rec.v[name]) ? (clone(rec.v[name].x) as T) : undefined),
        update: (value: T) => {
          check(name);
          if (value === null || value === undefined) throw new IllegalArgumentError("INVALID_STATE_VALUE", `${String(value)} is not a valid value for state variable ${name}; use clear().`);
          rec.v[name] = { x: clone(value), e: expiry(name) };
        },
        clear: () => {
          check(name);
          delete rec.v[name];
        },
      };
    },
    getListState<T>(name: string, ttl?: TTLConfig): ListState<T> {
      declare(name, "list", ttl);
      const items = (): Cell[] => (rec.l[name] ?? []).filter(live);
      const set = (cells: Cell[]): void => {
        if (cells.length === 0) delete rec.l[name];
        else rec.l[name] = cells;
      };
      return {
        exists: () => (check(name), items().length > 0),
        get: () => (check(name), items().map((c) => clone(c.x) as T)),
        put: (values) => (check(name), set(values.map((x) => ({ x: clone(x), e: expiry(name) })))),
        appendValue: (value) => (check(name), set([...items(), { x: clone(value), e: expiry(name) }])),
        appendList: (values) => (check(name), set([...items(), ...values.map((x) => ({ x: clone(x), e: expiry(name) }))])),
        clear: () => (check(name), set([])),
      };
    },
    getMapState<K, V>(name: string, ttl?: TTLConfig): MapState<K, V> {
      declare(name, "map", ttl);
      const entries = (): { k: unknown; x: unknown; e: number }[] => (rec.m[name] ?? []).filter(live);
      const find = (key: K): { k: unknown; x: unknown; e: number } | undefined => entries().find((en) => canon(en.k) === canon(key));
      const set = (es: { k: unknown; x: unknown; e: number }[]): void => {
        if (es.length === 0) delete rec.m[name];
        else rec.m[name] = es;
      };
      return {
        exists: () => (check(name), entries().length > 0),
        getValue: (key) => (check(name), clone(find(key)?.x) as V | undefined),
        containsKey: (key) => (check(name), find(key) !== undefined),
        updateValue: (key, value) => {
          check(name);
          set([...entries().filter((en) => canon(en.k) !== canon(key)), { k: clone(key), x: clone(value), e: expiry(name) }]);
        },
        removeKey: (key) => (check(name), set(entries().filter((en) => canon(en.k) !== canon(key)))),
        iterator: () => (check(name), entries().map((en) => [clone(en.k) as K, clone(en.x) as V])),
        keys: () => (check(name), entries().map((en) => clone(en.k) as K)),
        values: () => (check(name), entries().map((en) => clone(en.x) as V)),
        clear: () => (check(name), set([])),
      };
    },
    registerTimer(ms: number): void {
      check("timers");
      if (timeMode === "None") throw new IllegalArgumentError("TIMERS_NOT_ENABLED", `Timers need the time mode ProcessingTime or EventTime, not None.`);
      if (!Number.isFinite(ms)) throw new IllegalArgumentError("INVALID_TIMER", `A timer needs a finite timestamp in ms, got ${ms}.`);
      if (!rec.t.includes(ms)) rec.t = [...rec.t, Math.trunc(ms)].sort((a, b) => a - b);
    },
    deleteTimer(ms: number): void {
      check("timers");
      rec.t = rec.t.filter((t) => t !== ms);
    },
    listTimers: () => (check("timers"), [...rec.t]),
    deleteIfExists(name: string): void {
      check(name);
      delete rec.v[name];
      delete rec.l[name];
      delete rec.m[name];
    },
  };
  const timerValues: TimerValues = { getCurrentProcessingTimeInMs: () => now, getCurrentWatermarkInMs: () => watermarkMs };
  let initialized = false;

  /** Drops expired TTL cells. */
  const purge = (): void => {
    for (const [n, c] of Object.entries(rec.v)) if (!live(c)) delete rec.v[n];
    for (const [n, cs] of Object.entries(rec.l)) {
      const kept = cs.filter(live);
      if (kept.length === 0) delete rec.l[n];
      else rec.l[n] = kept;
    }
    for (const [n, es] of Object.entries(rec.m)) {
      const kept = es.filter(live);
      if (kept.length === 0) delete rec.m[n];
      else rec.m[n] = kept;
    }
  };
  const nextTtlExpiry = (): number => {
    let min = Number.POSITIVE_INFINITY;
    const see = (e: number): void => {
      if (e !== NO_TIMESTAMP && e < min) min = e;
    };
    Object.values(rec.v).forEach((c) => see(c.e));
    Object.values(rec.l).forEach((cs) => cs.forEach((c) => see(c.e)));
    Object.values(rec.m).forEach((es) => es.forEach((c) => see(c.e)));
    return min;
  };

  return (key, values, state) => {
    if (!initialized) {
      initialized = true;
      processor.init(handle, outputMode, timeMode);
    }
    now = state.getCurrentProcessingTimeMs();
    try {
      watermarkMs = state.getCurrentWatermarkMs();
    } catch {
      watermarkMs = NO_TIMESTAMP;
    }
    rec = state.exists ? (state.get() as KeyRecord) : emptyRecord();
    active = true;
    const out: Record<string, unknown>[] = [];
    try {
      if (!state.hasTimedOut) {
        out.push(...processor.handleInputRows(key, values, timerValues));
      } else {
        const threshold = timeMode === "EventTime" ? watermarkMs : now;
        const due = rec.t.filter((t) => t < threshold);
        for (const t of due) {
          rec.t = rec.t.filter((x) => x !== t);
          if (processor.handleExpiredTimer) out.push(...processor.handleExpiredTimer(key, timerValues, { getExpiryTimeInMs: () => t }));
        }
      }
    } finally {
      active = false;
    }
    purge();
    const empty = Object.keys(rec.v).length === 0 && Object.keys(rec.l).length === 0 && Object.keys(rec.m).length === 0 && rec.t.length === 0;
    if (empty) {
      state.remove();
    } else {
      state.update(rec);
      const timerAt = rec.t.length > 0 ? rec.t[0]! : Number.POSITIVE_INFINITY;
      const ttlAt = timeMode === "ProcessingTime" ? nextTtlExpiry() : Number.POSITIVE_INFINITY;
      const at = Math.min(timerAt, ttlAt);
      state.setTimeoutAt(Number.isFinite(at) ? at : NO_TIMESTAMP);
    }
    return out;
  };
}

/** The GroupState timeout a time mode runs with. */
export function timeoutOfTimeMode(timeMode: TimeMode): GroupStateTimeout {
  switch (timeMode) {
    case "None": return "NoTimeout";
    case "ProcessingTime": return "ProcessingTimeTimeout";
    case "EventTime": return "EventTimeTimeout";
    default: throw new IllegalArgumentError("INVALID_TIME_MODE", `The time mode must be None, ProcessingTime or EventTime, not ${JSON.stringify(timeMode)}.`);
  }
}

// ---- a processor on a worker thread ----

/**
 * A processor as data for a worker thread that owns state partitions: its class's source text
 * (none for an object literal), the source of its own function-valued properties, and its other
 * own properties as they are before `init` (cloned).
 */
export interface ShippedProcessor {
  readonly classSource?: string;
  readonly methods: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * `processor` as a ShippedProcessor, or null when it cannot travel: an instance of a class that
 * extends another (the parent is not in its source text), of a function-style constructor, or
 * with a property that is a native function or an object of a class.
 */
export function shippedProcessor(processor: object): ShippedProcessor | null {
  const methods: Record<string, string> = {};
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(processor)) {
    if (typeof v === "function") {
      const src = functionExpressionSource(v as (...args: never[]) => unknown);
      if (src === null) return null;
      methods[k] = src;
    } else if (keepsItsShape(v)) fields[k] = v;
    else return null;
  }
  let copied: Record<string, unknown>;
  try {
    // As they are now: init on the calling thread must not change what the workers start from.
    copied = structuredClone(fields);
  } catch {
    return null;
  }
  const proto = Object.getPrototypeOf(processor) as object | null;
  if (proto === Object.prototype || proto === null) return { methods, fields: copied };
  const ctor = (proto as { constructor?: unknown }).constructor;
  if (typeof ctor !== "function" || Object.getPrototypeOf(proto) !== Object.prototype) return null;
  const classSource = Function.prototype.toString.call(ctor);
  return classSource.startsWith("class") ? { classSource, methods, fields: copied } : null;
}

/**
 * Whether a clone of `v` is the same kind of value: data, not an object of a class (a clone would
 * lose its methods). Nesting deeper than 16 levels (or a cycle) counts as not.
 */
function keepsItsShape(v: unknown, depth = 0): boolean {
  if (v === null || typeof v !== "object") return typeof v !== "symbol";
  if (depth > 16) return false;
  const inner = (x: unknown): boolean => keepsItsShape(x, depth + 1);
  if (ArrayBuffer.isView(v) || v instanceof Date || v instanceof RegExp) return true;
  if (v instanceof Map) return [...(v as Map<unknown, unknown>)].every(([k, x]) => inner(k) && inner(x));
  if (v instanceof Set || Array.isArray(v)) return [...(v as Iterable<unknown>)].every(inner);
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto === Object.prototype || proto === null) && Object.values(v).every(inner);
}

/**
 * The processor rebuilt in this (worker) thread: an object of the class (its constructor is not
 * run: the fields come as they were when the query was built) or a plain object.
 */
export function rebuiltProcessor(shipped: ShippedProcessor, what: string): StatefulProcessor {
  const cls = shipped.classSource === undefined ? null : (evaluateSource(shipped.classSource, what) as { prototype: object });
  const out = Object.create(cls === null ? Object.prototype : cls.prototype) as Record<string, unknown>;
  for (const [k, src] of Object.entries(shipped.methods)) out[k] = evaluateSource(src, what);
  Object.assign(out, shipped.fields);
  return out as unknown as StatefulProcessor;
}