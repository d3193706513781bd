import type { DataType } from "../types/data-type.js";
import type { Expr } from "./expression.js";

/** What the analyzer knows about one argument when it resolves a function call. */
export interface ArgInfo {
  readonly dataType: DataType;
  readonly nullable: boolean;
  /** True when the argument is a constant; then `value` holds its internal value. */
  readonly foldable: boolean;
  readonly value?: unknown;
  /** The argument's column name when it is a column, alias or field access (struct() names its fields with it). */
  readonly name?: string;
}

/** Session settings that functions may depend on. */
export interface FunctionContext {
  /** IANA zone name or offset, from `sluice.sql.session.timeZone` (default "UTC"). */
  readonly timeZone: string;
  /** `sluice.sql.ansi.enabled`: errors instead of nulls for invalid casts, overflow, bad indexes. */
  readonly ansi: boolean;
}

/** Run-time context handed to implementations when the query is compiled. */
export interface ExecFunctionContext extends FunctionContext {
  /** current_timestamp() of this query (or micro-batch): one value for all rows, as in Spark. */
  readonly currentTimestampMicros: number;
}

/**
 * The outcome of resolving a call: the types the arguments must be cast to (the analyzer inserts
 * the casts; `null` keeps an argument as it is), the result type, and optional compile-time
 * `state` (a parsed pattern, a field list) handed to `compile`.
 */
export interface Signature {
  readonly inputTypes: readonly (DataType | null)[];
  readonly dataType: DataType;
  /** Whether the result can be null even when no argument is; defaults to true. */
  readonly nullable?: boolean;
  readonly state?: unknown;
  /** For a higher-order function: for each argument that is a lambda, the types of its parameters. */
  readonly lambdaParams?: readonly (readonly DataType[] | null)[];
}

/** Compiled signature, passed back to `compile`. */
export interface BoundSignature extends Signature {
  readonly argTypes: readonly DataType[];
}

/**
 * A row-level implementation over internal values (see types/data-type.ts). Unless the function
 * is `nullSafe`, it is never called with a null argument: the call yields null when any argument
 * is null. Return null for a null result. A lambda argument arrives as a JS function over
 * internal values.
 */
export type RowFn = (...args: never[]) => unknown;

export interface ScalarFunctionDef {
  readonly type: "scalar";
  /** Canonical lower-case SQL name. */
  readonly name: string;
  readonly aliases?: readonly string[];
  /** Smallest and largest number of arguments (Infinity for variadic). */
  readonly minArgs: number;
  readonly maxArgs: number;
  /** Checks argument types and decides the signature; throws AnalysisError naming the function and the argument. */
  resolve(args: readonly ArgInfo[], ctx: FunctionContext): Signature;
  /** Called once per compiled query: returns the per-row implementation. */
  compile(sig: BoundSignature, ctx: ExecFunctionContext): RowFn;
  /** Receives null arguments instead of short-circuiting to null (coalesce, concat_ws, ...). */
  readonly nullSafe?: boolean;
  /** False for rand(), uuid(), ...: never constant-folded or deduplicated. Default true. */
  readonly deterministic?: boolean;
  /**
   * When `compile` reads the query's time (current_timestamp()): always, or only when called
   * without arguments (unix_timestamp()). Code compiled for one micro-batch is then not reused for
   * the next (see expr/query-time.ts).
   */
  readonly readsQueryTime?: true | "withoutArguments";
  /** A one-line description for `DESCRIBE FUNCTION` and docs. */
  readonly doc?: string;
  /** Ranking and offset functions (row_number, lag, ...) valid only in an OVER clause; the window operator evaluates them. */
  readonly windowOnly?: boolean;
  /**
   * A JS expression over the arguments' (non-null) values for the generated loop, instead of a
   * call to `compile`'s function, for these argument expressions; null where it has none. The
   * result must be what the function returns for the same values, and never null.
   */
  inline?(args: readonly Expr[]): ((values: readonly string[]) => string) | null;
}

/**
 * An aggregate's buffer operations. Buffers may be any JS value, but must survive
 * `serialize` -> JSON -> `deserialize` so that streaming state can be checkpointed, and
 * `merge` must be associative and commutative (partial aggregation across partitions and batches).
 */
export interface Accumulator<S = unknown> {
  init(): S;
  /** Adds one row's argument values; returns the (possibly new) buffer. */
  update(buf: S, ...args: never[]): S;
  merge(a: S, b: S): S;
  /** The result as an internal value (or null). */
  finish(buf: S): unknown;
  serialize(buf: S): unknown;
  deserialize(json: unknown): S;
}

export interface AggregateFunctionDef {
  readonly type: "aggregate";
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly minArgs: number;
  readonly maxArgs: number;
  resolve(args: readonly ArgInfo[], ctx: FunctionContext): Signature;
  compile(sig: BoundSignature, ctx: ExecFunctionContext): Accumulator;
  /**
   * When true (the default, as for most SQL aggregates), rows where any argument is null are not
   * passed to update. count(*) has no arguments; first/last with ignoreNulls=false set this false.
   */
  readonly skipNulls?: boolean;
  readonly doc?: string;
}

export type FunctionDef = ScalarFunctionDef | AggregateFunctionDef;
