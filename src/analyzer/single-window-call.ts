import { AnalysisError } from "../errors/errors.js";
import type { Expr } from "../expr/expression.js";
import { canonicalKey, exprExists, transformExprDown } from "../expr/expr-tree.js";

/**
 * The one time-window call (`window(...)` or `session_window(...)`, as `isCall` recognises) among
 * `exprs`, or undefined. Two different calls, or one together with a call `conflicts` recognises,
 * would multiply rows by each other: Spark refuses that, and so do we.
 */
export function singleWindowCall(exprs: readonly Expr[], isCall: (e: Expr) => boolean, conflicts?: (e: Expr) => boolean): Expr | undefined {
  const calls = new Map<string, Expr>();
  for (const e of exprs) {
    transformExprDown(e, (x) => {
      if (isCall(x)) calls.set(canonicalKey(x), x);
      return undefined;
    });
  }
  if (calls.size === 0) return undefined;
  if (calls.size > 1 || (conflicts !== undefined && exprs.some((e) => exprExists(e, conflicts)))) {
    throw new AnalysisError("MULTIPLE_TIME_TRAVEL_SPEC", "Multiple time/session window expressions would result in a cartesian product of rows, therefore they are currently not supported.");
  }
  return [...calls.values()][0]!;
}
