import { type RecordBatch, totalRows } from "../batch/record-batch.js";
import type { AttributeRef } from "../expr/expression.js";
import { type LogicalPlan, Plan, children, transformUp } from "../plan/logical-plan.js";
import { sameType } from "../types/data-type.js";
import { type ExecContext, type PhysicalOp, collectBatches } from "../physical/physical-op.js";
import { DEFAULT_PLANNER_OPTIONS, planPhysical } from "../physical/planner.js";
import { type ExecSettings, resolveSubqueries } from "../physical/query-execution.js";
import { ReusedResultExec } from "../physical/reused-result-exec.js";
import { ParallelStageExec } from "../physical/parallel/parallel-stage-exec.js";

type LocalRelation = Extract<LogicalPlan, { kind: "LocalRelation" }>;

/** A physical plan kept for later micro-batches of the same shape; its LocalRelation scans read `slots`. */
interface PlannedShape {
  readonly template: LogicalPlan;
  readonly key: string;
  readonly physical: PhysicalOp;
  readonly slots: (readonly RecordBatch[])[];
}

/** Plans planned and plans reused (tests check that a query's plans are planned once per shape). */
export const microBatchPlanning = { planned: 0, reused: 0 };

/** Shapes kept per query (a micro-batch runs a few plans: below each stateful operator, for the sink). */
const MAX_SHAPES = 32;

/**
 * The batch plans of one streaming query's micro-batches, optimized and planned once per shape.
 * Batch N's plans are the query's analyzed plan with batch N's rows in LocalRelations: the same
 * nodes, expressions and attribute ids every batch but for those rows (the incremental execution
 * rebuilds them from the same analyzed nodes). Spark optimizes and plans every micro-batch again;
 * here that was 0.3 ms of the 2-3 ms a few-hundred-row batch of the Yahoo query takes, the largest
 * fixed cost of a batch. A plan equal to an earlier one in everything but its LocalRelations' rows
 * (and of the same size class, see {@link sizeClass}) runs the earlier physical plan, whose scans
 * of those relations read this batch's rows.
 *
 * Not kept (planned each time, as before): plans with subqueries (their values are computed per
 * batch and put into the plan), plans that scan a batch's files (Source.batchScan), and physical
 * plans with operators that keep results between runs (ReusedResult) or plan their tasks from
 * the data (ParallelStage).
 */
export class MicroBatchPlans {
  private readonly shapes: PlannedShape[] = [];

  /** Runs `plan` for a micro-batch; `settingsKey` names the settings planning depends on (a change re-plans). */
  async run(plan: LogicalPlan, s: ExecSettings, ctx: ExecContext, settingsKey: string): Promise<RecordBatch[]> {
    const locals = localRelations(plan);
    const key = `${settingsKey}|${locals.map(sizeClass).join(",")}`;
    const hit = this.shapes.find((e) => e.key === key && sameShape(e.template, plan));
    if (hit !== undefined) {
      microBatchPlanning.reused++;
      locals.forEach((l, i) => (hit.slots[i] = l.batches));
      try {
        return await collectBatches(hit.physical, ctx);
      } finally {
        hit.slots.fill([]);
      }
    }
    const withValues = await resolveSubqueries(plan, s, ctx);
    if (withValues !== plan) return collectBatches(planPhysical(s.optimize(withValues), s.planner), ctx);
    microBatchPlanning.planned++;
    const slots: (readonly RecordBatch[])[] = locals.map(() => []);
    const bound = new Map<LogicalPlan, () => readonly RecordBatch[]>(locals.map((l, i) => [l, () => slots[i]!]));
    const used = new Set<LogicalPlan>();
    const boundRows = (rel: LogicalPlan): (() => readonly RecordBatch[]) | undefined => {
      const rows = bound.get(rel);
      if (rows !== undefined) used.add(rel);
      return rows;
    };
    const physical = planPhysical(s.optimize(plan), { ...(s.planner ?? DEFAULT_PLANNER_OPTIONS), boundRows });
    locals.forEach((l, i) => (slots[i] = l.batches));
    try {
      return await collectBatches(physical, ctx);
    } finally {
      slots.fill([]);
      // Kept only when every LocalRelation of the plan is read through its slot (none was copied
      // by a rule into a node that would hold this batch's rows for good).
      if (locals.every((l) => used.has(l)) && !scansMicroBatch(plan) && reusable(physical)) {
        if (this.shapes.length >= MAX_SHAPES) this.shapes.shift();
        // The template keeps the shape, not this batch's rows.
        this.shapes.push({ template: transformUp(plan, (n) => (n.kind === "LocalRelation" ? Plan.localRelation(n.output, []) : n)), key, physical, slots });
      }
    }
  }
}

/** Whether the plan reads a micro-batch as a batch scan (Source.batchScan): its files differ every batch. */
function scansMicroBatch(p: LogicalPlan): boolean {
  return (p.kind === "DataSourceRelation" && p.microBatch !== undefined) || children(p).some(scansMicroBatch);
}

/** The LocalRelations of a plan, in pre-order. */
function localRelations(p: LogicalPlan, out: LocalRelation[] = []): LocalRelation[] {
  if (p.kind === "LocalRelation") out.push(p);
  for (const c of children(p)) localRelations(c, out);
  return out;
}

/**
 * The order of magnitude of a relation's rows (0 when empty): the planner's choices that depend
 * on sizes (which join side to broadcast, whether a stage runs in parallel) are made again when
 * it changes.
 */
function sizeClass(l: LocalRelation): number {
  const rows = totalRows(l.batches);
  return rows === 0 ? 0 : Math.floor(Math.log10(rows)) + 1;
}

/**
 * Whether two plans are the same but for their LocalRelations' rows: every other field the same
 * value (expressions, attributes and names are shared by the micro-batches' plans), children
 * compared alike, LocalRelations by their output attributes.
 */
export function sameShape(a: LogicalPlan, b: LogicalPlan): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  if (a.kind === "LocalRelation") return sameAttributes(a.output, (b as LocalRelation).output);
  const ka = children(a), kb = children(b);
  if (ka.length !== kb.length) return false;
  const ra = a as unknown as Record<string, unknown>, rb = b as unknown as Record<string, unknown>;
  const keys = Object.keys(ra);
  if (keys.length !== Object.keys(rb).length) return false;
  for (const k of keys) {
    const x = ra[k], y = rb[k];
    if (x === y || x === ka || ka.includes(x as LogicalPlan) || (Array.isArray(x) && Array.isArray(y) && sameItems(x, y))) continue;
    return false;
  }
  for (let i = 0; i < ka.length; i++) if (!sameShape(ka[i]!, kb[i]!)) return false;
  return true;
}

/** The same columns: ids, names, types and nullability (a stateful operator's output is rebuilt each batch). */
function sameAttributes(a: readonly AttributeRef[], b: readonly AttributeRef[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i] || (x.id === b[i]!.id && x.name === b[i]!.name && x.nullable === b[i]!.nullable && sameType(x.dataType, b[i]!.dataType)));
}

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Whether a physical plan may run again on other rows: none of its operators keeps anything from a run. */
function reusable(op: PhysicalOp): boolean {
  if (op instanceof ReusedResultExec || op instanceof ParallelStageExec) return false;
  return op.children.every(reusable);
}
