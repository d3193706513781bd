import { IllegalArgumentError } from "../errors/errors.js";
import { Expr as E } from "../expr/expression.js";
import { Plan } from "../plan/logical-plan.js";
import { type GroupStateSpec, mapGroupsFunction } from "../physical/stateful/flat-map-groups-with-state-exec.js";
import { functionExpressionSource } from "../expr/udf-source.js";
import { parseSchemaDDL } from "../types/ddl.js";
import type { DdlRow } from "../types/ddl-row-type.js";
import type { StructType } from "../types/data-type.js";
import type { UnknownRow } from "../types/row-type.js";
import type { DataFrame } from "./dataframe.js";
import { type GroupState, GroupStateImpl, type GroupStateOutputMode, type GroupStateTimeout } from "./group-state.js";
import { type ShippedProcessor, type StatefulProcessor, type TimeMode, processorFunction, shippedProcessor, timeoutOfTimeMode } from "./transform-with-state.js";

/** The user function of flatMapGroupsWithState: the key, its rows in this batch (none for a timeout call), its state. */
export type FlatMapGroupsWithStateFunction<K, Row, S, Out> = (key: K, values: Iterable<Row>, state: GroupState<S>) => Iterable<Out>;
/** The user function of mapGroupsWithState: one output row per call. */
export type MapGroupsWithStateFunction<K, Row, S, Out> = (key: K, values: Iterable<Row>, state: GroupState<S>) => Out;

const TIMEOUTS: readonly GroupStateTimeout[] = ["NoTimeout", "ProcessingTimeTimeout", "EventTimeTimeout"];

/**
 * The result of `df.groupByKey(keyFn)` (Spark's KeyValueGroupedDataset): rows grouped by a key
 * computed in TypeScript. The key is any JSON-like value (strings, numbers, bigints, booleans,
 * Dates, arrays and plain objects of those); equal keys (objects compared by content) form one group.
 *
 * @example
 * const sessions = events.groupByKey((r) => r.user).flatMapGroupsWithState(
 *   "update", "ProcessingTimeTimeout",
 *   (user, rows, state: GroupState<number>) => {
 *     if (state.hasTimedOut) { const n = state.get(); state.remove(); return [{ user, events: n, expired: true }]; }
 *     const n = (state.getOption() ?? 0) + [...rows].length;
 *     state.update(n);
 *     state.setTimeoutDuration("10 seconds");
 *     return [{ user, events: n, expired: false }];
 *   },
 *   "user STRING, events INT, expired BOOLEAN");
 */
export class KeyValueGroupedDataset<K = unknown, Row = UnknownRow> {
  constructor(
    readonly df: DataFrame<UnknownRow>,
    /** Bivariant in Row (a method signature), so DataFrame<Specific> still passes where DataFrame<UnknownRow> is expected. */
    readonly keyFn: { bivariant(row: Row): K }["bivariant"],
  ) {}

  /**
   * Calls `fn` for each key with its rows and its state, keeping state across micro-batches,
   * and returns whatever rows the calls return. `outputMode` ("append" | "update") says how the
   * operator's output may be used (the query's output mode must match unless an aggregation
   * follows); `timeout` says whether and how keys time out (see {@link GroupStateTimeout}).
   */
  flatMapGroupsWithState<S = unknown, const D extends string = string>(
    outputMode: GroupStateOutputMode,
    timeout: GroupStateTimeout,
    fn: FlatMapGroupsWithStateFunction<K, Row, S, Readonly<Record<string, unknown>>>,
    outputSchema: D | StructType,
  ): DataFrame<string extends D ? UnknownRow : DdlRow<D>> {
    if (outputMode !== "append" && outputMode !== "update") {
      throw new IllegalArgumentError("INVALID_OUTPUT_MODE", `flatMapGroupsWithState supports the output modes "append" and "update", not ${JSON.stringify(outputMode)}.`);
    }
    return this.build(outputMode, timeout, fn as GroupStateSpec["fn"], outputSchema, false, fn.name, undefined, fn) as DataFrame<string extends D ? UnknownRow : DdlRow<D>>;
  }

  /** Like flatMapGroupsWithState in update mode, with exactly one output row per call. */
  mapGroupsWithState<S = unknown, const D extends string = string>(
    timeout: GroupStateTimeout,
    fn: MapGroupsWithStateFunction<K, Row, S, Readonly<Record<string, unknown>>>,
    outputSchema: D | StructType,
  ): DataFrame<string extends D ? UnknownRow : DdlRow<D>> {
    const wrapped = mapGroupsFunction(fn as unknown as (key: unknown, values: Iterable<Record<string, unknown>>, state: GroupStateImpl) => unknown);
    return this.build("update", timeout, wrapped, outputSchema, true, fn.name, undefined, fn) as DataFrame<string extends D ? UnknownRow : DdlRow<D>>;
  }

  /**
   * Runs a {@link StatefulProcessor} per key (Spark 4's transformWithState): named value, list
   * and map state variables with optional TTL, and timers in the given time mode. See
   * api/transform-with-state.ts.
   */
  transformWithState<const D extends string = string>(
    processor: StatefulProcessor<K, Row, Readonly<Record<string, unknown>>>,
    timeMode: TimeMode,
    outputMode: GroupStateOutputMode,
    outputSchema: D | StructType,
  ): DataFrame<string extends D ? UnknownRow : DdlRow<D>> {
    if (outputMode !== "append" && outputMode !== "update") {
      throw new IllegalArgumentError("INVALID_OUTPUT_MODE", `transformWithState supports the output modes "append" and "update", not ${JSON.stringify(outputMode)}.`);
    }
    const timeout = timeoutOfTimeMode(timeMode);
    const fn = processorFunction(processor as unknown as StatefulProcessor, outputMode, timeMode);
    const ctor = (processor as object).constructor;
    const name = ctor !== undefined && ctor !== Object && ctor.name !== "" ? ctor.name : "StatefulProcessor";
    const shipped = shippedProcessor(processor);
    return this.build(outputMode, timeout, fn, outputSchema, false, name, "transformWithState", shipped === null ? undefined : { processor: shipped, timeMode }) as DataFrame<string extends D ? UnknownRow : DdlRow<D>>;
  }

  /**
   * `user`: what travels to worker threads, as source text: the function as the user gave it, or
   * transformWithState's processor (none: the operator stays on the calling thread).
   */
  private build(outputMode: GroupStateOutputMode, timeout: GroupStateTimeout, fn: GroupStateSpec["fn"], outputSchema: string | StructType, isMapGroups: boolean, name: string, apiName?: string, user?: ((...args: never[]) => unknown) | { readonly processor: ShippedProcessor; readonly timeMode: TimeMode }): DataFrame {
    if (!TIMEOUTS.includes(timeout)) {
      throw new IllegalArgumentError("INVALID_GROUP_STATE_TIMEOUT", `The timeout must be one of ${TIMEOUTS.join(", ")}, not ${JSON.stringify(timeout)}.`);
    }
    if (typeof fn !== "function") throw new IllegalArgumentError("INVALID_ARGUMENT", `${isMapGroups ? "mapGroupsWithState" : "flatMapGroupsWithState"} needs a function.`);
    const schema = typeof outputSchema === "string" ? parseSchemaDDL(outputSchema) : outputSchema;
    const output = schema.fields.map((f) => E.attr(f.name, f.dataType, f.nullable));
    const keySource = functionExpressionSource(this.keyFn as unknown as (...args: never[]) => unknown);
    const fnSource = user === undefined ? null : typeof user === "function" ? functionExpressionSource(user) : user;
    const spec: GroupStateSpec = {
      keyFn: this.keyFn as unknown as GroupStateSpec["keyFn"],
      fn,
      outputMode,
      timeout,
      isMapGroups,
      functionName: name === "" ? "<anonymous>" : name,
      ...(apiName !== undefined ? { apiName } : {}),
      ...(keySource !== null && fnSource !== null ? { sources: typeof fnSource === "string" ? { keyFn: keySource, fn: fnSource } : { keyFn: keySource, ...fnSource } } : {}),
    };
    const Frame = this.df.constructor as new (session: DataFrame["session"], plan: DataFrame["plan"]) => DataFrame;
    return new Frame(this.df.session, Plan.flatMapGroupsWithState(spec, output, this.df.plan));
  }
}

export { GroupStateImpl };
