import { AnalysisError } from "../errors/errors.js";
import { BooleanType, type DataType, LongType, StringType } from "../types/data-type.js";
import type { Expr } from "./expression.js";
import { type ArithmeticOp, decimalResultType } from "./type-coercion.js";

/** The data type of a resolved expression. Throws for unresolved nodes (an analyzer bug or misuse). */
export function exprType(e: Expr): DataType {
  switch (e.kind) {
    case "AttributeRef": case "Literal": case "LambdaVariable":
      return e.dataType;
    case "Call": case "AggCall": case "GetField": case "GetItem":
      return e.dataType;
    case "Alias": case "SortOrder":
      return exprType(e.child);
    case "Cast":
      return e.to;
    case "OuterRef":
      return e.attr.dataType;
    case "WindowExpr":
      return exprType(e.fn);
    case "LambdaFunction":
      return exprType(e.body);
    case "BinaryExpr":
      return binaryResultType(e.op, exprType(e.left), exprType(e.right));
    case "UnaryExpr":
      return e.op === "negate" || e.op === "positive" || e.op === "bitnot" ? exprType(e.child) : BooleanType;
    case "CaseWhen":
      return e.branches.length > 0 ? exprType(e.branches[0]![1]) : e.elseValue ? exprType(e.elseValue) : StringType;
    case "InList": case "InSubquery": case "Exists":
      return BooleanType;
    case "ScalarSubquery":
      if (e.dataType) return e.dataType;
      throw new AnalysisError("INTERNAL_ERROR", "A scalar subquery must be analyzed before its type is asked for.");
    default:
      throw new AnalysisError("INTERNAL_ERROR", `Expression ${e.kind} is not resolved.`);
  }
}

/** Result type of a binary operator whose operands the analyzer already coerced. */
export function binaryResultType(op: string, l: DataType, r: DataType): DataType {
  switch (op) {
    case "=": case "<=>": case "!=": case "<": case "<=": case ">": case ">=": case "and": case "or":
      return BooleanType;
    case "div":
      return LongType;
    case "||":
      return l.kind === "array" ? l : StringType;
    default:
      if (l.kind === "decimal" && r.kind === "decimal") return decimalResultType(op as ArithmeticOp, l, r);
      return l.kind === "null" ? r : l;
  }
}

/** Whether a resolved expression can produce null. Conservative: true when unsure. */
export function exprNullable(e: Expr): boolean {
  switch (e.kind) {
    case "AttributeRef": case "LambdaVariable":
      return e.nullable;
    case "Literal":
      return e.value === null;
    case "Alias": case "SortOrder":
      return exprNullable(e.child);
    case "UnaryExpr":
      return e.op === "isnull" || e.op === "isnotnull" ? false : exprNullable(e.child);
    case "BinaryExpr":
      if (e.op === "<=>") return false;
      if (e.op === "/" || e.op === "%" || e.op === "div" || e.op === "pmod") return true;
      return exprNullable(e.left) || exprNullable(e.right);
    case "InList":
      return exprNullable(e.value) || e.list.some(exprNullable);
    case "Exists":
      return false;
    case "AggCall":
      return e.fn.name !== "count" && e.fn.name !== "count_if" && e.fn.name !== "approx_count_distinct";
    case "OuterRef":
      return e.attr.nullable;
    default:
      return true;
  }
}
