import { type RecordBatch, totalRows } from "../batch/record-batch.js";
import { type Expr, Expr as E } from "../expr/expression.js";
import { transformExprDown } from "../expr/expr-tree.js";
import { exprType } from "../expr/expr-type.js";
import type { ExecFunctionContext } from "../expr/function-def.js";
import { type LogicalPlan, transformUp } from "../plan/logical-plan.js";
import { mapPlanExprs, planExprs } from "../plan/plan-exprs.js";
import { nowMicros } from "../types/datetime.js";
import { valueAt } from "../batch/vector.js";
import { ExecutionError } from "../errors/errors.js";
import { planOutput } from "../analyzer/plan-output.js";
import { type ExecContext, type ExecProgress, type PhysicalOp, collectBatches } from "./physical-op.js";
import { type PlannerOptions, planPhysical } from "./planner.js";
import type { WorkerPool } from "./parallel/worker-pool.js";

export interface ExecSettings {
  readonly timeZone: string;
  readonly ansi: boolean;
  readonly batchSize: number;
  readonly memoryLimitBytes: number;
  readonly shufflePartitions: number;
  readonly optimize: (p: LogicalPlan) => LogicalPlan;
  /** Join strategy settings (defaults as Spark's when absent). */
  readonly planner?: PlannerOptions;
  readonly progress?: ExecProgress;
  /** Executor threads for parallel stages (absent: everything runs on this thread). */
  readonly workers?: WorkerPool;
}

export function execContext(s: ExecSettings, currentTimestampMicros = nowMicros()): ExecContext {
  const fctx: ExecFunctionContext = { timeZone: s.timeZone, ansi: s.ansi, currentTimestampMicros };
  return { fctx, batchSize: s.batchSize, memoryLimitBytes: s.memoryLimitBytes, shufflePartitions: s.shufflePartitions, ...(s.progress ? { progress: s.progress } : {}), ...(s.workers ? { workers: s.workers } : {}) };
}

/**
 * Runs uncorrelated subqueries first and puts their results into the plan as constants:
 * a scalar subquery becomes a literal (error if it returns more than one row), IN (subquery) an
 * IN list, EXISTS a boolean.
 */
export async function resolveSubqueries(plan: LogicalPlan, s: ExecSettings, ctx: ExecContext): Promise<LogicalPlan> {
  const pending: { e: Expr; value: Promise<Expr> }[] = [];
  const visit = (p: LogicalPlan): void => {
    for (const e of planExprs(p)) {
      transformExprDown(e, (x) => {
        if (x.kind === "ScalarSubquery" || x.kind === "InSubquery" || x.kind === "Exists") {
          pending.push({ e: x, value: evaluateSubquery(x, s, ctx) });
          return x;
        }
        return undefined;
      });
    }
  };
  transformUp(plan, (p) => {
    visit(p);
    return p;
  });
  if (pending.length === 0) return plan;
  const values = new Map<Expr, Expr>();
  for (const p of pending) values.set(p.e, await p.value);
  return transformUp(plan, (p) => mapPlanExprs(p, (e) => transformExprDown(e, (x) => values.get(x))));
}

async function evaluateSubquery(e: Expr, s: ExecSettings, ctx: ExecContext): Promise<Expr> {
  if (e.kind !== "ScalarSubquery" && e.kind !== "InSubquery" && e.kind !== "Exists") return e;
  const sub = await runPlan(e.plan, s, ctx);
  const rows = totalRows(sub);
  if (e.kind === "Exists") return E.literal(rows > 0, { kind: "boolean" });
  const out = planOutput(e.plan);
  if (e.kind === "ScalarSubquery") {
    if (rows > 1) throw new ExecutionError("SCALAR_SUBQUERY_TOO_MANY_ROWS", "[SCALAR_SUBQUERY_TOO_MANY_ROWS] More than one row returned by a subquery used as an expression.");
    const v = rows === 0 ? null : valueAt(sub.find((b) => b.numRows > 0)!.columns[0]!, 0);
    return E.literal(v, out[0]!.dataType);
  }
  const lits: Expr[] = [];
  for (const b of sub) for (let i = 0; i < b.numRows; i++) lits.push(E.literal(valueAt(b.columns[0]!, i), out[0]!.dataType));
  if (e.values.length !== 1) throw new ExecutionError("UNSUPPORTED_SUBQUERY", "IN with a multi-column subquery is not supported yet.");
  const v = e.values[0]!;
  if (lits.length === 0) return E.literal(false, { kind: "boolean" });
  return E.inList(v, lits.map((l) => (exprType(l).kind === exprType(v).kind ? l : E.cast(l, exprType(v)))));
}

/** Optimizes, plans and runs an analyzed logical plan, returning its batches. */
export async function runPlan(analyzed: LogicalPlan, s: ExecSettings, ctx: ExecContext = execContext(s)): Promise<RecordBatch[]> {
  const op = await preparePhysical(analyzed, s, ctx);
  return collectBatches(op, ctx);
}

export async function preparePhysical(analyzed: LogicalPlan, s: ExecSettings, ctx: ExecContext): Promise<PhysicalOp> {
  const withValues = await resolveSubqueries(analyzed, s, ctx);
  return planPhysical(s.optimize(withValues), s.planner);
}
