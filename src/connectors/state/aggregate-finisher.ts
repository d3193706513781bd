import "../../expr/builtins.js";
import type { Expr } from "../../expr/expression.js";
import type { Accumulator, AggregateFunctionDef, ArgInfo, ExecFunctionContext, Signature } from "../../expr/function-def.js";
import { lookupFunction } from "../../expr/function-registry.js";
import { parseExpression } from "../../sql/index.js";
import {
  BinaryType, BooleanType, ByteType, type DataType, DateType, DoubleType, FloatType, IntegerType, LongType, ShortType, StringType, TimestampType,
  decimalType, sqlTypeName,
} from "../../types/data-type.js";

/**
 * Turns the aggregate buffers a streaming aggregation keeps in state back into the values the
 * query would output (a count's buffer into the count, an avg's (sum, count) into the average).
 *
 * The checkpoint's operator metadata records each aggregate by its SQL (`count(1)`, `sum(n)`,
 * `percentile_approx(x, 0.5, 10000)`) and result type, not the argument types its accumulator was
 * compiled for. So the call is parsed, the function looked up, and its argument types
 * reconstructed: literals keep theirs; for a column argument the candidate types are tried in turn
 * until the function resolves to the recorded result type. Every built-in aggregate's buffer
 * layout depends only on the resolved signature (sum of integers is kept as BIGINT whatever the
 * input width, avg of non-decimals as DOUBLE), so the first candidate that resolves to the
 * recorded type gives the same accumulator the query used.
 *
 * When that fails (an unknown function, an argument list that does not parse), the caller shows
 * the raw buffer instead: see {@link AggregateFinisher.ok}.
 */
export interface AggregateFinisher {
  /** The SQL of the call as recorded, e.g. `count(1)`. */
  readonly name: string;
  /** The recorded result type. */
  readonly dataType: DataType;
  /** Whether the buffer can be finished; when false, `reason` says why and `finish` must not be called. */
  readonly ok: boolean;
  readonly reason?: string;
  /** The stored (serialized) buffer to the aggregate's result, as an internal value. */
  finish(stored: unknown): unknown;
}

const FCTX: ExecFunctionContext = { timeZone: "UTC", ansi: false, currentTimestampMicros: 0 };

const BASE_CANDIDATES: readonly DataType[] = [LongType, IntegerType, DoubleType, StringType, TimestampType, DateType, BooleanType, FloatType, ShortType, ByteType, BinaryType];

/** Candidate argument types for a column argument of an aggregate whose result type is `result`. */
function candidatesFor(result: DataType): DataType[] {
  const out: DataType[] = [result];
  if (result.kind === "array") out.push(result.elementType);
  if (result.kind === "decimal") {
    // sum: p+10; avg: p+4, s+4 (see sum.ts, avg.ts).
    if (result.precision - 10 >= 1) out.push(decimalType(result.precision - 10, result.scale));
    if (result.precision - 4 >= 1 && result.scale - 4 >= 0) out.push(decimalType(result.precision - 4, result.scale - 4));
    for (let p = result.precision; p >= Math.max(1, result.scale); p--) out.push(decimalType(p, result.scale));
  }
  out.push(...BASE_CANDIDATES);
  const seen = new Set<string>();
  return out.filter((t) => {
    const k = sqlTypeName(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function argOptions(e: Expr, result: DataType): ArgInfo[] {
  if (e.kind === "Literal") return [{ dataType: e.dataType, nullable: e.value === null, foldable: true, value: e.value }];
  if (e.kind === "Cast") return [{ dataType: e.to, nullable: true, foldable: false }];
  const name = e.kind === "UnresolvedColumn" ? e.nameParts[e.nameParts.length - 1] : undefined;
  return candidatesFor(result).map((t) => ({ dataType: t, nullable: true, foldable: false, ...(name !== undefined ? { name } : {}) }));
}

/** Every combination of the options (at most `limit`), first options first. */
function* combinations(options: readonly ArgInfo[][], limit: number): Generator<ArgInfo[]> {
  let n = 0;
  const rec = function* (i: number, acc: ArgInfo[]): Generator<ArgInfo[]> {
    if (n >= limit) return;
    if (i === options.length) {
      n++;
      yield [...acc];
      return;
    }
    for (const o of options[i]!) {
      acc.push(o);
      yield* rec(i + 1, acc);
      acc.pop();
    }
  };
  yield* rec(0, []);
}

function unfinishable(name: string, dataType: DataType, reason: string): AggregateFinisher {
  return {
    name,
    dataType,
    ok: false,
    reason,
    finish: () => {
      throw new Error(`internal error: the aggregate ${name} cannot be finished (${reason})`);
    },
  };
}

/** A finisher for the aggregate recorded as `name` with result type `dataType`. */
export function aggregateFinisher(name: string, dataType: DataType): AggregateFinisher {
  let call: Expr;
  try {
    call = parseExpression(name);
  } catch {
    return unfinishable(name, dataType, "its SQL does not parse");
  }
  if (call.kind !== "UnresolvedFunction") return unfinishable(name, dataType, "it is not a function call");
  const def = lookupFunction(call.name);
  if (def === undefined || def.type !== "aggregate") return unfinishable(name, dataType, `${call.name} is not a built-in aggregate function`);
  const want = sqlTypeName(dataType);
  const options = call.args.map((a) => argOptions(a, dataType));
  for (const args of combinations(options, 2000)) {
    let sig: Signature;
    try {
      sig = def.resolve(args, FCTX);
    } catch {
      continue;
    }
    if (sqlTypeName(sig.dataType) !== want) continue;
    let acc: Accumulator;
    try {
      acc = compile(def, sig, args);
    } catch {
      continue;
    }
    return {
      name,
      dataType,
      ok: true,
      finish: (stored) => acc.finish(acc.deserialize(stored)),
    };
  }
  return unfinishable(name, dataType, `no argument types make ${call.name} return ${want}`);
}

function compile(def: AggregateFunctionDef, sig: Signature, args: readonly ArgInfo[]): Accumulator {
  const argTypes = args.map((a, i) => sig.inputTypes[i] ?? a.dataType);
  return def.compile({ ...sig, inputTypes: argTypes, argTypes }, FCTX);
}
