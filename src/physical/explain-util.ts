import type { AttributeRef, Expr } from "../expr/expression.js";
import { exprSql } from "../analyzer/expr-sql.js";

/** `[a#1, b#2]` as Spark prints attribute lists in plans. */
export function attrList(attrs: readonly AttributeRef[]): string {
  return `[${attrs.map((a) => `${a.name}#${a.id}`).join(", ")}]`;
}

/** An expression as plans show it: attributes with their ids. */
export function exprWithIds(e: Expr): string {
  return exprSql(e).replace(/\s+/g, " ");
}
