import { planOutput } from "../../analyzer/plan-output.js";
import { type Expr, Expr as E } from "../../expr/expression.js";
import { type LogicalPlan, Plan, children } from "../../plan/logical-plan.js";
import { splitConjuncts } from "../../optimizer/optimizer-helpers.js";
import { IntegerType } from "../../types/data-type.js";

const RANKING = new Set(["row_number", "rank", "dense_rank"]);

/**
 * Spark's WindowGroupLimit, for a shuffled window: when every window function of `window` ranks
 * (row_number, rank, dense_rank) and the filters between `top` and it keep only rows ranked at
 * most k, each map task keeps, per window partition, only its own rows ranked at most k, so
 * fewer rows cross to the reduce tasks (Nexmark q18, q19). Exact: a row's rank within a split
 * is at most its rank over all rows (the rows ahead of it in a split are ahead of it overall,
 * and ties are broken by input order either way), and the rows ahead of a kept row are kept, so
 * the ranks the reduce tasks compute over the kept rows are the ranks over all rows.
 * Off by default (`sluice.sql.optimizer.windowGroupLimitThreshold` -1; Spark's default is 1000):
 * the limit sorts every map task's rows once more, which pays only when it drops most of them
 * (q19, top 10 bids per auction: 2 threads +25%) and costs when partitions are nearly unique
 * (q18, the last bid per bidder and auction: -15%). Applies when k is at most `threshold`.
 * Returns `maps` with that limit, or null when the plan does not have that shape.
 */
export function rankLimitedMaps(top: LogicalPlan, window: LogicalPlan, maps: readonly LogicalPlan[], threshold: number): LogicalPlan[] | null {
  if (window.kind !== "Window") return null;
  const ranks = new Map<number, Expr>();
  for (const w of window.windowExprs) {
    const fn = w.kind === "Alias" && w.child.kind === "WindowExpr" ? w.child.fn : null;
    if (!fn || fn.kind !== "Call" || !RANKING.has(fn.fn.name) || w.kind !== "Alias") return null;
    ranks.set(w.id, w.child);
  }
  let limit: { rank: Expr; k: number } | null = null;
  for (let n = top; n !== window; n = children(n)[0]!) {
    if (n.kind === "Filter") {
      for (const c of splitConjuncts(n.condition)) {
        const l = rankBound(c, ranks);
        if (l && (limit === null || l.k < limit.k)) limit = l;
      }
    } else if (n.kind !== "Project" && n.kind !== "SubqueryAlias" && n.kind !== "ResolvedHint") return null;
  }
  if (limit === null || limit.k > threshold) return null;
  const { rank, k } = limit;
  return maps.map((m) => {
    const local = E.alias(rank, "_local_rank");
    const ranked = Plan.window([local], window.partitionSpec, window.orderSpec, m);
    const kept = Plan.filter(E.binary("<=", E.attr(local.name, IntegerType, false, [], local.id), E.literal(k, IntegerType)), ranked);
    return Plan.project(planOutput(m), kept);
  });
}

/** For `rank <= k`, `rank < k`, `rank = 1` (either way round) over a ranking column: the rank function and k. */
function rankBound(c: Expr, ranks: ReadonlyMap<number, Expr>): { rank: Expr; k: number } | null {
  if (c.kind !== "BinaryExpr") return null;
  const flip: Record<string, string> = { "<=": ">=", "<": ">", ">=": "<=", ">": "<", "=": "=" };
  const [attr, lit, op] = c.left.kind === "AttributeRef" ? [c.left, c.right, c.op] : [c.right, c.left, flip[c.op]];
  if (attr.kind !== "AttributeRef" || lit.kind !== "Literal" || typeof lit.value !== "number" || !Number.isInteger(lit.value)) return null;
  const rank = ranks.get(attr.id);
  if (!rank) return null;
  const v = lit.value;
  const k = op === "<=" ? v : op === "<" ? v - 1 : op === "=" && v === 1 ? 1 : null;
  return k === null || k < 1 ? null : { rank, k };
}
