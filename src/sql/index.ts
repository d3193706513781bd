/**
 * The SQL front end: Spark SQL text → unresolved logical plans and expressions (no name
 * resolution here; the analyzer does that). Every syntax error is a ParseError with the line,
 * column and a caret under the offending token.
 *
 * @example
 * parseQuery("SELECT word, count(*) AS n FROM words GROUP BY word");
 * // Aggregate ['word] ['word, 'count(*) AS n]
 * //   UnresolvedRelation [words]
 */
import type { Expr } from "../expr/expression.js";
import type { LogicalPlan } from "../plan/logical-plan.js";
import type { DataType } from "../types/data-type.js";
import { tokenize } from "./lexer.js";
import type { Statement } from "./statement.js";
import { StatementParser } from "./statement-parser.js";

export type * from "./statement.js";

/** One statement; a trailing `;` is allowed. */
export function parseStatement(text: string): Statement {
  return new StatementParser(tokenize(text)).singleStatement();
}

/** A script of `;`-separated statements (`sluice sql -f file.sql`, pipeline files). */
export function parseStatements(text: string): Statement[] {
  return new StatementParser(tokenize(text)).script();
}

/** One query (SELECT, WITH, VALUES, TABLE, set operations, parenthesized queries). */
export function parseQuery(text: string): LogicalPlan {
  return new StatementParser(tokenize(text)).singleQuery();
}

/**
 * One expression, as `expr("...")`, `selectExpr` and `where("...")` take them; `a + 1 AS b`
 * (or `a + 1 b`) returns an `Alias`.
 */
export function parseExpression(text: string): Expr {
  return new StatementParser(tokenize(text)).singleExpression();
}

/** A data type such as `int`, `decimal(10,2)`, `array<struct<a:int,b:string>>` or `interval`. */
export function parseDataType(text: string): DataType {
  return new StatementParser(tokenize(text)).singleDataType();
}
