import { planOutput } from "../../analyzer/plan-output.js";
import { type Aggregate, type LogicalPlan, children, isStreamingPlan } from "../../plan/logical-plan.js";
import type { StatefulOperatorInfo } from "./stateful-operators.js";

/** The nearest stateful operators strictly below `node` in the streaming plan (one per input path). */
export function statefulOperatorsBelow(node: LogicalPlan, ops: readonly StatefulOperatorInfo[]): StatefulOperatorInfo[] {
  const found: StatefulOperatorInfo[] = [];
  const visit = (p: LogicalPlan): void => {
    if (!isStreamingPlan(p)) return;
    const op = ops.find((o) => o.node === p);
    if (op !== undefined) {
      found.push(op);
      return;
    }
    children(p).forEach(visit);
  };
  children(node).forEach(visit);
  return found;
}

/** The ids of an aggregation's grouping columns in its output (what identifies one of its groups), or null if one is not output. */
export function groupingKeyIds(agg: Aggregate): number[] | null {
  const out = planOutput(agg);
  const ids: number[] = [];
  for (const g of agg.groupingExprs) {
    const id = g.kind === "AttributeRef" || g.kind === "Alias" ? g.id : -1;
    if (!out.some((a) => a.id === id)) return null;
    ids.push(id);
  }
  return ids;
}

/**
 * In update mode, an aggregation whose input comes from another aggregation reads an updating
 * input (each upstream group re-emitted when it changes): the upstream aggregation, or null.
 */
export function updatingUpstreamOf(node: LogicalPlan, ops: readonly StatefulOperatorInfo[]): Extract<StatefulOperatorInfo, { kind: "aggregate" }> | null {
  const below = statefulOperatorsBelow(node, ops);
  return below.length === 1 && below[0]!.kind === "aggregate" ? below[0]! : null;
}
