import { type AttributeRef, type Expr, Expr as E, newExprId } from "../expr/expression.js";
import { transformExprUp } from "../expr/expr-tree.js";
import { type LogicalPlan, Plan, transformUp } from "../plan/logical-plan.js";
import { mapPlanExprs } from "../plan/plan-exprs.js";

/**
 * Gives every attribute produced inside `plan` a new id and rewrites references to match, so
 * that a plan joined with itself has two distinguishable sides (Spark's DeduplicateRelations).
 */
export function freshenIds(plan: LogicalPlan): LogicalPlan {
  const map = new Map<number, number>();
  const renew = (a: AttributeRef): AttributeRef => {
    let id = map.get(a.id);
    if (id === undefined) {
      id = newExprId();
      map.set(a.id, id);
    }
    return E.attr(a.name, a.dataType, a.nullable, a.qualifier, id);
  };
  const rewrite = (e: Expr): Expr =>
    transformExprUp(e, (x) => {
      if (x.kind === "AttributeRef") return map.has(x.id) ? E.attr(x.name, x.dataType, x.nullable, x.qualifier, map.get(x.id)!) : x;
      if (x.kind === "Alias") {
        const id = newExprId();
        map.set(x.id, id);
        return E.alias(x.child, x.name, id);
      }
      return x;
    });
  return transformUp(plan, (p) => {
    switch (p.kind) {
      case "LocalRelation": return Plan.localRelation(p.output.map(renew), p.batches, p.description);
      case "RangeRelation": return Plan.range(p.start, p.end, p.step, p.numPartitions, renew(p.output[0]));
      case "DataSourceRelation": return Plan.dataSource({ ...p, output: p.output.map(renew) });
      case "Expand": return Plan.expand(p.projections.map((ps) => ps.map(rewrite)), p.output.map(renew), p.child);
      case "Generate": return Plan.generate(rewrite(p.generator), p.outer, p.outputNames, p.keepChildOutput, p.child, p.generatorOutput.map(renew));
      default: return mapPlanExprs(p, rewrite);
    }
  });
}
