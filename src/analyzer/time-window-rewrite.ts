import { AnalysisError } from "../errors/errors.js";
import { type AttributeRef, type Expr, Expr as E } from "../expr/expression.js";
import { exprExists, transformExprDown } from "../expr/expr-tree.js";
import { exprNullable, exprType } from "../expr/expr-type.js";
import { WINDOW_STRUCT, overlappingWindows, timeWindowFunction, timeWindowSpec } from "../expr/time-window.js";
import { type LogicalPlan, Plan } from "../plan/logical-plan.js";
import { LongType, TimestampType, sqlTypeName } from "../types/data-type.js";
import { exprSql } from "./expr-sql.js";
import { planOutput } from "./plan-output.js";
import { singleWindowCall } from "./single-window-call.js";

const isWindowCall = (e: Expr): boolean => e.kind === "UnresolvedFunction" && e.name.toLowerCase() === "window";

/**
 * `window(ts, "10 minutes", "5 minutes")` assigns each row to the event-time windows containing
 * it. As in Spark, the call becomes a `window` column added below: a projection for tumbling
 * windows, an Expand (one row per overlapping window) and a filter for sliding ones.
 */
export function rewriteTimeWindows(
  exprs: readonly Expr[],
  child: LogicalPlan,
  resolve: (e: Expr, child: LogicalPlan) => Expr,
): { exprs: readonly Expr[]; child: LogicalPlan } {
  const call = singleWindowCall(exprs, isWindowCall);
  if (call === undefined) return { exprs, child };
  if (call.kind !== "UnresolvedFunction") return { exprs, child };
  const [tsArg, ...durArgs] = call.args;
  if (!tsArg || durArgs.length < 1 || durArgs.length > 3) throw new AnalysisError("WRONG_NUM_ARGS", "window(timeColumn, windowDuration[, slideDuration[, startTime]]) takes 2 to 4 arguments.");
  const durations = durArgs.map((a) => {
    if (a.kind === "Literal" && (typeof a.value === "string")) return a.value;
    if (a.kind === "Literal" && a.dataType.kind === "interval") {
      const iv = a.value as { days: number; micros: number };
      return `${iv.days * 86_400_000_000 + iv.micros} microseconds`;
    }
    throw new AnalysisError("DATATYPE_MISMATCH.NON_FOLDABLE_INPUT", `The durations of window() must be string or interval literals, such as '10 minutes', not ${exprSql(a)}.`);
  });
  let ts = resolve(tsArg, child);
  const t = exprType(ts);
  if (t.kind === "date") ts = E.cast(ts, TimestampType);
  else if (t.kind !== "timestamp") {
    throw new AnalysisError("DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "window(${exprSql(tsArg)}, ...)": the time column must be a TIMESTAMP, however "${exprSql(tsArg)}" has the type "${sqlTypeName(t)}".`);
  }
  const spec = timeWindowSpec(durations[0]!, durations[1], durations[2]);
  const n = overlappingWindows(spec);
  const windowAttr = E.attr("window", WINDOW_STRUCT, true);
  const input = planOutput(child);
  const windowExpr = (k: number): Expr => E.call(timeWindowFunction, [ts], WINDOW_STRUCT, { spec, k });
  let newChild: LogicalPlan;
  if (n === 1) {
    // As Spark: rows whose time is null belong to no window and are dropped (a sliding window's
    // filter below drops them too).
    const timed = exprNullable(ts) ? Plan.filter(E.unary("isnotnull", ts), child) : child;
    newChild = Plan.project([...input, E.alias(windowExpr(0), "window", windowAttr.id)], timed);
  } else {
    const expand = Plan.expand(Array.from({ length: n }, (_, k) => [...input, windowExpr(k)]), [...input, windowAttr], child);
    const start = E.getField(windowAttr, 0, "start", TimestampType);
    const end = E.getField(windowAttr, 1, "end", TimestampType);
    const cond = E.binary("and", E.binary("and", E.unary("isnotnull", windowAttr), E.binary("<=", start, ts)), E.binary("<", ts, end));
    newChild = Plan.filter(cond, expand);
  }
  const attr: AttributeRef = planOutput(newChild).find((a) => a.id === windowAttr.id)!;
  const rewritten = exprs.map((e) => transformExprDown(e, (x) => (isWindowCall(x) ? attr : undefined)));
  void LongType;
  void exprExists;
  return { exprs: rewritten, child: newChild };
}
