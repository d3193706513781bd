import { type Vector, VectorBuilder, makeVector, valueAt } from "../../batch/vector.js";
import type { AggCall } from "../../expr/expression.js";
import type { Accumulator, ExecFunctionContext } from "../../expr/function-def.js";
import { exprType } from "../../expr/expr-type.js";
import { valueKey } from "../../expr/aggregates/collect.js";
import type { DataType } from "../../types/data-type.js";
import { type Long, normalizeLong } from "../../types/long.js";
import { boundSignature } from "../../expr/bound-signature.js";

/**
 * The running state of one aggregate function across all groups. `update` consumes a batch
 * column-wise: `gids[i]` is row i's group, `args` the evaluated argument vectors and `filter`
 * the FILTER (WHERE ...) vector when present.
 */
export interface AggSlot {
  update(gids: Int32Array, n: number, args: readonly Vector[], filter: Vector | null): void;
  /** Results for groups 0..groupCount-1. */
  result(groupCount: number): Vector;
  /** Buffers as JSON-safe values (for streaming state), one per group. */
  buffers?(groupCount: number): unknown[];
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function grow(a: Float64Array, need: number, fill = 0): Float64Array {
  if (need <= a.length) return a;
  const b = new Float64Array(Math.max(need, a.length * 2));
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

function passes(filter: Vector | null, i: number): boolean {
  return filter === null || (filter.values[i] === 1 && (filter.nulls === null || filter.nulls[i] !== 1));
}

/** count(*) and count(x): a counter per group. */
class CountSlot implements AggSlot {
  private counts: Float64Array = new Float64Array(1024);
  update(gids: Int32Array, n: number, args: readonly Vector[], filter: Vector | null): void {
    let c = this.counts;
    const nullsOf = args.map((a) => a.nulls).filter((x): x is Uint8Array => x !== null);
    for (let i = 0; i < n; i++) {
      const g = gids[i]!;
      if (g >= c.length) c = this.counts = grow(c, g + 1);
      if (filter !== null && !passes(filter, i)) continue;
      let skip = false;
      for (const nl of nullsOf) if (nl[i] === 1) { skip = true; break; }
      if (!skip) c[g]! += 1;
    }
  }
  result(groupCount: number): Vector {
    const c = grow(this.counts, groupCount);
    return makeVector({ kind: "long" }, groupCount, c.slice(0, groupCount), null);
  }
}

/** sum/avg/min/max over doubles, floats and integers; exact for integer sums beyond 2^53. */
class NumericSlot implements AggSlot {
  private acc: Float64Array = new Float64Array(1024);
  private seen: Float64Array = new Float64Array(1024);
  private big: Map<number, bigint> | null = null;
  constructor(
    private readonly fn: "sum" | "avg" | "min" | "max",
    private readonly resultType: DataType,
    private readonly integral: boolean,
  ) {}
  update(gids: Int32Array, n: number, args: readonly Vector[], filter: Vector | null): void {
    const v = args[0]!;
    const vals = v.values as Float64Array, nulls = v.nulls;
    let acc = this.acc, seen = this.seen;
    const fn = this.fn;
    for (let i = 0; i < n; i++) {
      const g = gids[i]!;
      if (g >= acc.length) {
        acc = this.acc = grow(acc, g + 1);
        seen = this.seen = grow(seen, g + 1);
      }
      if ((nulls !== null && nulls[i] === 1) || (filter !== null && !passes(filter, i))) continue;
      const x = vals[i]!;
      if (fn === "sum" || fn === "avg") {
        if (this.integral && this.big !== null && this.big.has(g)) {
          this.big.set(g, this.big.get(g)! + BigInt(x as number | bigint));
        } else if (typeof x === "bigint" || (this.integral && Math.abs(acc[g]! + x) > MAX_SAFE)) {
          this.big ??= new Map();
          this.big.set(g, BigInt(acc[g]!) + BigInt(x));
        } else acc[g]! += x;
      } else if (seen[g] === 0) acc[g] = x;
      else {
        // Spark orders NaN above every number: max takes it, min leaves it behind.
        const a = acc[g]!;
        if (fn === "max" ? x !== x || (a === a && x > a) : x === x && (a !== a || x < a)) acc[g] = x;
      }
      seen[g]! += 1;
    }
  }
  result(groupCount: number): Vector {
    const acc = grow(this.acc, groupCount), seen = grow(this.seen, groupCount);
    const b = new VectorBuilder(this.resultType, groupCount);
    for (let g = 0; g < groupCount; g++) {
      if (seen[g] === 0) { b.append(null); continue; }
      const big = this.big?.get(g);
      if (this.fn === "avg") b.append(big !== undefined ? Number(big) / seen[g]! : acc[g]! / seen[g]!);
      else if (this.fn === "sum" && this.integral) b.append(big !== undefined ? integralSumResult(big, this.resultType) : acc[g]!);
      else b.append(this.resultType.kind === "float" ? Math.fround(acc[g]!) : acc[g]!);
    }
    return b.finish();
  }
}

/** Any aggregate through its Accumulator (the general path, and the one streaming state uses). */
class GenericSlot implements AggSlot {
  private bufs: unknown[] = [];
  private distinct: Set<unknown>[] | null;
  private readonly keyOf: ((v: unknown) => unknown)[];
  constructor(
    private readonly acc: Accumulator,
    private readonly resultType: DataType,
    private readonly skipNulls: boolean,
    isDistinct: boolean,
    argTypes: readonly DataType[],
  ) {
    this.distinct = isDistinct ? [] : null;
    this.keyOf = argTypes.map((t) => valueKey(t));
  }
  update(gids: Int32Array, n: number, args: readonly Vector[], filter: Vector | null): void {
    const k = args.length;
    const vals = new Array<unknown>(k);
    const update = this.acc.update as (buf: unknown, ...a: unknown[]) => unknown;
    for (let i = 0; i < n; i++) {
      if (filter !== null && !passes(filter, i)) continue;
      let anyNull = false;
      for (let j = 0; j < k; j++) {
        const v = valueAt(args[j]!, i);
        if (v === null) anyNull = true;
        vals[j] = v;
      }
      const g = gids[i]!;
      while (this.bufs.length <= g) this.bufs.push(this.acc.init());
      if (anyNull && this.skipNulls) continue;
      if (this.distinct !== null) {
        const set = (this.distinct[g] ??= new Set());
        const key = k === 1 ? this.keyOf[0]!(vals[0]) : JSON.stringify(vals.map((v, j) => this.keyOf[j]!(v)), (_key, x: unknown) => (typeof x === "bigint" ? `${x}n` : x));
        if (set.has(key)) continue;
        set.add(key);
      }
      this.bufs[g] = k === 0 ? update(this.bufs[g]) : k === 1 ? update(this.bufs[g], vals[0]) : update(this.bufs[g], ...vals);
    }
  }
  result(groupCount: number): Vector {
    const b = new VectorBuilder(this.resultType, groupCount);
    for (let g = 0; g < groupCount; g++) b.append(this.acc.finish(g < this.bufs.length ? this.bufs[g] : this.acc.init()));
    return b.finish();
  }
  buffers(groupCount: number): unknown[] {
    const out: unknown[] = [];
    for (let g = 0; g < groupCount; g++) out.push(this.acc.serialize(g < this.bufs.length ? this.bufs[g] : this.acc.init()));
    return out;
  }
}

const FAST_NUMERIC = new Set(["byte", "short", "int", "long", "float", "double"]);

/** How a sum/avg/min/max runs on Float64Array accumulators, when it can. */
export interface NumericSpec {
  readonly fn: "sum" | "avg" | "min" | "max";
  /** The argument is an integer type (sums are exact beyond 2^53 through bigints). */
  readonly integral: boolean;
}

/** count(*) / count(x) without DISTINCT: a counter per group. */
export function isSimpleCount(call: AggCall): boolean {
  return !call.distinct && call.fn.name === "count" && !call.ignoreNulls;
}

/** Whether `call` runs as a numeric slot (and how), or null for the general path. */
export function numericSpec(call: AggCall, fctx: ExecFunctionContext, longMinMax = false): NumericSpec | null {
  const name = call.fn.name;
  if (call.distinct || call.args.length !== 1 || !(name === "sum" || name === "avg" || name === "min" || name === "max")) return null;
  const argType = exprType(call.args[0]!);
  if (!FAST_NUMERIC.has(argType.kind)) return null;
  const integral = argType.kind !== "float" && argType.kind !== "double";
  // An integral sum typed DECIMAL(p, 0) (a partial sum of a parallel average or ANSI sum: partial-aggregation.ts exactSum) is exact, not wrapped.
  const wideSum = name === "sum" && integral && call.dataType.kind === "decimal" && call.dataType.scale === 0;
  const expected = name === "avg" ? "double" : name === "sum" ? (wideSum ? "decimal" : integral ? "long" : "double") : argType.kind;
  // A long may be a bigint: min/max of longs only where bigints are handled (the fused loop, longMinMax).
  const exactMinMaxOnly = (name === "min" || name === "max") && argType.kind === "long" && !longMinMax;
  // Under ANSI a BIGINT sum fails on overflow (the generic accumulator); a wide sum cannot overflow.
  if (call.dataType.kind !== expected || (fctx.ansi && name === "sum" && !wideSum) || exactMinMaxOnly) return null;
  return { fn: name, integral };
}

/**
 * An integer sum past 2^53 as its result type holds it: a BIGINT wraps to 64 bits (Spark's
 * non-ANSI overflow); a DECIMAL(p, 0) keeps it exactly, or is null past p digits.
 */
export function integralSumResult(big: bigint, resultType: DataType): Long | null {
  if (resultType.kind !== "decimal") return normalizeLong(BigInt.asIntN(64, big));
  const limit = 10n ** BigInt(resultType.precision);
  return big >= limit || big <= -limit ? null : normalizeLong(big);
}

/** Chooses the fastest correct slot for an aggregate call. */
export function makeSlot(call: AggCall, fctx: ExecFunctionContext): AggSlot {
  const argTypes = call.args.map(exprType);
  if (isSimpleCount(call)) return new CountSlot();
  const spec = numericSpec(call, fctx);
  if (spec) return new NumericSlot(spec.fn, call.dataType, spec.integral);
  const sig = boundSignature(call.args, call.dataType, call.state);
  const acc = call.fn.compile(sig, fctx);
  return new GenericSlot(acc, call.dataType, call.fn.skipNulls !== false, call.distinct, argTypes);
}
