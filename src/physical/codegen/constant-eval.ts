import { ExecutionError } from "../../errors/errors.js";
import type { Expr } from "../../expr/expression.js";
import { exprType } from "../../expr/expr-type.js";
import { exprExists } from "../../expr/expr-tree.js";
import { makeBatch } from "../../batch/record-batch.js";
import { valueAt } from "../../batch/vector.js";
import { structField, structType } from "../../types/data-type.js";
import { nowMicros } from "../../types/datetime.js";
import type { ExecFunctionContext } from "../../expr/function-def.js";
import { compileProjection } from "./projection.js";

const DEFAULT_CTX: ExecFunctionContext = { timeZone: "UTC", ansi: false, currentTimestampMicros: 0 };

/** True when `e` has no column references, aggregates, windows, subqueries or non-deterministic calls. */
export function isFoldable(e: Expr): boolean {
  return !exprExists(e, (x) =>
    x.kind === "AttributeRef" || x.kind === "AggCall" || x.kind === "WindowExpr" || x.kind === "LambdaVariable" || x.kind === "LambdaFunction" ||
    x.kind === "ScalarSubquery" || x.kind === "InSubquery" || x.kind === "Exists" || x.kind === "OuterRef" ||
    x.kind.startsWith("Unresolved") || (x.kind === "Call" && (x.fn.deterministic === false || x.fn.windowOnly === true)));
}

/** Evaluates a constant expression to its internal value. */
export function evalConstant(e: Expr, ctx: ExecFunctionContext = { ...DEFAULT_CTX, currentTimestampMicros: nowMicros() }): unknown {
  if (e.kind === "Literal") return e.value;
  if (!isFoldable(e)) throw new ExecutionError("INTERNAL_ERROR", "Expression is not constant.");
  const t = exprType(e);
  const proj = compileProjection([], null, [e], structType([structField("c", t)]), ctx);
  const out = proj(makeBatch(structType([]), [], 1));
  return valueAt(out.columns[0]!, 0);
}
