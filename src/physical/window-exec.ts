import { type RecordBatch, concatBatches, makeBatch } from "../batch/record-batch.js";
import { type Vector, type VectorValues, VectorBuilder, allocateValues, constantVector, makeVector, storageKind, valueAt } from "../batch/vector.js";
import type { AggCall, AttributeRef, Call, Expr, Literal, SortOrder, WindowExpr, WindowFrame } from "../expr/expression.js";
import { canonicalKey } from "../expr/expr-tree.js";
import { exprType } from "../expr/expr-type.js";
import { exprSql } from "../analyzer/expr-sql.js";
import { namedToAttribute } from "../analyzer/plan-output.js";
import { structField, structType } from "../types/data-type.js";
import { ExecutionError } from "../errors/errors.js";
import { MICROS_PER_DAY } from "../types/interval.js";
import { mergeSessions } from "../expr/session-window.js";
import { compileProjection } from "./codegen/projection.js";
import type { ExecContext, PhysicalOp } from "./physical-op.js";
import { schemaOf } from "./physical-op.js";
import { WindowLayout, partitionInput, sortedLayout } from "./window-order.js";
import { inPlaceWindow } from "./window-in-place.js";
import { columnarWindow } from "./window-columnar.js";
import { WindowGroupLimitExec } from "./window-group-limit-exec.js";
import { PREFIX_RANKING_FUNCTIONS } from "../expr/window-functions.js";
import { boundSignature } from "../expr/bound-signature.js";
import type { Accumulator } from "../expr/function-def.js";

/**
 * Window functions over one (PARTITION BY, ORDER BY) spec: the input is put in window order
 * (window-order.ts), then each function is computed in one columnar pass where it can
 * (window-columnar.ts), else partition by partition with its frame. Spark's default
 * frame with ORDER BY is RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW (peers share a
 * value); without ORDER BY it is the whole partition.
 */
export class WindowExec implements PhysicalOp {
  readonly name = "Window";
  readonly output: readonly AttributeRef[];
  readonly children: readonly PhysicalOp[];
  constructor(
    readonly child: PhysicalOp,
    readonly windowExprs: readonly Expr[],
    readonly partitionSpec: readonly Expr[],
    readonly orderSpec: readonly SortOrder[],
  ) {
    this.children = [child];
    this.output = [...child.output, ...windowExprs.map(namedToAttribute)];
    this.firstOfEach = child instanceof WindowGroupLimitExec && child.limit === 1 && sameSpec(child, partitionSpec, orderSpec)
      && windowExprs.every((e) => { const w = (e.kind === "Alias" ? e.child : e) as WindowExpr; return w.fn.kind === "Call" && PREFIX_RANKING_FUNCTIONS.has(w.fn.fn.name); });
  }

  /**
   * Ranks over a WindowGroupLimit of 1 with this window's PARTITION BY and ORDER BY (Nexmark q18:
   * the last bid of each bidder and auction): every partition has one row, whose row_number,
   * rank and dense_rank are 1, so the rows pass through with 1s, not grouped again.
   */
  private readonly firstOfEach: boolean;

  describe(): string {
    return `[${this.windowExprs.map((e) => exprSql(e)).join(", ")}], [${this.partitionSpec.map((e) => exprSql(e)).join(", ")}], [${this.orderSpec.map((e) => exprSql(e)).join(", ")}]`;
  }

  async *execute(ctx: ExecContext): AsyncIterable<RecordBatch> {
    if (this.firstOfEach) {
      const schema = schemaOf(this.output), types = this.windowExprs.map((e) => exprType(e));
      for await (const b of this.child.execute(ctx)) {
        const n = b.numRows;
        yield makeBatch(schema, [...b.columns, ...types.map((t) => makeVector(t, n, new Int32Array(n).fill(1), null))], n);
      }
      return;
    }
    const batches: RecordBatch[] = [];
    for await (const b of this.child.execute(ctx)) if (b.numRows > 0) batches.push(b);
    const inSchema = schemaOf(this.child.output);
    if (batches.length === 0) return;
    const all = concatBatches(inSchema, batches);
    const n = all.numRows;
    const wins = this.windowExprs.map((e) => (e.kind === "Alias" ? e.child : e) as WindowExpr);
    // Evaluate partition keys, order keys and every function argument in one pass; a literal
    // argument (lag's offset and default) is filled in, not computed row by row.
    const exprs: Expr[] = [...this.partitionSpec, ...this.orderSpec.map((o) => o.child)];
    const literals: Vector[] = [];
    const argPos = wins.map((w) => fnArgs(w.fn).map((a) => (a.kind === "Literal" ? -1 - (literals.push(literalColumn(a, n)) - 1) : exprs.push(w.fn.kind === "AggCall" ? withoutWideningCast(a) : a) - 1)));
    const evald = compileProjection(this.child.output, null, exprs, structType(exprs.map((e, i) => structField(`_w${i}`, exprType(e)))), ctx.fctx)(all).columns;
    const np = this.partitionSpec.length, no = this.orderSpec.length;
    const pk = evald.slice(0, np), ok = evald.slice(np, np + no);
    const orderSpecs = this.orderSpec.map((o) => ({ ascending: o.ascending, nullsFirst: o.nullsFirst }));
    const parts = partitionInput(pk, ok, orderSpecs, n);
    const argsOf = argPos.map((ps) => ps.map((p) => (p < 0 ? literals[-1 - p]! : evald[p]!)));
    // Partitions each already in order: the functions run over the rows where they are.
    if (!(parts instanceof WindowLayout) && parts.allOrdered) {
      const results = computeOnce(wins, (w, wi) => inPlaceWindow(w, argsOf[wi]!, parts, no > 0, ctx.fctx));
      if (results !== null) {
        yield makeBatch(schemaOf(this.output), [...all.columns, ...results], n);
        return;
      }
    }
    const layout = parts instanceof WindowLayout ? parts : sortedLayout(parts, ok, orderSpecs);
    const sorted = makeBatch(all.schema, all.columns.map((c) => layout.inOrder(c)), n);
    const rangeKey = no === 1 ? { values: ok[0]!, ascending: this.orderSpec[0]!.ascending } : null;
    const results = computeOnce(wins, (w, wi) => columnarWindow(w, argsOf[wi]!, layout, no > 0, ctx.fctx) ?? partitionWise(w, argsOf[wi]!, layout, no > 0, rangeKey, ctx))!;
    yield makeBatch(schemaOf(this.output), [...sorted.columns, ...results], n);
  }
}

/**
 * Each function's column, the same function over the same frame (a DataFrame reusing one column)
 * computed once; null as soon as `compute` gives null for one.
 */
function computeOnce(wins: readonly WindowExpr[], compute: (w: WindowExpr, i: number) => Vector | null): Vector[] | null {
  // Every function here has the operator's PARTITION BY and ORDER BY; its own frame differs.
  const done = new Map<string, Vector>();
  const out: Vector[] = [];
  for (let i = 0; i < wins.length; i++) {
    const w = wins[i]!, key = `${canonicalKey(w.fn)} ${JSON.stringify(w.spec.frame ?? null)}`;
    let v = done.get(key);
    if (v === undefined) {
      const computed = compute(w, i);
      if (computed === null) return null;
      done.set(key, (v = computed));
    }
    out.push(v);
  }
  return out;
}

/** Whether a group limit's partitions and order are this window's. */
function sameSpec(limit: WindowGroupLimitExec, partitionSpec: readonly Expr[], orderSpec: readonly SortOrder[]): boolean {
  const order = (o: SortOrder): string => `${canonicalKey(o.child)} ${o.ascending} ${o.nullsFirst}`;
  return limit.partitionSpec.length === partitionSpec.length && limit.partitionSpec.every((e, i) => canonicalKey(e) === canonicalKey(partitionSpec[i]!))
    && limit.orderSpec.length === orderSpec.length && limit.orderSpec.every((o, i) => order(o) === order(orderSpec[i]!));
}

/** A literal's value in every one of n rows. */
function literalColumn(e: Literal, n: number): Vector {
  const kind = storageKind(e.dataType), v = e.value;
  if (v === null) return makeVector(e.dataType, n, allocateValues(kind, n), new Uint8Array(n).fill(1));
  if (kind === "array") return makeVector(e.dataType, n, new Array<unknown>(n).fill(v), null);
  if (typeof v !== "number" && typeof v !== "boolean") return constantVector(e.dataType, v, n);
  const values = allocateValues(kind, n) as Exclude<VectorValues, unknown[]>;
  values.fill(v === true ? 1 : v === false ? 0 : v);
  return makeVector(e.dataType, n, values, null);
}

/** A window function computed partition by partition, for any function and frame. */
function partitionWise(w: WindowExpr, args: readonly Vector[], layout: WindowLayout, ordered: boolean, rangeKey: RangeKey | null, ctx: ExecContext): Vector {
  const { n, starts } = layout;
  const result = new VectorBuilder(exprType(w), n);
  const acc = w.fn.kind === "Call" && w.fn.fn.windowOnly ? null : compileAccumulator(w.fn as AggCall, ctx);
  const peerEnds = layout.peerEnd();
  for (let k = 0; k + 1 < starts.length; k++) {
    const s = starts[k]!, e = starts[k + 1]!;
    const rows = Array.from({ length: e - s }, (_, i) => layout.rowAt(s + i));
    const peerEnd = peerEnds.slice(s, e);
    for (let i = 0; i < peerEnd.length; i++) peerEnd[i]! -= s;
    for (const v of computeWindow(w, acc, rows, args, peerEnd, ordered, rangeKey)) result.append(v);
  }
  return result.finish();
}

/**
 * An aggregate's argument without a cast from a smaller integer to BIGINT or DOUBLE (Spark's
 * sum(int) sums a BIGINT): the values are the same JS numbers, so the column is read as it is
 * rather than copied into the wider storage.
 */
function withoutWideningCast(e: Expr): Expr {
  if (e.kind !== "Cast" || (e.to.kind !== "long" && e.to.kind !== "double")) return e;
  const from = exprType(e.child).kind;
  return from === "byte" || from === "short" || from === "int" ? e.child : e;
}

function fnArgs(fn: Expr): readonly Expr[] {
  return fn.kind === "AggCall" || fn.kind === "Call" ? fn.args : [];
}

/** The single ORDER BY key of a window, for RANGE frames with value offsets. */
interface RangeKey { readonly values: Vector; readonly ascending: boolean }

function compileAccumulator(call: AggCall, ctx: ExecContext): Accumulator {
  return call.fn.compile(boundSignature(call.args, call.dataType, call.state), ctx.fctx);
}

function computeWindow(w: WindowExpr, acc: Accumulator | null, rows: readonly number[], args: readonly Vector[], peerEnd: Int32Array, ordered: boolean, rangeKey: RangeKey | null): unknown[] {
  const n = rows.length;
  const out = new Array<unknown>(n);
  const fn = w.fn;
  if (fn.kind === "Call" && fn.fn.windowOnly) return rankingFunction(fn, rows, args, peerEnd, out);
  const call = fn as AggCall;
  const update = acc!.update as (b: unknown, ...a: unknown[]) => unknown;
  const skipNulls = call.fn.skipNulls !== false;
  const arg0 = args.length === 1 ? args[0]! : null;
  const add = arg0 !== null
    ? (buf: unknown, r: number): unknown => {
      const v = valueAt(arg0, rows[r]!);
      return skipNulls && v === null ? buf : update(buf, v);
    }
    : (buf: unknown, r: number): unknown => {
      const vals = args.map((a) => valueAt(a, rows[r]!));
      if (skipNulls && vals.some((v) => v === null)) return buf;
      return update(buf, ...vals);
    };
  const frame: WindowFrame = w.spec.frame ?? (ordered
    ? { frameType: "range", lower: { type: "unboundedPreceding" }, upper: { type: "currentRow" } }
    : { frameType: "rows", lower: { type: "unboundedPreceding" }, upper: { type: "unboundedFollowing" } });
  const peerStart = (j: number): number => { let k = j; while (k > 0 && peerEnd[k - 1] === peerEnd[j]) k--; return k; };
  const rangeBounds = frame.frameType === "range" && (frame.lower.type === "offset" || frame.upper.type === "offset")
    ? rangeOffsetBounds(frame, rows, rangeKey, peerStart, peerEnd)
    : null;
  const bounds = (i: number): [number, number] => {
    if (rangeBounds) return rangeBounds(i);
    const lo = frame.lower, hi = frame.upper;
    const lower = lo.type === "unboundedPreceding" ? 0 : lo.type === "currentRow" ? (frame.frameType === "range" ? peerStart(i) : i) : lo.type === "offset" ? Math.max(0, i + lo.value) : n;
    const upper = hi.type === "unboundedFollowing" ? n : hi.type === "currentRow" ? (frame.frameType === "range" ? peerEnd[i]! : i + 1) : hi.type === "offset" ? Math.min(n, i + hi.value + 1) : 0;
    return [lower, upper];
  };
  // Running frames (unbounded preceding .. current) are computed incrementally.
  if (frame.lower.type === "unboundedPreceding" && frame.upper.type === "currentRow") {
    const peers = frame.frameType === "range";
    let buf = acc!.init();
    let done = 0;
    for (let i = 0; i < n; i++) {
      const hi = peers ? peerEnd[i]! : i + 1;
      while (done < hi) buf = add(buf, done++);
      out[i] = acc!.finish(buf);
    }
    return out;
  }
  if (frame.lower.type === "unboundedPreceding" && frame.upper.type === "unboundedFollowing") {
    let buf = acc!.init();
    for (let r = 0; r < n; r++) buf = add(buf, r);
    const v = acc!.finish(buf);
    out.fill(v);
    return out;
  }
  for (let i = 0; i < n; i++) {
    const [lo, hi] = bounds(i);
    let buf = acc!.init();
    for (let r = lo; r < hi; r++) buf = add(buf, r);
    out[i] = acc!.finish(buf);
  }
  return out;
}

/**
 * Frame bounds of `RANGE BETWEEN x PRECEDING AND y FOLLOWING`: the rows whose ORDER BY value
 * lies within [v - x, v + y] of the current row's value v (mirrored for descending order).
 * Rows with a null key form their own frame of peers; other frames never include them.
 */
function rangeOffsetBounds(frame: WindowFrame, rows: readonly number[], key: RangeKey | null, peerStart: (i: number) => number, peerEnd: Int32Array): (i: number) => [number, number] {
  if (!key) throw new ExecutionError("INTERNAL_ERROR", "A RANGE frame with an offset needs exactly one ORDER BY expression.");
  const t = key.values.type;
  const num = (r: number): number | null => {
    const v = valueAt(key.values, rows[r]!);
    if (v === null) return null;
    if (t.kind === "decimal") return Number(v) / 10 ** t.scale;
    return Number(v);
  };
  // An INTERVAL offset is in microseconds: a timestamp's unit; a date counts days.
  const offsetIn = (b: { readonly value: number; readonly interval?: true }): number => {
    if (b.interval !== true) return b.value;
    if (t.kind === "timestamp") return b.value;
    if (t.kind === "date") return b.value / MICROS_PER_DAY;
    throw new ExecutionError("DATATYPE_MISMATCH", `A RANGE frame with an INTERVAL offset needs a timestamp or date ORDER BY, not ${t.kind}.`);
  };
  const n = rows.length;
  const vals = Array.from({ length: n }, (_, r) => num(r));
  // Non-null keys are contiguous (nulls sort first or last).
  let first = 0;
  while (first < n && vals[first] === null) first++;
  let end = n;
  while (end > first && vals[end - 1] === null) end--;
  const dir = key.ascending ? 1 : -1;
  // First index in [first, end) whose value, in sort direction, is >= target (or > with strict).
  const search = (target: number, strict: boolean): number => {
    let lo = first, hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const d = (vals[mid]! - target) * dir;
      if (d > 0 || (!strict && d === 0)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  return (i) => {
    const v = vals[i];
    if (v === null || v === undefined) return [peerStart(i), peerEnd[i]!];
    const bound = (b: WindowFrame["lower"], isLower: boolean): number => {
      switch (b.type) {
        case "unboundedPreceding": return 0;
        case "unboundedFollowing": return end;
        case "currentRow": return isLower ? peerStart(i) : peerEnd[i]!;
        case "offset": {
          const target = v + dir * offsetIn(b);
          return isLower ? search(target, false) : search(target, true);
        }
      }
    };
    const lo = frame.lower.type === "unboundedPreceding" ? 0 : bound(frame.lower, true);
    const hi = frame.upper.type === "unboundedFollowing" ? n : bound(frame.upper, false);
    return [lo, Math.max(lo, hi)];
  };
}

/**
 * lag/lead IGNORE NULLS: the |step|-th non-null value before (step < 0) or after (step > 0) each
 * row, not counting the row itself; the default when there are not that many.
 */
function offsetIgnoringNulls(rows: readonly number[], input: Vector, step: number, dflt: (i: number) => unknown, out: unknown[]): void {
  const n = rows.length, k = Math.abs(step), dir = Math.sign(step);
  // Positions of non-null values in partition order.
  const nonNull: number[] = [];
  for (let i = 0; i < n; i++) if (valueAt(input, rows[i]!) !== null) nonNull.push(i);
  // `p` = how many non-null positions lie strictly before row i.
  let p = 0;
  for (let i = 0; i < n; i++) {
    while (p < nonNull.length && nonNull[p]! < i) p++;
    // Before: non-null positions p-1, p-2, ...; after: the first one > i.
    const after = p < nonNull.length && nonNull[p] === i ? p + 1 : p;
    const idx = dir < 0 ? p - k : after + k - 1;
    out[i] = idx >= 0 && idx < nonNull.length ? valueAt(input, rows[nonNull[idx]!]!) : dflt(i);
  }
}

function rankingFunction(fn: Call, rows: readonly number[], args: readonly Vector[], peerEnd: Int32Array, out: unknown[]): unknown[] {
  const n = rows.length;
  switch (fn.fn.name) {
    case "row_number":
      for (let i = 0; i < n; i++) out[i] = i + 1;
      break;
    case "rank": case "dense_rank": case "percent_rank": {
      let rank = 1, dense = 1;
      for (let i = 0; i < n; i++) {
        if (i > 0 && peerEnd[i - 1] !== peerEnd[i]) { rank = i + 1; dense++; }
        out[i] = fn.fn.name === "rank" ? rank : fn.fn.name === "dense_rank" ? dense : n > 1 ? (rank - 1) / (n - 1) : 0;
      }
      break;
    }
    case "__session_window": {
      // Session windows (analyzer/session-window-rewrite.ts): rows come ordered by timestamp.
      const ts = rows.map((r) => valueAt(args[0]!, r) as number);
      const ends = rows.map((r) => valueAt(args[1]!, r) as number);
      const sessions = mergeSessions(ts, ends);
      for (let i = 0; i < n; i++) out[i] = sessions[i];
      break;
    }
    case "cume_dist":
      for (let i = 0; i < n; i++) out[i] = peerEnd[i]! / n;
      break;
    case "ntile": {
      const buckets = Number(valueAt(args[0]!, rows[0]!));
      const size = Math.floor(n / buckets), extra = n % buckets;
      let i = 0;
      for (let b = 1; b <= buckets && i < n; b++) {
        const len = size + (b <= extra ? 1 : 0);
        for (let k = 0; k < len && i < n; k++) out[i++] = b;
      }
      break;
    }
    case "lag": case "lead": {
      const off = args[1] ? Number(valueAt(args[1], rows[0]!)) : 1;
      const dir = fn.fn.name === "lag" ? -1 : 1;
      const dflt = (i: number): unknown => (args[2] ? valueAt(args[2], rows[i]!) : null);
      if (args[3] && valueAt(args[3], rows[0]!) === true && off !== 0) {
        offsetIgnoringNulls(rows, args[0]!, dir * off, dflt, out);
        break;
      }
      for (let i = 0; i < n; i++) {
        const j = i + dir * off;
        out[i] = j >= 0 && j < n ? valueAt(args[0]!, rows[j]!) : dflt(i);
      }
      break;
    }
    case "nth_value": {
      const k = Number(valueAt(args[1]!, rows[0]!));
      // Default frame: up to the current row's peers.
      for (let i = 0; i < n; i++) out[i] = k - 1 < peerEnd[i]! ? valueAt(args[0]!, rows[k - 1]!) : null;
      break;
    }
  }
  return out;
}
