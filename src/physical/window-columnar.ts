import { type Vector, type VectorValues, allocateValues, makeVector, storageKind, valueAt } from "../batch/vector.js";
import type { AggCall, Call, WindowExpr, WindowFrame } from "../expr/expression.js";
import { exprType } from "../expr/expr-type.js";
import type { ExecFunctionContext } from "../expr/function-def.js";
import { PREFIX_RANKING_FUNCTIONS } from "../expr/window-functions.js";
import { type NumericSpec, isSimpleCount, numericSpec } from "./aggregate/agg-slot.js";
import type { WindowLayout } from "./window-order.js";

/**
 * Window functions computed for the whole input in one pass over window order, into typed
 * arrays: row_number/rank/dense_rank, lag/lead, and count/sum/avg/min/max over a running frame
 * (UNBOUNDED PRECEDING to CURRENT ROW, by rows or with peers) or the whole partition. A session
 * query has one partition per user, so the per-partition path (window-exec.ts) would spend its
 * time on arrays and accumulator calls per partition and row. Returns null where a function,
 * frame or argument storage needs the general path (which gives the same answers).
 */
export function columnarWindow(w: WindowExpr, args: readonly Vector[], layout: WindowLayout, ordered: boolean, fctx: ExecFunctionContext): Vector | null {
  const fn = w.fn;
  if (fn.kind === "Call") {
    const name = fn.fn.name;
    if (PREFIX_RANKING_FUNCTIONS.has(name)) return ranks(name, w, layout);
    if (name === "lag" || name === "lead") return offsetValues(fn, w, args, layout);
    if (name === "__session_window") return sessions(w, args, layout);
    return null;
  }
  if (fn.kind !== "AggCall" || fn.distinct || fn.filter !== null) return null;
  const extent = runningExtent(w, ordered);
  if (extent === null) return null;
  if (isSimpleCount(fn) && fn.args.length <= 1) return counts(fn, args.length === 1 ? layout.inOrder(args[0]!).nulls : null, extent, layout);
  const spec = numericSpec(fn, fctx, true);
  if (spec === null) return null;
  const arg = layout.inOrder(args[0]!);
  if (Array.isArray(arg.values)) return null;
  return numericAggregate(spec, fn, arg, extent, layout);
}

/** Where a running frame ends for each row: at the row, after its peers, or at the partition's end. */
export type Extent = "row" | "peers" | "partition";

/**
 * The extent of a frame starting at UNBOUNDED PRECEDING, or null for other frames. Spark's
 * default frame with ORDER BY is RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW (peers share
 * a value); without ORDER BY it is the whole partition.
 */
export function runningExtent(w: WindowExpr, ordered: boolean): Extent | null {
  const frame = w.spec.frame ?? (ordered
    ? { frameType: "range", lower: { type: "unboundedPreceding" }, upper: { type: "currentRow" } } satisfies WindowFrame
    : { frameType: "rows", lower: { type: "unboundedPreceding" }, upper: { type: "unboundedFollowing" } } satisfies WindowFrame);
  if (frame.lower.type !== "unboundedPreceding") return null;
  return frame.upper.type === "unboundedFollowing" ? "partition"
    : frame.upper.type === "currentRow" ? (frame.frameType === "rows" ? "row" : "peers")
    : null;
}

function frameEnds(extent: Extent, layout: WindowLayout): Int32Array | null {
  return extent === "peers" ? layout.peerEnd() : null;
}

function ranks(name: string, w: WindowExpr, layout: WindowLayout): Vector {
  const { n, starts } = layout;
  const out = new Int32Array(n);
  const peerEnd = name === "row_number" ? null : layout.peerEnd();
  for (let k = 0; k + 1 < starts.length; k++) {
    const s = starts[k]!, e = starts[k + 1]!;
    if (peerEnd === null) {
      for (let p = s; p < e; p++) out[p] = p - s + 1;
      continue;
    }
    let dense = 0;
    for (let p = s; p < e;) {
      const end = peerEnd[p]!;
      dense++;
      const value = name === "rank" ? p - s + 1 : dense;
      for (; p < end; p++) out[p] = value;
    }
  }
  return makeVector(exprType(w), n, out, null);
}

/**
 * lag/lead without IGNORE NULLS: the value `offset` rows behind or ahead in the partition, else
 * the default (null when none). Values are copied in their storage.
 */
function offsetValues(fn: Call, w: WindowExpr, args: readonly Vector[], layout: WindowLayout): Vector | null {
  const { n, starts } = layout;
  if (n === 0) return null;
  const input = layout.inOrder(args[0]!);
  const offset = args[1] ? Number(valueAt(args[1], 0)) : 1;
  if (args[3] && valueAt(args[3], 0) === true && offset !== 0) return null;
  const dflt = args[2] ? layout.inOrder(args[2]) : null;
  const plain = Array.isArray(input.values);
  if (storageKind(exprType(w)) !== storageKind(input.type) || (dflt !== null && Array.isArray(dflt.values) !== plain)) return null;
  const src = input.values, srcNulls = input.nulls;
  const out: VectorValues = plain ? new Array<unknown>(n).fill(null) : new (src.constructor as new (n: number) => Exclude<VectorValues, unknown[]>)(n);
  const nulls = new Uint8Array(n);
  const step = fn.fn.name === "lag" ? -offset : offset;
  for (let k = 0; k + 1 < starts.length; k++) {
    const s = starts[k]!, e = starts[k + 1]!;
    for (let p = s; p < e; p++) {
      const j = p + step;
      if (j >= s && j < e) {
        out[p] = src[j];
        if (srcNulls !== null && srcNulls[j] === 1) nulls[p] = 1;
      } else if (dflt !== null && !(dflt.nulls !== null && dflt.nulls[p] === 1)) out[p] = dflt.values[p];
      else nulls[p] = 1;
    }
  }
  return makeVector(exprType(w), n, out, nulls);
}

function counts(call: AggCall, argNulls: Uint8Array | null, extent: Extent, layout: WindowLayout): Vector {
  const { n, starts } = layout;
  const out = new Float64Array(n);
  const ends = frameEnds(extent, layout);
  for (let k = 0; k + 1 < starts.length; k++) {
    const s = starts[k]!, e = starts[k + 1]!;
    let c = 0;
    for (let p = s, q = s; p < e;) {
      const end = extent === "row" ? p + 1 : extent === "partition" ? e : ends![p]!;
      for (; q < end; q++) if (argNulls === null || argNulls[q] !== 1) c++;
      for (; p < end; p++) out[p] = c;
    }
  }
  return makeVector(call.dataType, n, out, null);
}

/**
 * sum, avg, min, max of numbers in typed storage. Sums add in window order, as the accumulators
 * do; an integer sum past 2^53 returns null (the general path keeps it exact). Spark orders NaN
 * above every number: max takes it, min leaves it behind.
 */
function numericAggregate(spec: NumericSpec, call: AggCall, arg: Vector, extent: Extent, layout: WindowLayout): Vector | null {
  const { n, starts } = layout;
  const src = arg.values as Exclude<VectorValues, unknown[]>, srcNulls = arg.nulls;
  const fn = spec.fn, exact = spec.integral && (fn === "sum" || fn === "avg");
  const out = allocateValues(storageKind(call.dataType), n) as Exclude<VectorValues, unknown[]>;
  const nulls = new Uint8Array(n);
  const ends = frameEnds(extent, layout);
  for (let k = 0; k + 1 < starts.length; k++) {
    const s = starts[k]!, e = starts[k + 1]!;
    let acc = 0, seen = 0;
    for (let p = s, q = s; p < e;) {
      const end = extent === "row" ? p + 1 : extent === "partition" ? e : ends![p]!;
      for (; q < end; q++) {
        if (srcNulls !== null && srcNulls[q] === 1) continue;
        const x = src[q]!;
        // A sum starts from 0 (0 + -0 is 0, as the accumulator gives).
        if (fn === "sum" || fn === "avg") acc += x;
        else if (seen === 0) acc = x;
        else if (fn === "max" ? x !== x || (acc === acc && x > acc) : x === x && (acc !== acc || x < acc)) acc = x;
        seen++;
      }
      if (exact && !Number.isSafeInteger(acc)) return null;
      const value = fn === "avg" ? acc / seen : acc;
      for (; p < end; p++) {
        if (seen === 0) nulls[p] = 1;
        else out[p] = value;
      }
    }
  }
  return makeVector(call.dataType, n, out, nulls);
}

/**
 * `__session_window(ts, end)` (analyzer/session-window-rewrite.ts) over partitions ordered by
 * ts: a row joins the current session while its time is not after the session's end, as
 * mergeSessions does; every row of a session shares one [start, end] value.
 */
function sessions(w: WindowExpr, args: readonly Vector[], layout: WindowLayout): Vector | null {
  const ts = layout.inOrder(args[0]!), ends = layout.inOrder(args[1]!);
  if (ts.nulls !== null || ends.nulls !== null || Array.isArray(ts.values) || Array.isArray(ends.values)) return null;
  const t = ts.values, en = ends.values, { n, starts } = layout;
  const out = new Array<[number, number]>(n);
  for (let k = 0; k + 1 < starts.length; k++) {
    const e = starts[k + 1]!;
    for (let i = starts[k]!; i < e;) {
      let end = en[i]!, j = i + 1;
      for (; j < e && t[j]! <= end; j++) if (en[j]! > end) end = en[j]!;
      const session: [number, number] = [t[i]!, end];
      for (; i < j; i++) out[i] = session;
    }
  }
  return makeVector(exprType(w), n, out, null);
}
