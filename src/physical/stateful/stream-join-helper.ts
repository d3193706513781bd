import { planOutput } from "../../analyzer/plan-output.js";
import { TIMESTAMP_MINUS_INTERVAL, TIMESTAMP_PLUS_INTERVAL } from "../../analyzer/interval-arithmetic.js";
import { type AttributeRef, type Expr, Expr as E } from "../../expr/expression.js";
import { referencedIds } from "../../expr/expr-tree.js";
import { exprType } from "../../expr/expr-type.js";
import { timeWindowFunction } from "../../expr/time-window.js";
import { splitConjuncts } from "../../optimizer/optimizer-helpers.js";
import { type Join, type LogicalPlan, children, isStreamingPlan } from "../../plan/logical-plan.js";
import { sqlTypeName } from "../../types/data-type.js";
import type { EquiKey } from "../join-exec.js";
import { isEventTimeAttr } from "./stateful-operators.js";

/** The join types a stream-stream join runs (cross is inner). */
export type StreamJoinType = "inner" | "left_outer" | "right_outer" | "full_outer" | "left_semi";
export type JoinSide = "left" | "right";

/**
 * When a buffered row of one side can be dropped: it can no longer match any row the other side
 * may still send (rows at or behind the watermark are late and dropped on input). Derived, as
 * Spark's StreamingSymmetricHashJoinHelper does, from the global watermark W:
 *
 * - **key rules** — join key `index` of this side equals a key of the other side that is the
 *   other side's watermarked event time plus `offsetMicros` (or, `window`, a window on it): the
 *   other side's future keys are > W + offset (window ends > W), so a row whose key is at or
 *   below that can never match again;
 * - **value rules** — a conjunct of the condition bounds this side's time column `column` from
 *   below by the other side's watermarked time: `S > O - c` (or `S >= O - c`), so with future
 *   O >= W (Spark substitutes the watermark) a row with S <= W - c (resp. S < W - c) is done.
 *
 * A row is evicted when any rule says so (each is a sound bound on its own).
 */
export interface StateWatermarkRules {
  readonly keys: readonly { readonly index: number; readonly window: boolean; readonly offsetMicros: number }[];
  readonly values: readonly { readonly column: number; readonly offsetMicros: number; readonly strict: boolean }[];
}

/** Everything a stream-stream join needs from its (analyzed) Join node. */
export interface StreamJoinSpec {
  readonly node: Join;
  readonly joinType: StreamJoinType;
  readonly leftOutput: readonly AttributeRef[];
  readonly rightOutput: readonly AttributeRef[];
  readonly output: readonly AttributeRef[];
  readonly keys: readonly EquiKey[];
  readonly residual: Expr | null;
  readonly stateWatermark: { readonly left: StateWatermarkRules; readonly right: StateWatermarkRules };
  /** Per side, the watermarked event-time column (index in that side's output) rows are dropped by when late. */
  readonly eventTime: { readonly left: number; readonly right: number };
}

/** Whether attribute `id` is defined below as `window(t, ...)` of a watermarked event-time column `t`. */
function isWatermarkedWindow(p: LogicalPlan, id: number): boolean {
  const fromCall = (e: Expr, inputOf: LogicalPlan): boolean => {
    const x = e.kind === "Alias" ? e.child : e;
    if (x.kind !== "Call" || x.fn !== timeWindowFunction) return false;
    const arg = x.args[0];
    return arg?.kind === "AttributeRef" && planOutput(inputOf).find((y) => y.id === arg.id)?.watermarkDelayMicros !== undefined;
  };
  if (p.kind === "Project") {
    const def = p.projectList.find((e) => e.kind === "Alias" && e.id === id);
    // `select(col("window").alias("w"))`: follow the renaming.
    if (def?.kind === "Alias" && def.child.kind === "AttributeRef") return isWatermarkedWindow(p.child, def.child.id);
    if (def) return fromCall(def, p.child);
  }
  if (p.kind === "Expand") {
    const j = p.output.findIndex((a) => a.id === id);
    if (j >= 0) return p.projections.length > 0 && p.projections.every((proj) => proj[j] !== undefined && fromCall(proj[j]!, p.child));
  }
  return children(p).some((c) => isWatermarkedWindow(c, id));
}

/** A stream-stream join as a stateful operator (`state/<operatorId>/0/{left,right}-...`). */
export interface JoinOperatorInfo {
  readonly kind: "join";
  readonly operatorId: number;
  readonly operatorName: "symmetricHashJoin";
  readonly node: Join;
  readonly spec: StreamJoinSpec;
  readonly evictsOnWatermark: boolean;
}

export function joinOperatorInfo(node: Join, operatorId: number): JoinOperatorInfo {
  const spec = streamJoinSpec(node);
  return { kind: "join", operatorId, operatorName: "symmetricHashJoin", node, spec, evictsOnWatermark: joinEvictsOnWatermark(spec) };
}

/** What a join keeps, for the checkpoint's operator metadata: key columns, then each side's row and its matched flag; the join type is part of the name. */
export function joinStateSchema(op: JoinOperatorInfo): { operatorId: number; operatorName: string; keySchema: { name: string; type: string }[]; valueSchema: { name: string; type: string }[] } {
  const s = op.spec;
  const keyName = (e: Expr, i: number): string => (e.kind === "AttributeRef" ? e.name : `key${i}`);
  return {
    operatorId: op.operatorId,
    operatorName: `${op.operatorName}(${SPARK_JOIN_TYPE[s.node.joinType] ?? s.node.joinType})`,
    keySchema: s.keys.map((k, i) => ({ name: keyName(k.left, i), type: sqlTypeName(exprType(k.left)) })),
    valueSchema: [
      ...s.leftOutput.map((a) => ({ name: `left.${a.name}`, type: sqlTypeName(a.dataType) })),
      ...s.rightOutput.map((a) => ({ name: `right.${a.name}`, type: sqlTypeName(a.dataType) })),
      { name: "matched", type: "BOOLEAN" },
    ],
  };
}

export function isStreamStreamJoin(p: LogicalPlan): p is Join {
  return p.kind === "Join" && isStreamingPlan(p.left) && isStreamingPlan(p.right);
}

const isWatermarked = (a: AttributeRef): boolean => a.watermarkDelayMicros !== undefined;

/** Splits the condition into equi-join keys (left expression = right expression) and the rest, as the batch planner does. */
function splitCondition(node: Join, leftOut: readonly AttributeRef[], rightOut: readonly AttributeRef[]): { keys: EquiKey[]; residual: Expr[] } {
  const leftIds = new Set(leftOut.map((a) => a.id)), rightIds = new Set(rightOut.map((a) => a.id));
  const within = (s: Set<number>, ids: Set<number>): boolean => s.size > 0 && [...s].every((x) => ids.has(x));
  const keys: EquiKey[] = [], residual: Expr[] = [];
  for (const c of node.condition ? splitConjuncts(node.condition) : []) {
    if (c.kind === "BinaryExpr" && (c.op === "=" || c.op === "<=>")) {
      const l = referencedIds(c.left), r = referencedIds(c.right);
      if (within(l, leftIds) && within(r, rightIds)) { keys.push({ left: c.left, right: c.right, nullSafe: c.op === "<=>" }); continue; }
      if (within(l, rightIds) && within(r, leftIds)) { keys.push({ left: c.right, right: c.left, nullSafe: c.op === "<=>" }); continue; }
    }
    residual.push(c);
  }
  return { keys, residual };
}

/** A time expression as `sum(coef * attribute) + constant` (microseconds), or null when it is not of that shape. */
interface Linear { readonly terms: Map<number, number>; readonly constant: number }

function intervalMicros(e: Expr): number | null {
  if (e.kind !== "Literal" || e.dataType.kind !== "interval" || e.value === null) return null;
  const iv = e.value as { months: number; days: number; micros: number };
  // Months have no fixed length: Spark refuses them in a watermark-deriving condition too.
  if (iv.months !== 0) return null;
  return iv.days * 86_400_000_000 + iv.micros;
}

function linear(e: Expr): Linear | null {
  switch (e.kind) {
    case "AttributeRef":
      return e.dataType.kind === "timestamp" ? { terms: new Map([[e.id, 1]]), constant: 0 } : null;
    case "Literal":
      if (e.dataType.kind === "timestamp" && typeof e.value === "number") return { terms: new Map(), constant: e.value };
      return null;
    case "Alias":
      return linear(e.child);
    case "Call": {
      if (e.fn !== TIMESTAMP_PLUS_INTERVAL && e.fn !== TIMESTAMP_MINUS_INTERVAL) return null;
      const base = linear(e.args[0]!), iv = intervalMicros(e.args[1]!);
      if (base === null || iv === null) return null;
      return { terms: base.terms, constant: base.constant + (e.fn === TIMESTAMP_PLUS_INTERVAL ? iv : -iv) };
    }
    default:
      return null;
  }
}

/** `a - b` of two linear forms. */
function minus(a: Linear, b: Linear): Linear {
  const terms = new Map(a.terms);
  for (const [id, c] of b.terms) {
    const v = (terms.get(id) ?? 0) - c;
    if (v === 0) terms.delete(id);
    else terms.set(id, v);
  }
  return { terms, constant: a.constant - b.constant };
}

/**
 * Value rules for the side with output `side` against `other` (Spark's getStateValueWatermark):
 * each conjunct `x < y`, `x <= y`, `x > y`, `x >= y` is put as `P > 0` / `P >= 0` with
 * P = S - O + c for a time column S of this side and a watermarked time column O of the other
 * side; then S > O - c with O >= W gives the bound W - c.
 */
export function valueWatermarkRules(condition: Expr | null, side: readonly AttributeRef[], other: readonly AttributeRef[], bounded: (a: AttributeRef) => boolean = isWatermarked): StateWatermarkRules["values"] {
  if (condition === null) return [];
  const out: { column: number; offsetMicros: number; strict: boolean }[] = [];
  for (const c of splitConjuncts(condition)) {
    if (c.kind !== "BinaryExpr") continue;
    let p: Linear | null = null, strict = false;
    const l = linear(c.left), r = linear(c.right);
    if (l === null || r === null) continue;
    switch (c.op) {
      case "<": p = minus(r, l); strict = true; break;
      case "<=": p = minus(r, l); break;
      case ">": p = minus(l, r); strict = true; break;
      case ">=": p = minus(l, r); break;
      default: continue;
    }
    if (p.terms.size !== 2) continue;
    let s = -1, o: AttributeRef | undefined;
    for (const [id, coef] of p.terms) {
      const si = side.findIndex((a) => a.id === id);
      if (si >= 0 && coef === 1) s = si;
      else if (coef === -1) o = other.find((a) => a.id === id && bounded(a));
    }
    if (s < 0 || o === undefined) continue;
    // S - O + c > 0  <=>  S > O - c: with O >= W, rows with S <= W - c (strict) or S < W - c never match.
    out.push({ column: s, offsetMicros: -p.constant, strict });
  }
  return out;
}

/**
 * Key rules (Spark's join-key watermark): a join key that is a watermarked event-time column, or a
 * window on one, on either side. Both sides then drop rows whose key (a window's end) is at or
 * behind the watermark: the keys of rows still to come are later than that.
 */
function keyWatermarkRules(node: Join, keys: readonly EquiKey[]): StateWatermarkRules["keys"] {
  const out: { index: number; window: boolean; offsetMicros: number }[] = [];
  keys.forEach((k, index) => {
    const kind = (e: Expr, plan: LogicalPlan): "time" | "window" | null => {
      if (e.kind !== "AttributeRef") return null;
      if (e.dataType.kind === "struct") return isWatermarkedWindow(plan, e.id) ? "window" : null;
      const a = planOutput(plan).find((x) => x.id === e.id) ?? e;
      return isWatermarked(a) && a.dataType.kind === "timestamp" ? "time" : null;
    };
    const found = kind(k.left, node.left) ?? kind(k.right, node.right);
    if (found !== null) out.push({ index, window: found === "window", offsetMicros: 0 });
  });
  return out;
}

/** Whether a join key is a watermarked event-time column (or a window on one): Spark's isWatermarkInJoinKeys. */
function watermarkInJoinKeys(node: Join, keys: readonly EquiKey[]): boolean {
  return keyWatermarkRules(node, keys).length > 0;
}

/**
 * Whether attribute `id` of `plan`'s output is the end of an event-time window: `window.end` of a
 * window on a watermarked column, or of the window an aggregation below emits (Nexmark q7 bounds
 * each bid by its window's end). The rows a side sends later have ends above the watermark, as
 * those of a watermarked column do (an append-mode aggregation emits a window in the batch whose
 * watermark passes its end, after the batch whose watermark did not), so a range condition
 * against it bounds the other side's buffered rows. A window's start gives no such bound.
 */
function isWindowEnd(plan: LogicalPlan, id: number): boolean {
  switch (plan.kind) {
    case "Project": {
      const def = plan.projectList.find((e) => (e.kind === "Alias" || e.kind === "AttributeRef") && e.id === id);
      const v = def === undefined ? undefined : def.kind === "Alias" ? def.child : def;
      if (v === undefined) return false;
      if (v.kind === "AttributeRef") return isWindowEnd(plan.child, v.id);
      return v.kind === "GetField" && v.ordinal === 1 && v.child.kind === "AttributeRef" && v.child.dataType.kind === "struct" && isEventTimeAttr(plan.child, v.child.id);
    }
    case "Filter": case "SubqueryAlias": case "EventTimeWatermark":
      return isWindowEnd(plan.child, id);
    default:
      return false;
  }
}

/** The times of `plan`'s output a range condition may bound the other side by: watermarked columns and window ends. */
const boundingTimes = (plan: LogicalPlan) => (a: AttributeRef): boolean => isWatermarked(a) || isWindowEnd(plan, a.id);

export function streamJoinSpec(node: Join): StreamJoinSpec {
  const leftOutput = planOutput(node.left), rightOutput = planOutput(node.right);
  const { keys, residual } = splitCondition(node, leftOutput, rightOutput);
  const jt = node.joinType === "cross" ? "inner" : node.joinType;
  const keyRules = keyWatermarkRules(node, keys);
  return {
    node,
    // A stream-stream left anti join is refused at start() (checkStreamingJoin); it never runs.
    joinType: jt === "left_anti" ? "left_semi" : jt,
    leftOutput,
    rightOutput,
    output: planOutput(node),
    keys,
    residual: residual.length ? residual.reduce((a, b) => E.binary("and", a, b)) : null,
    stateWatermark: {
      left: { keys: keyRules, values: valueWatermarkRules(node.condition, leftOutput, rightOutput, boundingTimes(node.right)) },
      right: { keys: keyRules, values: valueWatermarkRules(node.condition, rightOutput, leftOutput, boundingTimes(node.left)) },
    },
    eventTime: { left: eventTimeColumn(node.left, leftOutput), right: eventTimeColumn(node.right, rightOutput) },
  };
}

/** A side's watermarked event-time column: a timestamp with a watermark, else a window on one (late when its end is). */
function eventTimeColumn(plan: LogicalPlan, out: readonly AttributeRef[]): number {
  const t = out.findIndex(isWatermarked);
  return t >= 0 ? t : out.findIndex((a) => a.dataType.kind === "struct" && isWatermarkedWindow(plan, a.id));
}

/** Whether the join evicts state (or emits outer rows) when the watermark moves. */
export function joinEvictsOnWatermark(spec: StreamJoinSpec): boolean {
  const w = spec.stateWatermark;
  return w.left.keys.length + w.left.values.length + w.right.keys.length + w.right.values.length > 0;
}

const SPARK_JOIN_TYPE: Record<string, string> = { inner: "Inner", cross: "Cross", left_outer: "LeftOuter", right_outer: "RightOuter", full_outer: "FullOuter", left_semi: "LeftSemi", left_anti: "LeftAnti" };

/**
 * Spark's support matrix for joins on streams, checked at start():
 * - stream-static: inner; left outer and left semi with the stream on the left; right outer with
 *   the stream on the right; left anti with a static right side;
 * - stream-stream (append mode only): inner always (state grows without bound unless a
 *   watermark and a time-range condition let it be cleaned up); left/right/full outer and left
 *   semi only with a watermark in the join keys, or a watermark on the nullable side and a range
 *   condition bounding the other side's rows (both ways for full outer); never left anti.
 */
export function checkStreamingJoin(p: Join, outputMode: string, fail: (cls: string, msg: string, node: LogicalPlan) => never): void {
  const l = isStreamingPlan(p.left), r = isStreamingPlan(p.right);
  if (!l && !r) return;
  const mode = outputMode.charAt(0).toUpperCase() + outputMode.slice(1);
  if (l && r && outputMode !== "append") {
    fail("STREAMING_JOIN_NOT_SUPPORTED", `Join between two streaming DataFrames/Datasets is not supported in ${mode} output mode, only in Append output mode`, p);
  }
  const jt = SPARK_JOIN_TYPE[p.joinType] ?? p.joinType;
  switch (p.joinType) {
    case "inner": case "cross": return;
    case "full_outer":
      if (l && !r) fail("STREAMING_JOIN_NOT_SUPPORTED", "FullOuter joins with streaming DataFrames/Datasets on the left and a static DataFrame/DataSet on the right is not supported", p);
      if (!l && r) fail("STREAMING_JOIN_NOT_SUPPORTED", "FullOuter joins with streaming DataFrames/Datasets on the right and a static DataFrame/DataSet on the left is not supported", p);
      break;
    case "left_anti":
      if (r) fail("STREAMING_JOIN_NOT_SUPPORTED", "LeftAnti joins with a streaming DataFrame/Dataset on the right are not supported", p);
      return;
    case "left_semi":
      if (r && !l) fail("STREAMING_JOIN_NOT_SUPPORTED", "LeftSemi joins with a streaming DataFrame/Dataset on the right and a static DataFrame/Dataset on the left is not supported", p);
      break;
    case "left_outer":
      if (r && !l) fail("STREAMING_JOIN_NOT_SUPPORTED", "Left outer join with a streaming DataFrame/Dataset on the right and a static DataFrame/Dataset on the left is not supported", p);
      break;
    case "right_outer":
      if (l && !r) fail("STREAMING_JOIN_NOT_SUPPORTED", "Right outer join with a streaming DataFrame/Dataset on the left and a static DataFrame/DataSet on the right not supported", p);
      break;
  }
  if (!(l && r)) return;
  // Stream-stream outer / semi: a watermark in the join keys, or on the nullable side with a range condition.
  const leftOut = planOutput(p.left), rightOut = planOutput(p.right);
  const { keys } = splitCondition(p, leftOut, rightOut);
  const leftBound = (): boolean => valueWatermarkRules(p.condition, leftOut, rightOut, boundingTimes(p.right)).length > 0;
  const rightBound = (): boolean => valueWatermarkRules(p.condition, rightOut, leftOut, boundingTimes(p.left)).length > 0;
  const validRange = p.joinType === "left_outer" || p.joinType === "left_semi" ? leftBound() : p.joinType === "right_outer" ? rightBound() : leftBound() && rightBound();
  if (!watermarkInJoinKeys(p, keys) && !validRange) {
    fail(
      "STREAMING_JOIN_NOT_SUPPORTED",
      `Stream-stream ${jt} join between two streaming DataFrame/Datasets is not supported without a watermark in the join keys, or a watermark on the nullable side and an appropriate range condition`,
      p,
    );
  }
}
