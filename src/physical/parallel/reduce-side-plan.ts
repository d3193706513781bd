import { planOutput } from "../../analyzer/plan-output.js";
import { type AttributeRef, type Expr, Expr as E, type GetField, type NamedExpr } from "../../expr/expression.js";
import { canonicalKey, exprExists, referencedIds, transformExprDown } from "../../expr/expr-tree.js";
import { type LogicalPlan, Plan, children, withChildren } from "../../plan/logical-plan.js";
import { mapPlanExprs, planExprs } from "../../plan/plan-exprs.js";
import { explainLogical } from "../../plan/explain-logical.js";
import { hasSubquery, isDeterministic, replaceAttrs } from "../../optimizer/optimizer-helpers.js";
import { equiJoinKeys } from "../join-keys.js";
import type { StageExchange } from "./parallel-stage-exec.js";
import { type ShufflePlan, shufflePlanOf } from "./shuffle-plans.js";
import type { ParallelOptions } from "./stage-fragments.js";

/** Operators that compute each partition of their input on its own, given the right partitioning. */
const PARTITION_LOCAL = new Set<LogicalPlan["kind"]>(["Project", "Filter", "SubqueryAlias", "ResolvedHint", "Join", "Aggregate", "Distinct", "Window"]);

/**
 * A stage for the operators above a shuffle (an aggregation or a partitioned window over a narrow
 * chain, the "base"), so that they run on the workers as well and only their result comes back
 * to the calling thread. Every leaf under `p` must be the base (the same subtree, as a query
 * that joins an aggregation with an aggregation of it: Nexmark q5), and every operator above it
 * must be partition-local:
 * - filters and projections only: they run in the base's reduce tasks (a filter on a row number:
 *   only the rows it keeps come back);
 * - aggregations, distincts, partitioned windows and equi-joins: each needs rows with equal keys
 *   in one task. Their keys, traced down to the base's output, must share some expressions K;
 *   the base's reduce tasks then hash-partition their output by K (on the workers; this thread
 *   only forwards the buffers) and a second round of reduce tasks runs the operators above. Rows
 *   equal on an operator's keys are equal on K, so they meet in one task. (A single exchange by K
 *   alone would save a round but put all of a few hot K values, a day or a category, in one task.)
 * Null when `p` does not have that shape.
 */
export function reduceSidePlan(p: LogicalPlan, opts: ParallelOptions): Pick<ShufflePlan, "inputs" | "exchange"> | null {
  if (!PARTITION_LOCAL.has(p.kind)) return null;
  const base = findBase(p, opts);
  if (!base) return null;
  const keys = commonKeys(p, base);
  if (keys === null) return null;
  const { inputs, exchange } = base.plan;
  if (keys.length === 0) return { inputs, exchange: { ...exchange, reduce: (rows, present) => replaceNodes(p, base.nodes, exchange.reduce(rows, present)) } };
  const cut = boundary(p, base, keys);
  const next: StageExchange = { partitions: opts.shufflePartitions, inputs: [cut.columns], reduce: ([rows]) => replaceNodes(cut.above, base.nodes, rows!) };
  const reduce = (rows: readonly LogicalPlan[], present?: readonly boolean[]): LogicalPlan => Plan.project(cut.exprs, exchange.reduce(rows, present));
  const mapKeys = opts.shufflePartitions <= MAX_GRID_SIDE ? keysOverMapOutput(base.plan, keys) : null;
  const oneRound = mapKeys && { keys: [mapKeys], reduce: (rows: readonly LogicalPlan[], present?: readonly boolean[]) => replaceNodes(p, base.nodes, exchange.reduce(rows, present)) };
  return { inputs, exchange: { ...exchange, reduce, then: { keys: cut.keys, next }, ...(oneRound ? { oneRound } : {}) } };
}

/**
 * Most shuffle partitions for which map tasks cut their rows into a partitions x partitions grid
 * (StageExchange.oneRound): 8 makes 64 cells a task; with Spark's usual 200, 40,000 cells would
 * cost more per row than the second round saves.
 */
const MAX_GRID_SIDE = 8;

/**
 * The keys K (over the base's output) as expressions over its map tasks' output, or null: K may
 * use only the base's grouping columns (an aggregation's keys, a window's input columns). Rows
 * equal on the base's keys are then equal on K, so partitioning the map output by K keeps each
 * of the base's groups in one task, and the operators above can run in the same task.
 */
function keysOverMapOutput(base: ShufflePlan, keys: readonly Expr[]): Expr[] | null {
  const node = base.node;
  const mapKeys = base.inputs[0]!.keys;
  // Map tasks that may ship rows instead of partials partition both by part of the keys only.
  if (base.inputs.length !== 1 || mapKeys === null || base.inputs[0]!.partial) return null;
  const byId = new Map<number, Expr>();
  if (node.kind === "Aggregate") {
    const grouping = node.groupingExprs.map(canonicalKey);
    for (const e of node.aggregateExprs) {
      const i = grouping.indexOf(canonicalKey(e.kind === "Alias" ? e.child : e));
      if (i >= 0 && (e.kind === "Alias" || e.kind === "AttributeRef")) byId.set(e.id, mapKeys[i]!);
    }
  } else if (node.kind === "Distinct") planOutput(node).forEach((a, i) => byId.set(a.id, mapKeys[i]!));
  else planOutput(children(node)[0]!).forEach((a) => byId.set(a.id, a));
  const out = traced(keys, byId);
  return out.every((k) => k !== undefined) ? (out as Expr[]) : null;
}

/**
 * What crosses the second exchange: the base's columns that the operators above read, except
 * that struct fields they read (`window.start`) become columns of their own, so numbers cross
 * instead of a struct per row (structs are row arrays: costly to move between threads). Returns
 * the projection of the base's output, its columns, and `p` and the keys over those columns.
 */
function boundary(p: LogicalPlan, base: Base, keys: readonly Expr[]): { exprs: NamedExpr[]; columns: AttributeRef[]; above: LogicalPlan; keys: Expr[] } {
  const baseOut = planOutput(base.plan.node);
  const baseIds = new Set(baseOut.map((a) => a.id));
  const whole = new Set<number>();
  const fields = new Map<string, { expr: Expr; attr: AttributeRef }>();
  const isBaseField = (x: Expr): x is GetField => x.kind === "GetField" && (x.child.kind === "GetField" ? isBaseField(x.child) : x.child.kind === "AttributeRef" && baseIds.has(x.child.id));
  const note = (e: Expr): void => {
    transformExprDown(e, (x) => {
      if (isBaseField(x)) {
        const k = canonicalKey(x);
        if (!fields.has(k)) fields.set(k, { expr: x, attr: E.attr(x.name, x.dataType, true) });
        return x;
      }
      if (x.kind === "AttributeRef" && baseIds.has(x.id)) whole.add(x.id);
      return undefined;
    });
  };
  const visit = (n: LogicalPlan): void => {
    if (base.nodes.has(n)) return;
    planExprs(n).forEach(note);
    children(n).forEach(visit);
  };
  visit(p);
  keys.forEach(note);
  // Columns that only pass through to the result (a window keeps its input's columns) cross too.
  for (const a of planOutput(p)) if (baseIds.has(a.id)) whole.add(a.id);
  // Fields of a struct that crosses whole are read from it.
  for (const [k, f] of fields) if ([...referencedIds(f.expr)].some((id) => whole.has(id))) fields.delete(k);
  const kept = baseOut.filter((a) => whole.has(a.id));
  // Rows must cross even when no column is read (a count above).
  if (kept.length === 0 && fields.size === 0) kept.push(baseOut[0]!);
  const columns = [...kept, ...[...fields.values()].map((f) => f.attr)];
  const exprs: NamedExpr[] = [...kept, ...[...fields.values()].map((f) => E.alias(f.expr, f.attr.name, f.attr.id))];
  const rewrite = (e: Expr): Expr => transformExprDown(e, (x) => (x.kind === "GetField" ? fields.get(canonicalKey(x))?.attr : undefined));
  const rewritePlan = (n: LogicalPlan): LogicalPlan => {
    if (base.nodes.has(n)) return n;
    const cs = children(n);
    const withKids = cs.length === 0 ? n : withChildren(n, cs.map(rewritePlan));
    return fields.size === 0 ? withKids : mapPlanExprs(withKids, rewrite);
  };
  return { exprs, columns, above: rewritePlan(p), keys: keys.map(rewrite) };
}

interface Base {
  readonly plan: ShufflePlan;
  /** Every occurrence of the base under `p` (equal subtrees). */
  readonly nodes: ReadonlySet<LogicalPlan>;
}

/** The one base under `p`, when every path down from `p` reaches it through partition-local operators. */
function findBase(p: LogicalPlan, opts: ParallelOptions): Base | null {
  let plan: ShufflePlan | null = null;
  let text = "";
  const nodes = new Set<LogicalPlan>();
  const visit = (n: LogicalPlan): boolean => {
    if (!PARTITION_LOCAL.has(n.kind) || !planExprs(n).every((e) => isDeterministic(e) && !hasSubquery(e))) return false;
    if (n !== p && (n.kind === "Aggregate" || n.kind === "Distinct" || n.kind === "Window")) {
      const t = explainLogical(n);
      if (plan !== null && t === text) {
        nodes.add(n);
        return true;
      }
      const s = shufflePlanOf(n, opts);
      if (s) {
        if (plan !== null) return false;
        plan = s;
        text = t;
        nodes.add(n);
        return true;
      }
    }
    if (n.kind === "Window" && n.partitionSpec.length === 0) return false;
    const cs = children(n);
    return cs.length > 0 && cs.every(visit);
  };
  if (!visit(p) || plan === null) return null;
  return { plan, nodes };
}

/**
 * The keys K (over the base's output) that every operator between `p` and the base needs its
 * rows partitioned by: [] when none needs any (only filters and projections), null when they
 * share none.
 */
function commonKeys(p: LogicalPlan, base: Base): Expr[] | null {
  const traces = new Map<LogicalPlan, ReadonlyMap<number, Expr>>();
  const trace = (n: LogicalPlan): ReadonlyMap<number, Expr> => {
    let t = traces.get(n);
    if (!t) traces.set(n, (t = traceToBase(n, base, trace)));
    return t;
  };
  // null until some operator requires keys.
  const required: { common: Map<string, Expr> | null } = { common: null };
  const require = (keys: readonly (Expr | undefined)[]): void => {
    const next = new Map<string, Expr>();
    for (const k of keys) if (k && (required.common === null || required.common.has(canonicalKey(k)))) next.set(canonicalKey(k), k);
    required.common = next;
  };
  const visit = (n: LogicalPlan): void => {
    if (base.nodes.has(n)) return;
    switch (n.kind) {
      case "Aggregate": require(traced(n.groupingExprs, trace(n.child))); break;
      case "Distinct": require(traced(planOutput(n.child), trace(n.child))); break;
      case "Window": require(traced(n.partitionSpec, trace(n.child))); break;
      case "Join": {
        // Only a key whose two sides trace to the same expression of the base's output.
        const lt = trace(n.left), rt = trace(n.right);
        const same: Expr[] = [];
        for (const k of equiJoinKeys(n).keys) {
          const [l] = traced([k.left], lt), [r] = traced([k.right], rt);
          if (l && r && canonicalKey(l) === canonicalKey(r)) same.push(l);
        }
        require(same);
        break;
      }
      default: break;
    }
    for (const c of children(n)) visit(c);
  };
  visit(p);
  if (required.common === null) return [];
  return required.common.size === 0 ? null : [...required.common.values()];
}

/** For each output attribute of `n`, its value as an expression of the base's output (absent when it has none). */
function traceToBase(n: LogicalPlan, base: Base, trace: (c: LogicalPlan) => ReadonlyMap<number, Expr>): ReadonlyMap<number, Expr> {
  const out = new Map<number, Expr>();
  if (base.nodes.has(n)) {
    for (const a of planOutput(n)) out.set(a.id, a);
    return out;
  }
  const own = (exprs: readonly Expr[], from: ReadonlyMap<number, Expr>): void => {
    for (const e of exprs) {
      if (e.kind !== "Alias" && e.kind !== "AttributeRef") continue;
      const [t] = traced([e.kind === "Alias" ? e.child : e], from);
      if (t) out.set(e.id, t);
    }
  };
  switch (n.kind) {
    case "Project": own(n.projectList, trace(n.child)); break;
    // Aggregate results are new values; grouping columns keep theirs.
    case "Aggregate": own(n.aggregateExprs.filter((e) => !exprExists(e, (x) => x.kind === "AggCall")), trace(n.child)); break;
    case "Join": return new Map([...trace(n.left), ...trace(n.right)]);
    default: return children(n).length === 1 ? trace(children(n)[0]!) : out;
  }
  return out;
}

/** Each expression over the base's output, or undefined where it uses a column that has none. */
function traced(exprs: readonly Expr[], byId: ReadonlyMap<number, Expr>): (Expr | undefined)[] {
  return exprs.map((e) => ([...referencedIds(e)].every((id) => byId.has(id)) ? replaceAttrs(e, byId) : undefined));
}

/** `p` with every node of `nodes` replaced by `replacement`. */
function replaceNodes(p: LogicalPlan, nodes: ReadonlySet<LogicalPlan>, replacement: LogicalPlan): LogicalPlan {
  if (nodes.has(p)) return replacement;
  const cs = children(p);
  return cs.length === 0 ? p : withChildren(p, cs.map((c) => replaceNodes(c, nodes, replacement)));
}
