import { AnalysisError } from "../errors/errors.js";
import { type AttributeRef, type Expr, Expr as E } from "../expr/expression.js";
import { exprExists, transformExprDown } from "../expr/expr-tree.js";
import { exprType } from "../expr/expr-type.js";
import { sessionEndFunction, sessionStructFunction, sessionWindowFunction } from "../expr/session-window.js";
import { WINDOW_STRUCT } from "../expr/time-window.js";
import { type LogicalPlan, Plan, isStreamingPlan } from "../plan/logical-plan.js";
import { StringType, TimestampType, sqlTypeName } from "../types/data-type.js";
import { parseInterval } from "../types/interval.js";
import { exprSql } from "./expr-sql.js";
import { planOutput } from "./plan-output.js";
import { singleWindowCall } from "./single-window-call.js";

const isSessionCall = (e: Expr): boolean => e.kind === "UnresolvedFunction" && e.name.toLowerCase() === "session_window";
const isWindowCall = (e: Expr): boolean => e.kind === "UnresolvedFunction" && e.name.toLowerCase() === "window";

/**
 * `session_window(ts, gap)` (gap: a duration string or interval, static or per row). As in
 * Spark, each row first gets its own session [ts, ts + gap); rows whose timestamp is null or
 * whose gap is null or not positive are dropped. In an aggregation grouped by the session
 * window and other keys, the sessions of each key are then merged: rows sorted by timestamp
 * join the current session while their timestamp is not after its end, and the merged bounds
 * become the `session_window` column (a window operator over PARTITION BY keys ORDER BY ts),
 * which the aggregate groups by. On a stream the aggregation groups by each row's own session
 * instead, and the streaming session-window operator merges sessions per key across
 * micro-batches with its state. `groupingCount` is the number of leading grouping expressions
 * in `exprs`, or -1 outside an aggregation (no merging).
 */
export function rewriteSessionWindows(
  exprs: readonly Expr[],
  groupingCount: number,
  child: LogicalPlan,
  resolve: (e: Expr, child: LogicalPlan) => Expr,
): { exprs: readonly Expr[]; child: LogicalPlan } {
  const call = singleWindowCall(exprs, isSessionCall, isWindowCall);
  if (call === undefined) return { exprs, child };
  if (call.kind !== "UnresolvedFunction") return { exprs, child };
  if (call.args.length !== 2) throw new AnalysisError("WRONG_NUM_ARGS", "session_window(timeColumn, gapDuration) takes 2 arguments.");
  const [tsArg, gapArg] = call.args as [Expr, Expr];
  let ts = resolve(tsArg, child);
  const t = exprType(ts);
  if (t.kind === "date" || t.kind === "string") ts = E.cast(ts, TimestampType);
  else if (t.kind !== "timestamp") {
    throw new AnalysisError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "session_window(${exprSql(tsArg)}, ...)": the time column must be a TIMESTAMP, however "${exprSql(tsArg)}" has the type "${sqlTypeName(t)}".`);
  }
  let gap = resolve(gapArg, child);
  const gt = exprType(gap);
  // Checks the gap's type (string or interval).
  sessionEndFunction.resolve([{ dataType: TimestampType, nullable: true, foldable: false }, { dataType: gt, nullable: true, foldable: gap.kind === "Literal" }], { timeZone: "UTC", ansi: false });
  if (gt.kind === "null") gap = E.cast(gap, StringType);
  // A static gap that is not a duration is an error, not a dropped row.
  if (gap.kind === "Literal" && typeof gap.value === "string") parseInterval(gap.value, "session gap");
  const input = planOutput(child);
  const endAttr = E.attr("__session_end", TimestampType, true);
  const swAttr = E.attr("session_window", WINDOW_STRUCT, true);
  const withEnd = Plan.project([...input, E.alias(E.call(sessionEndFunction, [ts, gap], TimestampType), endAttr.name, endAttr.id)], child);
  const endRef = planOutput(withEnd).find((a) => a.id === endAttr.id)!;
  // A null timestamp gives a null end too.
  const kept = Plan.filter(E.unary("isnotnull", endRef), withEnd);
  let windowed: LogicalPlan;
  if (groupingCount < 0 || isStreamingPlan(child)) {
    // On a stream, an aggregation by the session gets each row's own session: the streaming
    // session-window operator merges sessions per key, across micro-batches, with its state.
    windowed = Plan.project([...input, E.alias(E.call(sessionStructFunction, [ts, endRef], WINDOW_STRUCT), swAttr.name, swAttr.id)], kept);
  } else {
    const keys = exprs.slice(0, groupingCount).filter((g) => !exprExists(g, isSessionCall)).map((g) => {
      try {
        return resolve(g, child);
      } catch (err) {
        throw new AnalysisError("UNSUPPORTED_FEATURE", `With session_window, the other grouping expressions must be expressions over the input columns: ${exprSql(g)} (${(err as Error).message})`);
      }
    });
    const order = [E.sortOrder(ts, true)];
    const fn = E.call(sessionWindowFunction, [ts, endRef], WINDOW_STRUCT);
    const w = E.alias(E.window(fn, { partitionBy: keys, orderBy: order, frame: null }), swAttr.name, swAttr.id);
    const win = Plan.window([w], keys, order, kept);
    windowed = Plan.project([...input, planOutput(win).find((a) => a.id === swAttr.id)!], win);
  }
  const attr: AttributeRef = planOutput(windowed).find((a) => a.id === swAttr.id)!;
  const rewritten = exprs.map((e) => transformExprDown(e, (x) => (isSessionCall(x) ? attr : undefined)));
  return { exprs: rewritten, child: windowed };
}
