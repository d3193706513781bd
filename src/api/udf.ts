import { ExecutionError, IllegalArgumentError } from "../errors/errors.js";
import { Expr as E } from "../expr/expression.js";
import type { Accumulator, AggregateFunctionDef, RowFn, ScalarFunctionDef } from "../expr/function-def.js";
import { registerFunction } from "../expr/function-registry.js";
import { functionExpressionSource, recordUdfSource, recordUserFunction, udfSourceOf } from "../expr/udf-source.js";
import type { DataType } from "../types/data-type.js";
import { parseDataTypeDDL } from "../types/ddl.js";
import { toExternal, toInternal } from "../types/values.js";
import { Column, colExpr } from "./column.js";

/** A TypeScript function usable as a column expression: `myUdf(col("a"), "b")`. */
export interface UserDefinedFunction<R = unknown> {
  (...cols: (Column | string)[]): Column<R>;
  readonly def: ScalarFunctionDef | AggregateFunctionDef;
  readonly name: string;
}

let counter = 0;
const typeOf = (t: string | DataType): DataType => (typeof t === "string" ? parseDataTypeDDL(t) : t);

/** Types whose row values are their internal values (toExternal leaves them as they are). */
const SAME_OUTSIDE: ReadonlySet<string> = new Set(["null", "boolean", "byte", "short", "int", "long", "float", "double", "string", "binary", "interval"]);

function udfFailed(name: string, cause: unknown): ExecutionError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new ExecutionError("FAILED_EXECUTE_UDF", `[FAILED_EXECUTE_UDF] User defined function (${name}) failed: ${why}`, { cause });
}

/**
 * A scalar user-defined function. Arguments arrive as row values (Date for timestamps, numbers,
 * strings, null for nulls); the result is converted to `returnType` (DDL such as "double" or
 * "array<string>"). A throwing function fails the query with FAILED_EXECUTE_UDF and the cause.
 *
 * @example
 * const slug = udf((s: string | null) => s?.toLowerCase().replace(/\W+/g, "-") ?? null, "string");
 * df.select(slug(col("title")).alias("slug"));
 */
export function udf<R>(fn: (...args: never[]) => R, returnType: string | DataType = "string", options: { name?: string; deterministic?: boolean } = {}): UserDefinedFunction<R> {
  const name = options.name ?? (fn.name && fn.name !== "anonymous" ? fn.name : `udf${++counter}`);
  const rt = typeOf(returnType);
  const call = fn as unknown as (...args: unknown[]) => unknown;
  const def: ScalarFunctionDef = {
    type: "scalar",
    name,
    minArgs: 0,
    maxArgs: Infinity,
    nullSafe: true,
    deterministic: options.deterministic ?? true,
    resolve: (args) => ({ inputTypes: args.map(() => null), dataType: rt }),
    compile: (sig, ctx): RowFn => {
      const argTypes = sig.argTypes, where = `the result of ${name}`, tz = ctx.timeZone;
      const result = (out: unknown): unknown => {
        try {
          return toInternal(out, rt, where, tz);
        } catch (e) {
          throw udfFailed(name, e);
        }
      };
      const invoke = (args: unknown[]): unknown => {
        try {
          return call(...args);
        } catch (e) {
          throw udfFailed(name, e);
        }
      };
      // Numbers, strings and booleans reach the function as they are stored: no conversion, and
      // for one or two arguments no array per row.
      if (argTypes.every((t) => SAME_OUTSIDE.has(t.kind))) {
        if (argTypes.length === 1) {
          return ((a: unknown) => {
            let out: unknown;
            try { out = call(a); } catch (e) { throw udfFailed(name, e); }
            return result(out);
          }) as RowFn;
        }
        if (argTypes.length === 2) {
          return ((a: unknown, b: unknown) => {
            let out: unknown;
            try { out = call(a, b); } catch (e) { throw udfFailed(name, e); }
            return result(out);
          }) as RowFn;
        }
      }
      return ((...vals: unknown[]) => result(invoke(vals.map((v, i) => toExternal(v, argTypes[i]!))))) as RowFn;
    },
  };
  const source = functionExpressionSource(fn);
  if (source !== null) recordUdfSource(def, { kind: "udf", name, source, returnType: rt, deterministic: options.deterministic ?? true });
  return makeUdf(name, def);
}

/** An aggregation written in TypeScript, as Spark's Aggregator: zero, reduce, merge, finish. */
export interface UserAggregator<B, R> {
  zero(): B;
  reduce(buffer: B, ...values: never[]): B;
  merge(a: B, b: B): B;
  finish(buffer: B): R;
}

/**
 * A user-defined aggregate function. Buffers must be JSON-serializable (streaming state keeps
 * them in checkpoints); input values arrive as row values; rows with a null argument are skipped
 * unless `skipNulls: false`.
 *
 * @example
 * const geoMean = udaf({ zero: () => ({ s: 0, n: 0 }), reduce: (b, x: number) => ({ s: b.s + Math.log(x), n: b.n + 1 }),
 *   merge: (a, b) => ({ s: a.s + b.s, n: a.n + b.n }), finish: (b) => (b.n ? Math.exp(b.s / b.n) : null) }, "double");
 */
export function udaf<B, R>(agg: UserAggregator<B, R>, returnType: string | DataType, options: { name?: string; skipNulls?: boolean } = {}): UserDefinedFunction<R> {
  const name = options.name ?? `udaf${++counter}`;
  const rt = typeOf(returnType);
  const reduce = agg.reduce as unknown as (b: B, ...v: unknown[]) => B;
  const guard = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw udfFailed(name, e);
    }
  };
  const def: AggregateFunctionDef = {
    type: "aggregate",
    name,
    minArgs: 0,
    maxArgs: Infinity,
    skipNulls: options.skipNulls ?? true,
    resolve: (args) => ({ inputTypes: args.map(() => null), dataType: rt }),
    compile: (sig, ctx): Accumulator => {
      const argTypes = sig.argTypes;
      const acc: Accumulator<B> = {
        init: () => guard(() => agg.zero()),
        update: ((b: B, ...vals: unknown[]) => guard(() => reduce(b, ...vals.map((v, i) => toExternal(v, argTypes[i]!))))) as Accumulator<B>["update"],
        merge: (a, b) => guard(() => agg.merge(a, b)),
        finish: (b) => toInternal(guard(() => agg.finish(b)), rt, `the result of ${name}`, ctx.timeZone),
        serialize: (b) => JSON.parse(JSON.stringify(b)) as unknown,
        deserialize: (j) => j as B,
      };
      return acc as Accumulator;
    },
  };
  const parts = (["zero", "reduce", "merge", "finish"] as const).map((k) => functionExpressionSource(agg[k] as (...args: never[]) => unknown));
  if (parts.every((x) => x !== null)) {
    const source = `{ zero: ${parts[0]}, reduce: ${parts[1]}, merge: ${parts[2]}, finish: ${parts[3]} }`;
    recordUdfSource(def, { kind: "udaf", name, source, returnType: rt, skipNulls: options.skipNulls ?? true });
  }
  return makeUdf(name, def);
}

function makeUdf<R>(name: string, def: ScalarFunctionDef | AggregateFunctionDef): UserDefinedFunction<R> {
  const f = (...cols: (Column | string)[]): Column<R> => new Column<R>(E.fn(name, cols.map(colExpr)));
  // Calls resolve by name through the registry, so the definition is registered (process-wide).
  registerFunction(def);
  recordUserFunction(def);
  return Object.assign(f, { def }) as unknown as UserDefinedFunction<R>;
}

/** `spark.udf`: registers functions for SQL text. */
export class UDFRegistration {
  /** Registers `fn` (or an existing udf/udaf) under `name` for use in spark.sql. */
  register<R>(name: string, fn: UserDefinedFunction<R> | ((...args: never[]) => R), returnType: string | DataType = "string"): UserDefinedFunction<R> {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new IllegalArgumentError("INVALID_FUNCTION_NAME", `'${name}' is not a valid function name (letters, digits and _, not starting with a digit).`);
    if ("def" in fn) {
      const def = { ...fn.def, name } as ScalarFunctionDef | AggregateFunctionDef;
      const source = udfSourceOf(fn.def);
      if (source) recordUdfSource(def, { ...source, name });
      return makeUdf(name, def);
    }
    return udf(fn, returnType, { name });
  }
}
