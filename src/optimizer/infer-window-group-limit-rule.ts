import type { Expr } from "../expr/expression.js";
import { canonicalKey } from "../expr/expr-tree.js";
import { PREFIX_RANKING_FUNCTIONS } from "../expr/window-functions.js";
import { type LogicalPlan, Plan, children, isStreamingPlan, transformUp, withChildren } from "../plan/logical-plan.js";
import type { Rule } from "./rule.js";
import { splitConjuncts } from "./optimizer-helpers.js";

/** A bound `lit op rn` read as `rn flip[op] lit`. */
const FLIP: Readonly<Record<string, string>> = { "<=": ">=", "<": ">", ">=": "<=", ">": "<", "=": "=" };

/**
 * Spark's InferWindowGroupLimit: under a filter that keeps only rows whose `row_number()` is at
 * most k (k up to `sluice.sql.optimizer.windowGroupLimitThreshold`), over projections and a
 * window whose every function ranks (row_number, rank, dense_rank), a WindowGroupLimit keeps
 * only the first k rows of each partition before the window: one hash pass instead of sorting
 * rows the filter drops (Nexmark q18, q19: the last bid per bidder and auction, the top 10 per
 * auction). Exact: every row ahead of a kept row is kept, so the window's ranks of the kept rows
 * are their ranks over all rows. Batch plans only (a stream's window keeps rows in state).
 *
 * @example
 * // Filter (rn#3 <= 2)                      Filter (rn#3 <= 2)
 * // +- Window [row_number() .. AS rn#3]  -> +- Window [row_number() .. AS rn#3]
 * //    +- LocalRelation [k#1, v#2]             +- WindowGroupLimit [k#1], [v#2 ASC ..], 2
 * //                                               +- LocalRelation [k#1, v#2]
 */
export const inferWindowGroupLimitRule: Rule = {
  name: "InferWindowGroupLimit",
  apply(plan, ctx) {
    const threshold = ctx?.windowGroupLimitThreshold ?? -1;
    if (threshold < 1) return plan;
    return transformUp(plan, (p) => (p.kind === "Filter" ? limitUnder(p, p.condition, threshold) : p));
  },
};

/** `p` (a filter) with a WindowGroupLimit under the window below it, when the filter bounds a row number. */
function limitUnder(p: LogicalPlan, condition: Expr, threshold: number): LogicalPlan {
  const conjuncts = splitConjuncts(condition);
  const below = limited(children(p)[0]!, conjuncts, threshold, null);
  return below === null ? p : withChildren(p, [below]);
}

/**
 * `n` with the limit inserted under the window that computes a row number `conjuncts` bound, looking
 * through projections and windows of ranking functions over the same partitions and order (each
 * withColumn adds one window); null when there is none or something else is in the way.
 */
function limited(n: LogicalPlan, conjuncts: readonly Expr[], threshold: number, spec: string | null): LogicalPlan | null {
  if (n.kind === "Project") {
    const c = limited(n.child, conjuncts, threshold, spec);
    return c === null ? null : withChildren(n, [c]);
  }
  if (n.kind !== "Window" || isStreamingPlan(n)) return null;
  const own = JSON.stringify([n.partitionSpec.map(canonicalKey), n.orderSpec.map(canonicalKey)]);
  if (spec !== null && own !== spec) return null;
  const rowNumbers = new Set<number>();
  for (const w of n.windowExprs) {
    if (w.kind !== "Alias" || w.child.kind !== "WindowExpr") return null;
    const fn = w.child.fn;
    if (fn.kind !== "Call" || !PREFIX_RANKING_FUNCTIONS.has(fn.fn.name)) return null;
    if (fn.fn.name === "row_number") rowNumbers.add(w.id);
  }
  const k = Math.min(...conjuncts.map((e) => rowNumberBound(e, rowNumbers) ?? Infinity));
  if (k === Infinity) {
    const c = limited(n.child, conjuncts, threshold, own);
    return c === null ? null : withChildren(n, [c]);
  }
  if (k > threshold || limitedAlready(n.child)) return null;
  return withChildren(n, [Plan.windowGroupLimit(n.partitionSpec, n.orderSpec, k, n.child)]);
}

/** Whether a WindowGroupLimit is under `n`, through projections (column pruning may put one above it). */
function limitedAlready(n: LogicalPlan): boolean {
  return n.kind === "WindowGroupLimit" || (n.kind === "Project" && limitedAlready(n.child));
}

/** k for `rn <= k`, `rn < k + 1`, `rn = 1` (either way round) over a row_number column; else null. */
function rowNumberBound(c: Expr, rowNumbers: ReadonlySet<number>): number | null {
  if (c.kind !== "BinaryExpr") return null;
  const [attr, lit, op] = c.left.kind === "AttributeRef" ? [c.left, c.right, c.op] : [c.right, c.left, FLIP[c.op]];
  if (attr.kind !== "AttributeRef" || !rowNumbers.has(attr.id) || lit.kind !== "Literal" || typeof lit.value !== "number" || !Number.isInteger(lit.value)) return null;
  const v = lit.value;
  const k = op === "<=" ? v : op === "<" ? v - 1 : op === "=" && v === 1 ? 1 : null;
  return k === null || k < 1 ? null : k;
}
