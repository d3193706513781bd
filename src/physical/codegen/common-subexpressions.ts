import type { Expr } from "../../expr/expression.js";
import { canonicalKey, exprChildren } from "../../expr/expr-tree.js";
import { isDeterministic } from "../../optimizer/optimizer-helpers.js";

/**
 * Subexpression elimination (Spark's spark.sql.subexpressionElimination): the subexpressions to
 * compute once per row ahead of `always` (expressions a generated loop evaluates for every row
 * that reaches them), innermost first. One qualifies when some row-wide place of `always` computes
 * it and it occurs at least twice in `always` and `later` (code after those, as a projection after
 * its filter) together: Nexmark q22 splits each URL once instead of three times.
 *
 * Row-wide places: not the branches of a CASE WHEN (only its first condition), not the right side
 * of AND / OR, not the list of IN, nothing inside a lambda. Computing ahead what a row may skip
 * could raise an error the row never meets, or cost more than it saves; a value computed anyway
 * may be read anywhere after. Columns and literals cost nothing to read again and stay as they
 * are, as do non-deterministic calls (two rand() are two values).
 */
export function commonSubexpressions(always: readonly Expr[], later: readonly Expr[] = []): Expr[] {
  // In the order the walk finishes them: children before their parents.
  const rowWide = new Map<string, Expr>();
  const uses = new Map<string, number>();
  for (const e of always) postOrder(e, alwaysEvaluated, (x, key) => rowWide.has(key) || rowWide.set(key, x));
  for (const e of [...always, ...later]) postOrder(e, exprChildren, (_, key) => uses.set(key, (uses.get(key) ?? 0) + 1));
  return [...rowWide].filter(([key]) => (uses.get(key) ?? 0) >= 2).map(([, e]) => e);
}

const keys = new WeakMap<Expr, string>();

/**
 * The key under which a generated value is shared: the expression's structure and every call's
 * types and state. Kept per node: genExpr asks it of every node it meets once values are shared.
 */
export function subexpressionKey(e: Expr): string {
  let k = keys.get(e);
  if (k === undefined) {
    let states = "";
    const walk = (x: Expr): void => {
      if (x.kind === "Call") states += `|${x.fn.name}:${JSON.stringify(x.dataType)}:${stateKey(x.state)}`;
      exprChildren(x).forEach(walk);
    };
    walk(e);
    k = canonicalKey(e) + states;
    keys.set(e, k);
  }
  return k;
}

/** Visits the shareable nodes of `e` reached through `children`, children first; not into lambdas. */
function postOrder(e: Expr, children: (x: Expr) => readonly Expr[], visit: (x: Expr, key: string) => unknown): void {
  if (e.kind === "LambdaFunction") return;
  for (const c of children(e)) postOrder(c, children, visit);
  if (worthSharing(e)) visit(e, subexpressionKey(e));
}

/** The children of `e` that are evaluated whenever `e` is (see genExpr: the short-circuits). */
function alwaysEvaluated(e: Expr): readonly Expr[] {
  switch (e.kind) {
    case "CaseWhen":
      return e.branches.length > 0 ? [e.branches[0]![0]] : [];
    case "BinaryExpr":
      return e.op === "and" || e.op === "or" ? [e.left] : [e.left, e.right];
    case "InList":
      return [e.value];
    case "Alias":
      return [e.child];
    default:
      return exprChildren(e);
  }
}

const SHAREABLE = new Set<Expr["kind"]>(["Call", "Cast", "BinaryExpr", "UnaryExpr", "GetField", "GetItem", "CaseWhen", "InList"]);

function worthSharing(e: Expr): boolean {
  return SHAREABLE.has(e.kind) && isDeterministic(e) && !hasLambdaVariable(e);
}

function hasLambdaVariable(e: Expr): boolean {
  return e.kind === "LambdaVariable" || e.kind === "LambdaFunction" || exprChildren(e).some(hasLambdaVariable);
}

const stateIds = new WeakMap<object, number>();
let nextStateId = 0;

/** A call's resolved state as text: plain data by value, anything else (functions, classes) by identity. */
function stateKey(state: unknown): string {
  if (state === undefined) return "";
  if (isPlainData(state)) return JSON.stringify(state, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x));
  let id = stateIds.get(state as object);
  if (id === undefined) stateIds.set(state as object, (id = nextStateId++));
  return `@${id}`;
}

function isPlainData(x: unknown): boolean {
  if (x === null || typeof x === "string" || typeof x === "number" || typeof x === "boolean" || typeof x === "bigint") return true;
  if (Array.isArray(x)) return x.every(isPlainData);
  if (typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype) return Object.values(x).every(isPlainData);
  return false;
}
