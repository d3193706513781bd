import { AnalysisError } from "../errors/errors.js";
import { type Expr, Expr as E } from "../expr/expression.js";
import { exprType } from "../expr/expr-type.js";
import { type InlineTable, type LogicalPlan, Plan } from "../plan/logical-plan.js";
import { BatchBuilder } from "../batch/record-batch.js";
import { structField, structType } from "../types/data-type.js";
import { evalConstant } from "../physical/codegen/constant-eval.js";
import { castTo, commonType } from "./coercion.js";
import { exprSql } from "./expr-sql.js";

/** `VALUES (...), (...)`: constant rows, each column widened to a common type, as a LocalRelation. */
export function inlineTableToRelation(t: InlineTable, resolve: (e: Expr) => Expr): LogicalPlan {
  const rows = t.rows.map((r) => r.map(resolve));
  const width = rows[0]?.length ?? 0;
  rows.forEach((r, i) => {
    if (r.length !== width) throw new AnalysisError("INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH", `[INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH] Invalid inline table. Expected ${width} columns but found ${r.length} columns in row ${i}.`);
  });
  const names = t.names ?? Array.from({ length: width }, (_, i) => `col${i + 1}`);
  if (names.length !== width) throw new AnalysisError("INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH", `[INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH] Invalid inline table. Expected ${names.length} columns but found ${width}.`);
  const types = names.map((n, j) => commonType(rows.map((r) => exprType(r[j]!)), `inline table column \`${n}\``));
  const attrs = names.map((n, j) => E.attr(n, types[j]!, rows.some((r) => !(r[j]!.kind === "Literal" && r[j]!.value !== null))));
  const schema = structType(attrs.map((a) => structField(a.name, a.dataType, a.nullable)));
  const b = new BatchBuilder(schema, rows.length);
  for (const r of rows) {
    b.appendRow(r.map((e, j) => {
      try {
        return evalConstant(castTo(e, types[j]!));
      } catch (err) {
        throw new AnalysisError("INVALID_INLINE_TABLE.CANNOT_EVALUATE_EXPRESSION_IN_INLINE_TABLE", `[INVALID_INLINE_TABLE.CANNOT_EVALUATE_EXPRESSION_IN_INLINE_TABLE] Invalid inline table. Cannot evaluate the expression "${exprSql(e)}" in inline table definition.`, { cause: err });
      }
    }));
  }
  return Plan.localRelation(attrs, [b.finish()], "VALUES");
}
