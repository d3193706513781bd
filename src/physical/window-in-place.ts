import { type Vector, type VectorValues, allocateValues, makeVector, storageKind, valueAt } from "../batch/vector.js";
import type { AggCall, Call, WindowExpr } from "../expr/expression.js";
import { exprType } from "../expr/expr-type.js";
import type { ExecFunctionContext } from "../expr/function-def.js";
import { PREFIX_RANKING_FUNCTIONS } from "../expr/window-functions.js";
import { type NumericSpec, isSimpleCount, numericSpec } from "./aggregate/agg-slot.js";
import { type Extent, runningExtent } from "./window-columnar.js";
import type { HashedPartitions } from "./window-order.js";

/**
 * Window functions over input whose every partition already comes in ORDER BY order, computed
 * in input order with one state per partition: no rows are moved, and the output rows are the
 * input rows. This is what a hand-written loop over time-ordered events does (a Map from user to
 * the last event), and it spares the gathers of every column into window order, which jump
 * around memory. Covers what window-columnar.ts covers; null where a function, frame or argument
 * needs window order (the caller then sorts, and the answers are the same).
 */
export function inPlaceWindow(w: WindowExpr, args: readonly Vector[], parts: HashedPartitions, ordered: boolean, fctx: ExecFunctionContext): Vector | null {
  const fn = w.fn;
  if (fn.kind === "Call") {
    const name = fn.fn.name;
    if (PREFIX_RANKING_FUNCTIONS.has(name)) return ranks(name, w, parts);
    if (name === "lag" || name === "lead") return offsetValues(fn, w, args, parts);
    if (name === "__session_window") return sessions(w, args, parts);
    return null;
  }
  if (fn.kind !== "AggCall" || fn.distinct || fn.filter !== null) return null;
  const extent = runningExtent(w, ordered);
  if (extent === null) return null;
  if (isSimpleCount(fn) && fn.args.length <= 1) return finishFrames(counts(fn, args.length === 1 ? args[0]!.nulls : null, extent, parts), extent, parts);
  const spec = numericSpec(fn, fctx, true);
  if (spec === null || Array.isArray(args[0]!.values)) return null;
  const running = numericAggregate(spec, fn, args[0]!, extent, parts);
  return running === null ? null : finishFrames(running, extent, parts);
}

/** Per row, how many earlier rows of its partition there are (row_number - 1), filled in one pass. */
function positions(parts: HashedPartitions): Int32Array {
  const { n, gids } = parts;
  const seen = new Int32Array(parts.groups), out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = seen[gids[i]!]!++;
  return out;
}

function ranks(name: string, w: WindowExpr, parts: HashedPartitions): Vector {
  const { n, gids, key } = parts;
  const out = positions(parts);
  if (name === "row_number" || key === null) {
    // Without ORDER BY every row is a peer of every other: rank and dense_rank are 1.
    for (let i = 0; i < n; i++) out[i] = name === "row_number" || key !== null ? out[i]! + 1 : 1;
    return makeVector(exprType(w), n, out, null);
  }
  const lastKey = new Float64Array(parts.groups).fill(Number.NaN), rank = new Int32Array(parts.groups), dense = new Int32Array(parts.groups);
  for (let i = 0; i < n; i++) {
    const g = gids[i]!, x = key[i]!;
    // A row tied with the previous row of its partition shares its rank.
    if (x !== lastKey[g]) {
      rank[g] = out[i]! + 1;
      dense[g]!++;
      lastKey[g] = x;
    }
    out[i] = name === "rank" ? rank[g]! : dense[g]!;
  }
  return makeVector(exprType(w), n, out, null);
}

/**
 * lag/lead without IGNORE NULLS: each row is linked to the row before it in its partition (after
 * it, for lead), and the value `offset` links away is taken, else the default.
 */
function offsetValues(fn: Call, w: WindowExpr, args: readonly Vector[], parts: HashedPartitions): Vector | null {
  const { n, gids } = parts;
  if (n === 0) return null;
  const input = args[0]!;
  const offset = args[1] ? Number(valueAt(args[1], 0)) : 1;
  if (!Number.isInteger(offset) || (args[3] && valueAt(args[3], 0) === true && offset !== 0)) return null;
  const dflt = args[2] ?? null;
  const plain = Array.isArray(input.values);
  if (storageKind(exprType(w)) !== storageKind(input.type) || (dflt !== null && Array.isArray(dflt.values) !== plain)) return null;
  const step = fn.fn.name === "lag" ? -offset : offset, k = Math.abs(step);
  // The row `k` rows away in i's partition (-1 when none): for one row, the partition's last row
  // seen walking towards i; further, through links from each row to its neighbour.
  const away = new Int32Array(n), last = new Int32Array(parts.groups).fill(-1);
  const link = k > 1 ? new Int32Array(n) : away;
  if (step <= 0) for (let i = 0; i < n; i++) { const g = gids[i]!; link[i] = last[g]!; last[g] = i; }
  else for (let i = n - 1; i >= 0; i--) { const g = gids[i]!; link[i] = last[g]!; last[g] = i; }
  if (k === 0) for (let i = 0; i < n; i++) away[i] = i;
  else if (k > 1) for (let i = 0; i < n; i++) { let j = link[i]!; for (let s = 1; s < k && j >= 0; s++) j = link[j]!; away[i] = j; }
  const src = input.values, srcNulls = input.nulls;
  const out: VectorValues = plain ? new Array<unknown>(n).fill(null) : new (src.constructor as new (n: number) => Exclude<VectorValues, unknown[]>)(n);
  const nulls = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = away[i]!;
    if (j >= 0) {
      out[i] = src[j];
      if (srcNulls !== null && srcNulls[j] === 1) nulls[i] = 1;
    } else if (dflt !== null && !(dflt.nulls !== null && dflt.nulls[i] === 1)) out[i] = dflt.values[i];
    else nulls[i] = 1;
  }
  return makeVector(exprType(w), n, out, nulls);
}

/** A frame's value for each row before peers and whole partitions are settled (finishFrames). */
interface Running { readonly out: Exclude<VectorValues, unknown[]>; readonly nulls: Uint8Array | null; readonly type: AggCall["dataType"] }

function counts(call: AggCall, argNulls: Uint8Array | null, extent: Extent, parts: HashedPartitions): Running {
  const { n, gids } = parts;
  const c = new Float64Array(parts.groups), out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = gids[i]!;
    if (argNulls === null || argNulls[i] !== 1) c[g]!++;
    out[i] = c[g]!;
  }
  if (extent === "partition") for (let i = 0; i < n; i++) out[i] = c[gids[i]!]!;
  return { out, nulls: null, type: call.dataType };
}

/**
 * sum, avg, min, max of numbers in typed storage, running per partition in input order (as the
 * sorted path adds in window order); an integer sum past 2^53 returns null (the general path
 * keeps it exact). NaN is above every number, as in Spark.
 */
function numericAggregate(spec: NumericSpec, call: AggCall, arg: Vector, extent: Extent, parts: HashedPartitions): Running | null {
  const { n, gids, groups } = parts;
  const src = arg.values as Exclude<VectorValues, unknown[]>, srcNulls = arg.nulls;
  const fn = spec.fn, adds = fn === "sum" || fn === "avg", exact = spec.integral && adds;
  const acc = new Float64Array(groups), seen = new Float64Array(groups);
  const out = allocateValues(storageKind(call.dataType), n) as Exclude<VectorValues, unknown[]>;
  // Rows before their partition's first value are null; often there are none.
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const g = gids[i]!;
    if (srcNulls === null || srcNulls[i] !== 1) {
      const x = src[i]!, a = acc[g]!;
      // A sum starts from 0 (0 + -0 is 0, as the accumulator gives).
      if (adds) acc[g] = a + x;
      else if (seen[g] === 0) acc[g] = x;
      else if (fn === "max" ? x !== x || (a === a && x > a) : x === x && (a !== a || x < a)) acc[g] = x;
      seen[g]!++;
      if (exact && !Number.isSafeInteger(acc[g]!)) return null;
    }
    if (extent === "partition") continue;
    if (seen[g] === 0) (nulls ??= new Uint8Array(n))[i] = 1;
    else out[i] = fn === "avg" ? acc[g]! / seen[g]! : acc[g]!;
  }
  if (extent === "partition") {
    for (let i = 0; i < n; i++) {
      const g = gids[i]!;
      if (seen[g] === 0) (nulls ??= new Uint8Array(n))[i] = 1;
      else out[i] = fn === "avg" ? acc[g]! / seen[g]! : acc[g]!;
    }
  }
  return { out, nulls, type: call.dataType };
}

/**
 * A RANGE frame ending at the current row includes the row's peers (equal ORDER BY values), which
 * come later in input order: walking backwards, a row tied with the next row of its partition
 * takes that row's value. Without ORDER BY the whole partition is one peer group.
 */
function finishFrames(r: Running, extent: Extent, parts: HashedPartitions): Vector {
  const { n, gids, key } = parts;
  const { out, nulls } = r;
  if (extent === "peers" && key !== null) {
    const later = new Int32Array(parts.groups).fill(-1);
    for (let i = n - 1; i >= 0; i--) {
      const g = gids[i]!, j = later[g]!;
      if (j >= 0 && key[j] === key[i]) {
        out[i] = out[j]!;
        if (nulls !== null) nulls[i] = nulls[j]!;
      }
      later[g] = i;
    }
  } else if (extent === "peers") {
    const lastRow = new Int32Array(parts.groups);
    for (let i = 0; i < n; i++) lastRow[gids[i]!] = i;
    for (let i = 0; i < n; i++) {
      const j = lastRow[gids[i]!]!;
      out[i] = out[j]!;
      if (nulls !== null) nulls[i] = nulls[j]!;
    }
  }
  return makeVector(r.type, n, out, nulls);
}

/**
 * `__session_window(ts, end)` (analyzer/session-window-rewrite.ts): a row joins its partition's
 * open session while its time is not after the session's end, as mergeSessions does. The rows of
 * a session share one [start, end] pair, widened in place as later rows extend it.
 */
function sessions(w: WindowExpr, args: readonly Vector[], parts: HashedPartitions): Vector | null {
  const ts = args[0]!, ends = args[1]!;
  if (ts.nulls !== null || ends.nulls !== null || Array.isArray(ts.values) || Array.isArray(ends.values)) return null;
  const t = ts.values, en = ends.values, { n, gids } = parts;
  const open = new Array<[number, number] | undefined>(parts.groups);
  const out = new Array<[number, number]>(n);
  for (let i = 0; i < n; i++) {
    const g = gids[i]!;
    let s = open[g];
    if (s === undefined || t[i]! > s[1]) open[g] = s = [t[i]!, en[i]!];
    else if (en[i]! > s[1]) s[1] = en[i]!;
    out[i] = s;
  }
  return makeVector(exprType(w), n, out, null);
}
