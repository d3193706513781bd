import { AnalysisError } from "../errors/errors.js";
import { type Expr, Expr as E } from "../expr/expression.js";
import { exprType } from "../expr/expr-type.js";
import { type ArithmeticOp, binaryArithmeticTypes, findCommonTypeForComparison, findWiderCommonType, findWiderType } from "../expr/type-coercion.js";
import { BooleanType, type DataType, StringType, isIntegral, sameType, sqlTypeName } from "../types/data-type.js";

/**
 * Where the analyzer inserts implicit casts. The type rules themselves (Spark's non-ANSI
 * coercion) live in expr/type-coercion.ts; this file applies them to expression trees and
 * words the errors with the types the user wrote.
 */

/** The common type of CASE branches, IN lists, UNION columns, ...; throws DATA_DIFF_TYPES when there is none. */
export function commonType(types: readonly DataType[], what: string): DataType {
  const t = types.length === 0 ? null : findWiderCommonType(types);
  if (!t) {
    throw new AnalysisError("DATATYPE_MISMATCH.DATA_DIFF_TYPES", `[DATATYPE_MISMATCH.DATA_DIFF_TYPES] Cannot resolve ${what} due to data type mismatch: the input types should all be the same, but they are [${types.map((x) => `"${sqlTypeName(x)}"`).join(", ")}].`);
  }
  return t;
}

/** `e` as type `t`: unchanged when it already is, a typed null for a null literal, else an implicit cast. */
export function castTo(e: Expr, t: DataType): Expr {
  const from = exprType(e);
  if (sameType(from, t, true)) return e;
  if (e.kind === "Literal" && e.value === null) return E.literal(null, t);
  return E.implicitCast(e, t);
}

const ARITH = new Set<string>(["+", "-", "*", "/", "%", "pmod", "div"]);
const COMPARE = new Set<string>(["=", "<=>", "!=", "<", "<=", ">", ">="]);

/** Casts the operands of a binary operator to the types Spark would, or throws a mismatch error. */
export function coerceBinary(op: string, left: Expr, right: Expr, sql: string): [Expr, Expr] {
  const lt = exprType(left), rt = exprType(right);
  const mismatch = (): never => {
    throw new AnalysisError(
      "DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES",
      `[DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES] Cannot resolve "${sql}" due to data type mismatch: the left and right operands of the binary operator have incompatible types ("${sqlTypeName(lt)}" and "${sqlTypeName(rt)}").`,
    );
  };
  if (op === "and" || op === "or") {
    if (lt.kind !== "boolean" && lt.kind !== "null") mismatch();
    if (rt.kind !== "boolean" && rt.kind !== "null") mismatch();
    return [castTo(left, BooleanType), castTo(right, BooleanType)];
  }
  if (op === "||") {
    if (lt.kind === "array" || rt.kind === "array") {
      const t = findWiderType(lt, rt) ?? mismatch();
      return [castTo(left, t), castTo(right, t)];
    }
    return [castTo(left, StringType), castTo(right, StringType)];
  }
  if (ARITH.has(op)) {
    let types: { left: DataType; right: DataType };
    try {
      types = binaryArithmeticTypes(op as ArithmeticOp, lt, rt);
    } catch (err) {
      if (!(err instanceof AnalysisError)) throw err;
      if (err.errorClass === "DATATYPE_MISMATCH.BINARY_OP_WRONG_TYPE" && (lt.kind === rt.kind || lt.kind === "null" || rt.kind === "null")) {
        const t = lt.kind === "null" ? rt : lt;
        throw new AnalysisError(err.errorClass, `[DATATYPE_MISMATCH.BINARY_OP_WRONG_TYPE] Cannot resolve "${sql}" due to data type mismatch: the binary operator requires the input type "NUMERIC", not "${sqlTypeName(t)}".`);
      }
      return mismatch();
    }
    return [castTo(left, types.left), castTo(right, types.right)];
  }
  if (COMPARE.has(op)) {
    const t = findCommonTypeForComparison(lt, rt) ?? mismatch();
    return [castTo(left, t), castTo(right, t)];
  }
  // Bitwise operators work on integral types.
  const t = findWiderType(lt, rt);
  if (!t || (!isIntegral(t) && t.kind !== "null")) mismatch();
  return [castTo(left, t!), castTo(right, t!)];
}
