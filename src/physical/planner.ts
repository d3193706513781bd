import { AnalysisError, ExecutionError } from "../errors/errors.js";
import { type AttributeRef, type Expr, Expr as E } from "../expr/expression.js";
import { exprChildren, referencedIds } from "../expr/expr-tree.js";
import type { LogicalPlan } from "../plan/logical-plan.js";
import { planOutput } from "../analyzer/plan-output.js";
import { DataSourceScanExec } from "./data-source-scan-exec.js";
import { ExpandExec, LimitExec, UnionExec } from "./simple-execs.js";
import { GenerateExec } from "./generate-exec.js";
import { HashAggregateExec } from "./hash-aggregate-exec.js";
import { type EquiKey, HashJoinExec } from "./join-exec.js";
import type { PhysicalOp } from "./physical-op.js";
import { ProjectFilterExec } from "./project-filter-exec.js";
import { LocalScanExec, RangeExec } from "./scan-exec.js";
import { DeduplicateExec, SetOpExec } from "./set-op-exec.js";
import { SortExec } from "./sort-exec.js";
import { WindowExec } from "./window-exec.js";

/**
 * Turns an optimized logical plan into physical operators. Subqueries must already be replaced
 * by their values (physical/subqueries.ts). Streaming-only nodes are the streaming layer's.
 */
export function planPhysical(p: LogicalPlan): PhysicalOp {
  switch (p.kind) {
    case "LocalRelation": return new LocalScanExec(p.output, p.batches);
    case "RangeRelation": return new RangeExec(p.output, p.start, p.end, p.step);
    case "DataSourceRelation": return new DataSourceScanExec(p);
    case "Project": {
      // Fuse Project(Filter(x)) into one generated loop.
      if (p.child.kind === "Filter") return new ProjectFilterExec(planPhysical(p.child.child), p.child.condition, p.projectList);
      return new ProjectFilterExec(planPhysical(p.child), null, p.projectList);
    }
    case "Filter": return new ProjectFilterExec(planPhysical(p.child), p.condition, null);
    case "Aggregate": return new HashAggregateExec(planPhysical(p.child), p.groupingExprs, p.aggregateExprs);
    case "Distinct": {
      const out = planOutput(p.child);
      return new HashAggregateExec(planPhysical(p.child), out, out);
    }
    case "Deduplicate": return new DeduplicateExec(planPhysical(p.child), p.keys ?? planOutput(p.child));
    case "Expand": return new ExpandExec(planPhysical(p.child), p.projections, p.output);
    case "Sort": {
      return new SortExec(planPhysical(p.child), p.order);
    }
    case "Limit": {
      // ORDER BY ... LIMIT n keeps only n rows while sorting.
      if (p.child.kind === "Sort" && p.child.global) return new LimitExec(new SortExec(planPhysical(p.child.child), p.child.order, p.limit + p.offset), p.limit, p.offset);
      return new LimitExec(planPhysical(p.child), p.limit, p.offset);
    }
    case "Union": return new UnionExec(planOutput(p), p.children.map(planPhysical));
    case "SetOperation": return new SetOpExec(planPhysical(p.left), planPhysical(p.right), p.op, p.all);
    case "SubqueryAlias": case "ResolvedHint": case "Repartition": case "EventTimeWatermark":
      return planPhysical(p.child);
    case "Window": return new WindowExec(planPhysical(p.child), p.windowExprs, p.partitionSpec, p.orderSpec);
    case "Generate": return new GenerateExec(planPhysical(p.child), p.generator, p.outer, p.keepChildOutput, p.generatorOutput);
    case "Join": return planJoin(p);
    case "UnresolvedRelation": case "InlineTable": case "GroupingSets":
      throw new AnalysisError("INTERNAL_ERROR", `${p.kind} must be resolved before physical planning.`);
  }
}

function planJoin(p: Extract<LogicalPlan, { kind: "Join" }>): PhysicalOp {
  const left = planPhysical(p.left), right = planPhysical(p.right);
  const leftIds = new Set(planOutput(p.left).map((a) => a.id));
  const rightIds = new Set(planOutput(p.right).map((a) => a.id));
  const keys: EquiKey[] = [];
  const residual: Expr[] = [];
  for (const c of p.condition ? splitConjuncts(p.condition) : []) {
    if (c.kind === "BinaryExpr" && (c.op === "=" || c.op === "<=>")) {
      const l = referencedIds(c.left), r = referencedIds(c.right);
      if (l.size > 0 && r.size > 0 && subset(l, leftIds) && subset(r, rightIds)) { keys.push({ left: c.left, right: c.right, nullSafe: c.op === "<=>" }); continue; }
      if (l.size > 0 && r.size > 0 && subset(l, rightIds) && subset(r, leftIds)) { keys.push({ left: c.right, right: c.left, nullSafe: c.op === "<=>" }); continue; }
    }
    residual.push(c);
  }
  const cond = residual.length ? residual.reduce((a, b) => E.binary("and", a, b)) : null;
  if (p.joinType === "cross" && keys.length === 0 && !cond) return new HashJoinExec(left, right, "inner", [], null, planOutput(p));
  return new HashJoinExec(left, right, p.joinType === "cross" ? "inner" : p.joinType, keys, cond, planOutput(p));
}

function subset(a: Set<number>, b: Set<number>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

export function splitConjuncts(e: Expr): Expr[] {
  if (e.kind === "BinaryExpr" && e.op === "and") return [...splitConjuncts(e.left), ...splitConjuncts(e.right)];
  return [e];
}

/** Indented operator tree, as EXPLAIN prints the physical plan. */
export function explainPhysical(op: PhysicalOp, indent = 0): string {
  const pad = indent === 0 ? "" : " ".repeat((indent - 1) * 3) + "+- ";
  const line = `${pad}${op.name} ${op.describe()}`.trimEnd();
  return [line, ...op.children.map((c) => explainPhysical(c, indent + 1))].join("\n");
}

void ExecutionError;
void exprChildren;
export type { AttributeRef };
