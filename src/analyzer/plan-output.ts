import { AnalysisError } from "../errors/errors.js";
import { type AttributeRef, type Expr, Expr as E, toAttribute } from "../expr/expression.js";
import { exprNullable, exprType } from "../expr/expr-type.js";
import type { LogicalPlan } from "../plan/logical-plan.js";

const cache = new WeakMap<LogicalPlan, readonly AttributeRef[]>();

/** The attributes a RESOLVED plan node produces, in order. */
export function planOutput(p: LogicalPlan): readonly AttributeRef[] {
  let out = cache.get(p);
  if (!out) {
    out = computeOutput(p);
    cache.set(p, out);
  }
  return out;
}

export function namedToAttribute(e: Expr): AttributeRef {
  if (e.kind === "AttributeRef") return e;
  if (e.kind === "Alias") return toAttribute(e, exprType(e.child), exprNullable(e.child));
  throw new AnalysisError("INTERNAL_ERROR", `Expected a named expression but found ${e.kind}.`);
}

function withNullable(a: AttributeRef, nullable: boolean): AttributeRef {
  return a.nullable === nullable ? a : E.attr(a.name, a.dataType, nullable, a.qualifier, a.id);
}

function computeOutput(p: LogicalPlan): readonly AttributeRef[] {
  switch (p.kind) {
    case "LocalRelation": case "RangeRelation": case "DataSourceRelation": case "Expand": case "FlatMapGroupsWithState":
      return p.output;
    case "Project":
      return p.projectList.map(namedToAttribute);
    case "Aggregate":
      return p.aggregateExprs.map(namedToAttribute);
    case "Filter": case "Sort": case "Limit": case "Distinct": case "Deduplicate": case "Repartition": case "ResolvedHint": case "WindowGroupLimit":
      return planOutput(p.child);
    case "EventTimeWatermark": {
      const et = p.eventTime.kind === "AttributeRef" ? p.eventTime.id : -1;
      const delay = p.delay.days * 86_400_000_000 + p.delay.micros + p.delay.months * 31 * 86_400_000_000;
      return planOutput(p.child).map((a) => (a.id === et ? Object.freeze({ ...a, watermarkDelayMicros: delay }) : a));
    }
    case "Join": {
      const l = planOutput(p.left), r = planOutput(p.right);
      switch (p.joinType) {
        case "left_semi": case "left_anti": return l;
        case "left_outer": return [...l, ...r.map((a) => withNullable(a, true))];
        case "right_outer": return [...l.map((a) => withNullable(a, true)), ...r];
        case "full_outer": return [...l.map((a) => withNullable(a, true)), ...r.map((a) => withNullable(a, true))];
        default: return [...l, ...r];
      }
    }
    case "Union": {
      const first = planOutput(p.children[0]!);
      return first.map((a, i) => withNullable(a, p.children.some((c) => planOutput(c)[i]?.nullable ?? true)));
    }
    case "SetOperation":
      return planOutput(p.left);
    case "SubqueryAlias":
      // Re-qualified, keeping the event-time mark of a watermarked column.
      return planOutput(p.child).map((a) => (a.watermarkDelayMicros === undefined ? E.attr(a.name, a.dataType, a.nullable, [p.alias], a.id) : Object.freeze({ ...a, qualifier: Object.freeze([p.alias]) })));
    case "Window":
      return [...planOutput(p.child), ...p.windowExprs.map(namedToAttribute)];
    case "Generate":
      return [...(p.keepChildOutput ? planOutput(p.child) : []), ...p.generatorOutput];
    case "UnresolvedRelation": case "InlineTable": case "GroupingSets":
      throw new AnalysisError("INTERNAL_ERROR", `${p.kind} has no output before analysis.`);
  }
}
