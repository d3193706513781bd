import { type Vector, type VectorValues, VectorBuilder, makeVector, valueAt } from "../../batch/vector.js";
import type { AggCall } from "../../expr/expression.js";
import type { Accumulator, ExecFunctionContext } from "../../expr/function-def.js";
import { exprType } from "../../expr/expr-type.js";
import { DISTINCT_SET, valueKey } from "../../expr/aggregates/collect.js";
import type { DataType } from "../../types/data-type.js";
import { type Long, normalizeLong } from "../../types/long.js";
import { boundSignature } from "../../expr/bound-signature.js";
import { canonicalKey } from "../../expr/expr-tree.js";
import { compareStrings } from "../../expr/value-order.js";
import { GroupValueBits } from "./group-value-bits.js";

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

/** Whether row i is null in any of `nulls`. */
function nullAt(nulls: readonly Uint8Array[], i: number): boolean {
  for (let k = 0; k < nulls.length; k++) if (nulls[k]![i] === 1) return true;
  return false;
}

/** count(*) and count(x): a counter per group. */
class CountSlot implements AggSlot {
  private counts: Float64Array = new Float64Array(1024);
  update(gids: Int32Array, n: number, args: readonly Vector[], filter: Vector | null): void {
    let c = this.counts;
    const nullsOf = args.map((a) => a.nulls).filter((x): x is Uint8Array => x !== null);
    // The filter read inline and no null scan for arguments without nulls (count(*), Nexmark's
    // counts per price rank): the loop runs for every row of the aggregation.
    const fv = filter?.values as Uint8Array | undefined, fn = filter?.nulls ?? null, anyNulls = nullsOf.length > 0;
    for (let i = 0; i < n; i++) {
      const g = gids[i]!;
      if (g >= c.length) c = this.counts = grow(c, g + 1);
      if (fv !== undefined && (fv[i] !== 1 || (fn !== null && fn[i] === 1))) continue;
      if (anyNulls && nullAt(nullsOf, i)) continue;
      c[g]! += 1;
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

/**
 * count(DISTINCT x) calls over the same argument x whose values are their own keys (numbers,
 * strings, dates, timestamps...: `valueKey` is the identity), each with its own FILTER: one pass
 * per batch recording, per group, each value with the bits of the calls that saw it (nulls are
 * not counted). Nexmark q15 counts distinct bidders and auctions in total and per price rank (six
 * calls): a Set per call and group took 45% of its time; the shared pass does one lookup per row.
 *
 * While every value is an integer within a span of at most DENSE_SPAN (ids, dates) the bits live
 * in an Int32Array per group indexed by value (no hashing); past that, in a Map per group, which
 * compares by SameValueZero (NaN is one value, -0 is 0, as Spark groups them).
 */
class SharedDistinctCounts {
  private maps: (Map<unknown, number> | undefined)[] = [];
  /** Hashed mode for numbers (typed-array values), all groups in one table; null otherwise. */
  private pairs: GroupValueBits | null = null;
  /** Dense mode: per group, bits by value - lo for values in [lo, lo + span); null once in maps. */
  private dense: (Int32Array | undefined)[] | null = [];
  private lo = 0;
  private span = 0;
  private counts: Float64Array[] | null = null;
  constructor(readonly members: number) {}

  /** `bits[i]`: the calls whose FILTER row i passes (filterBits). */
  update(gids: Int32Array, n: number, arg: Vector, bits: Int32Array): void {
    const numbers = !Array.isArray(arg.values);
    if (this.dense !== null && !this.fitDense(gids, n, arg, bits)) {
      if (numbers) this.toPairs();
      else this.toMaps();
    }
    if (this.pairs !== null && !numbers) this.toMaps();
    const nulls = arg.nulls;
    // Rows of one group often come together (a day, a window): its table is looked up once per run.
    let lastG = -1;
    if (this.dense !== null) {
      const dense = this.dense, values = arg.values as Exclude<VectorValues, unknown[]>, lo = this.lo, span = this.span;
      let table: Int32Array | undefined;
      for (let i = 0; i < n; i++) {
        const b = bits[i]!;
        if (b === 0 || (nulls !== null && nulls[i] === 1)) continue;
        const g = gids[i]!;
        if (g !== lastG) {
          lastG = g;
          table = dense[g] ??= new Int32Array(span);
        }
        table![values[i]! - lo]! |= b;
      }
      return;
    }
    if (this.pairs !== null) {
      const pairs = this.pairs, values = arg.values as Exclude<VectorValues, unknown[]>;
      for (let i = 0; i < n; i++) {
        const b = bits[i]!;
        if (b === 0 || (nulls !== null && nulls[i] === 1)) continue;
        pairs.or(gids[i]!, values[i]!, b);
      }
      return;
    }
    const maps = this.maps, values = arg.values as ArrayLike<unknown>;
    let map: Map<unknown, number> | undefined;
    for (let i = 0; i < n; i++) {
      const b = bits[i]!;
      if (b === 0 || (nulls !== null && nulls[i] === 1)) continue;
      const g = gids[i]!;
      if (g !== lastG) {
        lastG = g;
        map = maps[g] ??= new Map();
      }
      const v = values[i], old = map!.get(v);
      if (old === undefined) map!.set(v, b);
      else if ((old | b) !== old) map!.set(v, old | b);
    }
  }

  /** Whether this batch's counted values fit the dense tables (widening them if need be). */
  private fitDense(gids: Int32Array, n: number, arg: Vector, bits: Int32Array): boolean {
    if (Array.isArray(arg.values)) return false;
    const values = arg.values, nulls = arg.nulls;
    let min = Infinity, max = -Infinity, groups = 0;
    for (let i = 0; i < n; i++) {
      if (bits[i] === 0 || (nulls !== null && nulls[i] === 1)) continue;
      const x = values[i]!;
      if (x !== Math.floor(x)) return false;
      if (x < min) min = x;
      if (x > max) max = x;
      if (gids[i]! >= groups) groups = gids[i]! + 1;
    }
    if (min > max) return true;
    const tables = Math.max(groups, this.dense!.length);
    if (this.span > 0 && min >= this.lo && max < this.lo + this.span) return tables * this.span <= DENSE_BUDGET;
    // Widen to at least twice the span, towards the side that overflowed.
    const lo = this.span === 0 ? min : Math.min(min, this.lo), end = this.span === 0 ? max + 1 : Math.max(max + 1, this.lo + this.span);
    const span = Math.max(end - lo, Math.min(2 * this.span, DENSE_SPAN));
    if (span > DENSE_SPAN || tables * span > DENSE_BUDGET) return false;
    const newLo = min < this.lo || this.span === 0 ? end - span : lo;
    this.dense = this.dense!.map((t) => {
      if (t === undefined) return t;
      const wider = new Int32Array(span);
      wider.set(t, this.lo - newLo);
      return wider;
    });
    this.lo = newLo;
    this.span = span;
    return true;
  }

  private toPairs(): void {
    const pairs = new GroupValueBits();
    this.dense!.forEach((t, g) => {
      if (t !== undefined) for (let k = 0; k < t.length; k++) if (t[k] !== 0) pairs.or(g, this.lo + k, t[k]!);
    });
    this.pairs = pairs;
    this.dense = null;
  }

  /** To a Map per group (values that are not all numbers: strings, bigint longs), from the dense tables or the pairs. */
  private toMaps(): void {
    const maps: Map<unknown, number>[] = [];
    const record = (g: number, v: unknown, bits: number): void => void (maps[g] ??= new Map()).set(v, bits);
    if (this.pairs !== null) this.pairs.forEach(record);
    else this.dense!.forEach((t, g) => {
      if (t !== undefined) for (let k = 0; k < t.length; k++) if (t[k] !== 0) record(g, this.lo + k, t[k]!);
    });
    this.maps = maps;
    this.dense = null;
    this.pairs = null;
  }

  /** Member j's values per group (for __distinct_set), in no particular order. */
  values(j: number, type: DataType, groupCount: number): Vector {
    const bit = 1 << j;
    const sets: unknown[][] = new Array<unknown[]>(groupCount);
    for (let g = 0; g < groupCount; g++) {
      const vals: unknown[] = [];
      const table = this.dense?.[g];
      if (table !== undefined) for (let k = 0; k < table.length; k++) { if ((table[k]! & bit) !== 0) vals.push(this.lo + k); }
      const map = this.dense === null ? this.maps[g] : undefined;
      if (map !== undefined) for (const [v, bits] of map) if ((bits & bit) !== 0) vals.push(v);
      sets[g] = vals;
    }
    this.pairs?.forEach((g, v, bits) => {
      if ((bits & bit) !== 0 && g < groupCount) sets[g]!.push(v);
    });
    return makeVector(type, groupCount, sets, null);
  }

  /** Member j's count per group. */
  result(j: number, groupCount: number): Vector {
    if (this.counts === null) {
      const counts = Array.from({ length: this.members }, () => new Float64Array(groupCount));
      const add = (g: number, bits: number): void => {
        for (let b = bits; b !== 0; b &= b - 1) counts[31 - Math.clz32(b & -b)]![g]! += 1;
      };
      for (let g = 0; g < groupCount; g++) {
        const table = this.dense?.[g];
        if (table !== undefined) for (let k = 0; k < table.length; k++) { if (table[k] !== 0) add(g, table[k]!); }
        const map = this.dense === null ? this.maps[g] : undefined;
        if (map !== undefined) for (const bits of map.values()) add(g, bits);
      }
      this.pairs?.forEach((g, _v, bits) => {
        if (g < groupCount) add(g, bits);
      });
      this.counts = counts;
    }
    return makeVector({ kind: "long" }, groupCount, this.counts[j]!, null);
  }
}

/** Widest value span kept in dense tables, and their most entries over all groups. */
const DENSE_SPAN = 1 << 20;
const DENSE_BUDGET = 1 << 21;

/**
 * For each row, the bits of the calls (up to 30) whose FILTER it passes (a null filter passes
 * every row), one filter column at a time, into `into`.
 */
function filterBits(filters: readonly (Vector | null)[], n: number, into: Int32Array): Int32Array {
  into.fill(0, 0, n);
  for (let j = 0; j < filters.length; j++) {
    const f = filters[j]!, bit = 1 << j;
    if (f === null) {
      for (let i = 0; i < n; i++) into[i]! |= bit;
      continue;
    }
    const fv = f.values, fn = f.nulls;
    for (let i = 0; i < n; i++) if (fv[i] === 1 && (fn === null || fn[i] !== 1)) into[i]! |= bit;
  }
  return into;
}

/** At most this many calls share a pass (their bits fit a small integer). */
const MAX_SHARED = 30;

/**
 * Every aggregate call's slot, updated batch by batch: count(DISTINCT x) calls with the same x
 * (and a parallel count's partial sets of x) share one pass (SharedDistinctCounts), any other
 * call has its own slot (makeSlot).
 */
export class AggSlotSet {
  private readonly own: (AggSlot | null)[];
  private readonly shared: readonly { readonly counts: SharedDistinctCounts; readonly calls: readonly number[] }[];
  constructor(
    private readonly calls: readonly AggCall[],
    fctx: ExecFunctionContext,
  ) {
    this.own = calls.map(() => null);
    const groups: number[][] = [];
    const open = new Map<string, number[]>();
    calls.forEach((c, j) => {
      if (!isPlainDistinctCount(c) && !isSharedSet(c)) {
        this.own[j] = makeSlot(c, fctx);
        return;
      }
      const key = canonicalKey(c.args[0]!);
      let members = open.get(key);
      if (members === undefined || members.length === MAX_SHARED) {
        open.set(key, (members = []));
        groups.push(members);
      }
      members.push(j);
    });
    this.shared = groups.map((members) => ({ counts: new SharedDistinctCounts(members.length), calls: members }));
  }
  /** One batch: `gids[i]` is row i's group; `args(j)` / `filter(j)` call j's argument vectors and FILTER vector. */
  update(gids: Int32Array, n: number, args: (j: number) => readonly Vector[], filter: (j: number) => Vector | null): void {
    this.own.forEach((s, j) => s?.update(gids, n, args(j), filter(j)));
    // Shared sets with the same FILTERs (distinct bidders and auctions per price rank) share bits.
    const made: { filters: readonly (Vector | null)[]; bits: Int32Array }[] = [];
    for (const s of this.shared) {
      const filters = s.calls.map(filter);
      let bits = made.find((m) => m.filters.length === filters.length && m.filters.every((f, i) => f === filters[i]))?.bits;
      if (bits === undefined) {
        const k = made.length;
        if ((this.bitBuffers[k]?.length ?? 0) < n) this.bitBuffers[k] = new Int32Array(n);
        made.push({ filters, bits: (bits = filterBits(filters, n, this.bitBuffers[k]!)) });
      }
      s.counts.update(gids, n, args(s.calls[0]!)[0]!, bits);
    }
  }
  private readonly bitBuffers: Int32Array[] = [];
  /** Each call's results for groups 0..groupCount-1, in call order. */
  results(groupCount: number): Vector[] {
    const out: Vector[] = this.own.map((s) => (s === null ? null : s.result(groupCount))) as Vector[];
    for (const s of this.shared) s.calls.forEach((j, k) => (out[j] = isSharedSet(this.calls[j]!) ? s.counts.values(k, this.calls[j]!.dataType, groupCount) : s.counts.result(k, groupCount)));
    return out;
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

/**
 * min/max of strings: the best string per group, compared as Spark compares them (by code point;
 * value-order.ts). A string equal by identity to the group's best (a repeated key, a memoized
 * date_format: Nexmark q16's max of 'HH:mm') is skipped without comparing.
 */
class StringExtremeSlot implements AggSlot {
  private best: (string | undefined)[] = [];
  constructor(private readonly sign: 1 | -1) {}
  update(gids: Int32Array, n: number, args: readonly Vector[], filter: Vector | null): void {
    const values = args[0]!.values as readonly string[], nulls = args[0]!.nulls, best = this.best, sign = this.sign;
    for (let i = 0; i < n; i++) {
      if ((nulls !== null && nulls[i] === 1) || (filter !== null && !passes(filter, i))) continue;
      const g = gids[i]!, v = values[i]!;
      while (best.length <= g) best.push(undefined);
      const cur = best[g];
      if (cur === undefined || (v !== cur && sign * compareStrings(v, cur) > 0)) best[g] = v;
    }
  }
  result(groupCount: number): Vector {
    const b = new VectorBuilder({ kind: "string" }, groupCount);
    for (let g = 0; g < groupCount; g++) b.append(this.best[g] ?? null);
    return b.finish();
  }
  buffers(groupCount: number): unknown[] {
    const out: unknown[] = [];
    for (let g = 0; g < groupCount; g++) { const v = this.best[g]; out.push(v === undefined ? [] : [v]); }
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

/** count(DISTINCT x) of one argument stored as its own key (see SharedDistinctCounts). */
function isPlainDistinctCount(call: AggCall): boolean {
  return call.distinct && call.fn.name === "count" && !call.ignoreNulls && call.args.length === 1 && PLAIN_KEY_KINDS.has(exprType(call.args[0]!).kind);
}

/**
 * A parallel count(DISTINCT)'s partial set of values (__distinct_set), shared with the other
 * calls over its argument; not for booleans, whose stored 0 and 1 are not their values.
 */
function isSharedSet(call: AggCall): boolean {
  return call.fn === DISTINCT_SET && call.args.length === 1 && exprType(call.args[0]!).kind !== "boolean" && PLAIN_KEY_KINDS.has(exprType(call.args[0]!).kind);
}

/** Types whose vector values are their distinct keys: valueKey is the identity and values[i] is the value. */
const PLAIN_KEY_KINDS = new Set(["boolean", "byte", "short", "int", "long", "float", "double", "string", "date", "timestamp"]);

/** Whether `call` runs as a numeric slot (and how), or null for the general path. */
export function numericSpec(call: AggCall, fctx: ExecFunctionContext, longMinMax = false): NumericSpec | null {
  const name = call.fn.name;
  if (call.distinct || call.args.length !== 1 || !(name === "sum" || name === "avg" || name === "min" || name === "max")) return null;
  const argType = exprType(call.args[0]!);
  // Timestamps and dates are numbers in typed arrays too (microseconds, days): min and max only.
  const temporal = argType.kind === "timestamp" || argType.kind === "date";
  if (!FAST_NUMERIC.has(argType.kind) && !(temporal && (name === "min" || name === "max"))) return null;
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
  if (!call.distinct && (call.fn.name === "max" || call.fn.name === "min") && call.args.length === 1 && argTypes[0]!.kind === "string") {
    return new StringExtremeSlot(call.fn.name === "max" ? 1 : -1);
  }
  const sig = boundSignature(call.args, call.dataType, call.state);
  const acc = call.fn.compile(sig, fctx);
  return new GenericSlot(acc, call.dataType, call.fn.skipNulls !== false, call.distinct, argTypes);
}
