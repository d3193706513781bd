import { IllegalArgumentError, SluiceError } from "../errors/errors.js";
import { parseInterval } from "../types/interval.js";
import type { OutputMode as SinkOutputMode } from "../streaming/sink.js";

/**
 * How groups of `mapGroupsWithState` / `flatMapGroupsWithState` time out (Spark's GroupStateTimeout):
 * - `NoTimeout`: never;
 * - `ProcessingTimeTimeout`: `state.setTimeoutDuration(d)` — the group times out in the first
 *   batch whose timestamp (the query clock's time) is later than the call's batch timestamp + d;
 * - `EventTimeTimeout`: `state.setTimeoutTimestamp(ms)` — the group times out in the first batch
 *   whose watermark is later than `ms` (the query needs a watermark).
 */
export type GroupStateTimeout = "NoTimeout" | "ProcessingTimeTimeout" | "EventTimeTimeout";
export const GroupStateTimeout = Object.freeze({
  NoTimeout: "NoTimeout",
  ProcessingTimeTimeout: "ProcessingTimeTimeout",
  EventTimeTimeout: "EventTimeTimeout",
} as const satisfies Record<GroupStateTimeout, GroupStateTimeout>);

/** The output mode of a `flatMapGroupsWithState` operator (what the query's output mode must fit). */
export type GroupStateOutputMode = "append" | "update";
/** `OutputMode.Append` / `OutputMode.Update` / `OutputMode.Complete`, Spark's spelling of the output modes (the values are the strings). */
export type OutputMode = SinkOutputMode;
export const OutputMode = Object.freeze({ Append: "append", Update: "update", Complete: "complete" } as const satisfies Record<string, SinkOutputMode>);

/** Value meaning "no timeout set". */
export const NO_TIMESTAMP = -1;

/**
 * The state of one key, handed to the user function of `mapGroupsWithState` /
 * `flatMapGroupsWithState` (Spark's GroupState). Changes are kept only if the micro-batch
 * commits: a batch that fails leaves the state as the last committed batch left it.
 *
 * Values are any value the state store encodes (JSON-like values, bigints, Dates, Maps,
 * Uint8Arrays); the state keeps its own copy, so mutating an object after `update` (or the
 * object `get` returned) changes nothing until the next `update`.
 */
export interface GroupState<S = unknown> {
  /** Whether the key has state. */
  readonly exists: boolean;
  /** The state; throws when there is none (see `exists`, `getOption`). */
  get(): S;
  /** The state, or undefined when there is none. */
  getOption(): S | undefined;
  /** Sets the state (null/undefined are refused: use `remove`). */
  update(newState: S): void;
  /** Removes the state (a timeout set in this call is kept). */
  remove(): void;
  /** Whether this call is for a timed-out key (then `values` is empty). */
  readonly hasTimedOut: boolean;
  /** With ProcessingTimeTimeout: time out `duration` ("10 seconds", or ms) after this batch's timestamp unless called again. */
  setTimeoutDuration(duration: string | number): void;
  /** With EventTimeTimeout: time out once the watermark passes `timestampMs` (ms since the epoch, or a Date), optionally plus `additionalDuration`. */
  setTimeoutTimestamp(timestampMs: number | Date, additionalDuration?: string): void;
  /** The timeout set in this call (ms), or undefined. */
  getTimeoutTimestampMs(): number | undefined;
  /** The watermark of this batch (ms); throws when the query has no watermark. */
  getCurrentWatermarkMs(): number;
  /** The batch's timestamp (ms) in a streaming query; the current time in a batch query. */
  getCurrentProcessingTimeMs(): number;
}

/** Misuse of a GroupState (Spark's IllegalArgumentException / UnsupportedOperationException / NoSuchElementException). */
export class GroupStateError extends SluiceError {}

/** How the engine builds a GroupState for one call. */
export interface GroupStateInit {
  readonly exists: boolean;
  readonly value: unknown;
  readonly timeout: GroupStateTimeout;
  /** The batch timestamp (streaming) or NO_TIMESTAMP (batch queries: the current time is used). */
  readonly batchTimestampMs: number;
  readonly watermarkMs: number;
  readonly watermarkPresent: boolean;
  readonly hasTimedOut: boolean;
  /** "mapGroupsWithState" or "flatMapGroupsWithState", for messages. */
  readonly operator: string;
}

const copy = <T>(v: T): T => (v !== null && typeof v === "object" ? structuredClone(v) : v);

/** The engine's GroupState: tracks what the call changed so the operator knows what to write. */
export class GroupStateImpl<S = unknown> implements GroupState<S> {
  private value: unknown;
  private defined: boolean;
  private updatedFlag = false;
  private removedFlag = false;
  private timeoutMs = NO_TIMESTAMP;

  constructor(private readonly init: GroupStateInit) {
    this.defined = init.exists;
    this.value = init.exists ? copy(init.value) : undefined;
  }

  get exists(): boolean {
    return this.defined;
  }
  get hasTimedOut(): boolean {
    return this.init.hasTimedOut;
  }
  get(): S {
    if (!this.defined) throw new GroupStateError("GROUP_STATE_NOT_DEFINED", "The group state is not defined or was removed: check `state.exists` or use `state.getOption()` before `state.get()`.");
    return this.value as S;
  }
  getOption(): S | undefined {
    return this.defined ? (this.value as S) : undefined;
  }
  update(newState: S): void {
    if (newState === null || newState === undefined) throw new GroupStateError("GROUP_STATE_INVALID_VALUE", `${String(newState)} is not a valid group state value; call state.remove() to remove the state.`);
    this.value = copy(newState);
    this.defined = true;
    this.updatedFlag = true;
    this.removedFlag = false;
  }
  remove(): void {
    this.value = undefined;
    this.defined = false;
    this.updatedFlag = false;
    this.removedFlag = true;
  }

  setTimeoutDuration(duration: string | number): void {
    if (this.init.timeout !== "ProcessingTimeTimeout") {
      throw new GroupStateError(
        "GROUP_STATE_TIMEOUT_NOT_ENABLED",
        `Cannot set a timeout duration: ${this.init.operator} was not given GroupStateTimeout.ProcessingTimeTimeout (its timeout is ${this.init.timeout}).`,
      );
    }
    const ms = durationMs(duration);
    if (!(ms > 0)) throw new GroupStateError("GROUP_STATE_INVALID_TIMEOUT", `The timeout duration must be positive, got ${String(duration)}.`);
    // In a batch query, timeouts never fire; the duration is still checked.
    const base = this.init.batchTimestampMs === NO_TIMESTAMP ? Date.now() : this.init.batchTimestampMs;
    this.timeoutMs = base + ms;
  }

  setTimeoutTimestamp(timestampMs: number | Date, additionalDuration?: string): void {
    if (this.init.timeout !== "EventTimeTimeout") {
      throw new GroupStateError(
        "GROUP_STATE_TIMEOUT_NOT_ENABLED",
        `Cannot set a timeout timestamp: ${this.init.operator} was not given GroupStateTimeout.EventTimeTimeout (its timeout is ${this.init.timeout}).`,
      );
    }
    let ms = timestampMs instanceof Date ? timestampMs.getTime() : timestampMs;
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) throw new GroupStateError("GROUP_STATE_INVALID_TIMEOUT", `The timeout timestamp must be a non-negative number of milliseconds, got ${String(timestampMs)}.`);
    if (additionalDuration !== undefined) {
      const extra = durationMs(additionalDuration);
      if (!(extra > 0)) throw new GroupStateError("GROUP_STATE_INVALID_TIMEOUT", `The additional timeout duration must be positive, got ${additionalDuration}.`);
      ms += extra;
    }
    if (this.init.watermarkPresent && this.init.batchTimestampMs !== NO_TIMESTAMP && ms < this.init.watermarkMs) {
      throw new GroupStateError("GROUP_STATE_INVALID_TIMEOUT", `The timeout timestamp (${ms}) cannot be earlier than the current watermark (${this.init.watermarkMs}).`);
    }
    this.timeoutMs = Math.trunc(ms);
  }

  getTimeoutTimestampMs(): number | undefined {
    return this.timeoutMs === NO_TIMESTAMP ? undefined : this.timeoutMs;
  }

  getCurrentWatermarkMs(): number {
    if (!this.init.watermarkPresent) {
      throw new GroupStateError("GROUP_STATE_NO_WATERMARK", `Cannot get the event-time watermark: the query has no watermark before ${this.init.operator} (use withWatermark()).`);
    }
    return this.init.watermarkMs;
  }

  getCurrentProcessingTimeMs(): number {
    return this.init.batchTimestampMs === NO_TIMESTAMP ? Date.now() : this.init.batchTimestampMs;
  }

  // ---- for the operator ----
  /** Engine-internal (transformWithState timers): the timeout as an absolute time, NO_TIMESTAMP for none, unchecked. */
  setTimeoutAt(ms: number): void {
    this.timeoutMs = ms;
  }
  get isUpdated(): boolean {
    return this.updatedFlag;
  }
  get isRemoved(): boolean {
    return this.removedFlag;
  }
  /** The timeout this call set (NO_TIMESTAMP if none). */
  get timeoutTimestamp(): number {
    return this.timeoutMs;
  }
  get stateValue(): unknown {
    return this.value;
  }

  toString(): string {
    return `GroupState(${this.defined ? JSON.stringify(this.value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)) : "<undefined>"})`;
  }
}

/** A duration as "10 seconds" / "1 minute" / INTERVAL text, or milliseconds; months and years are refused. */
function durationMs(d: string | number): number {
  if (typeof d === "number") {
    if (!Number.isFinite(d)) throw new GroupStateError("GROUP_STATE_INVALID_TIMEOUT", `The timeout duration must be a finite number of milliseconds, got ${d}.`);
    return d;
  }
  let i;
  try {
    i = parseInterval(d, "timeout duration");
  } catch (e) {
    if (e instanceof IllegalArgumentError) throw new GroupStateError("GROUP_STATE_INVALID_TIMEOUT", e.message, { cause: e });
    throw e;
  }
  if (i.months !== 0) throw new GroupStateError("GROUP_STATE_INVALID_TIMEOUT", `The timeout duration '${d}' cannot use months or years (their length varies).`);
  return Math.trunc((i.days * 86_400_000_000 + i.micros) / 1000);
}
