import { type Expr, Expr as E } from "../expr/expression.js";
import { transformExprDown } from "../expr/expr-tree.js";
import { exprType } from "../expr/expr-type.js";
import type { ExecFunctionContext } from "../expr/function-def.js";
import { evalConstant, isFoldable } from "../physical/codegen/constant-eval.js";
import { type LogicalPlan, transformUp } from "../plan/logical-plan.js";
import { mapExprsIfChanged } from "./optimizer-helpers.js";
import type { OptimizerContext, Rule } from "./rule.js";

/**
 * Replaces constant sub-expressions by literals: `1 + 2 * 3` -> `7`, `upper('a')` -> `'A'`.
 *
 * A sub-expression is folded only when evaluating it succeeds and gives the same value in every
 * setting it could run with: ANSI on and off when `sluice.sql.ansi.enabled` is not known, several
 * time zones when the session zone is not known, and two different query start times (so
 * `current_timestamp()` and what derives from it stay per query, as each micro-batch needs).
 * An expression that would fail at run time is left as it is, so a failure that a query might
 * never reach (a CASE branch never taken) does not become a failure of every query.
 *
 * @example
 * // Project [(1 + (2 * 3)) AS c#1, CASE WHEN (n#2 > 0) THEN 1 ELSE (1 DIV 0) END AS d#3]
 * // becomes
 * // Project [7 AS c#1, CASE WHEN (n#2 > 0) THEN 1 ELSE (1 DIV 0) END AS d#3]
 */
export const constantFoldingRule: Rule = {
  name: "ConstantFolding",
  apply(plan: LogicalPlan, ctx: OptimizerContext = {}): LogicalPlan {
    const contexts = evaluationContexts(ctx);
    const fold = (e: Expr): Expr => foldExpr(e, contexts);
    return transformUp(plan, (p) => mapExprsIfChanged(p, fold));
  },
};

/** Two query start times, 400 days and some hours apart, so date- and time-derived values differ. */
const T1 = 1_700_000_000_000_000;
const T2 = T1 + 400 * 86_400_000_000 + 7 * 3_600_000_000 + 1_234_567;
/** Zones with odd offsets and DST rules of their own: a zone-dependent result differs between them. */
const PROBE_ZONES = ["UTC", "Asia/Kathmandu", "America/St_Johns", "Australia/Lord_Howe"];

function evaluationContexts(ctx: OptimizerContext): ExecFunctionContext[] {
  const zones = ctx.timeZone !== undefined ? [ctx.timeZone] : PROBE_ZONES;
  const modes = ctx.ansi !== undefined ? [ctx.ansi] : [true, false];
  const out: ExecFunctionContext[] = [];
  let k = 0;
  for (const timeZone of zones) {
    for (const ansi of modes) out.push({ timeZone, ansi, currentTimestampMicros: k++ % 2 === 0 ? T1 : T2 });
  }
  if (out.length === 1) out.push({ ...out[0]!, currentTimestampMicros: T2 });
  return out;
}

/** Expressions known not to fold under given contexts (keyed by the contexts' description). */
const failures = new WeakMap<Expr, Set<string>>();

function foldExpr(e: Expr, contexts: readonly ExecFunctionContext[]): Expr {
  const key = contexts.map((c) => `${c.timeZone}/${c.ansi}`).join(",");
  return transformExprDown(e, (x) => {
    // Names and sort directions are not values; lambdas are folded only as part of a whole call.
    if (x.kind === "Literal" || x.kind === "Alias" || x.kind === "SortOrder" || x.kind === "LambdaFunction") return undefined;
    if (!isFoldable(x) || failures.get(x)?.has(key)) return undefined;
    const folded = tryEvaluate(x, contexts);
    if (folded !== undefined) return folded;
    let s = failures.get(x);
    if (!s) failures.set(x, (s = new Set()));
    s.add(key);
    return undefined;
  });
}

/** The literal `e` evaluates to in every context, or undefined when evaluation fails or differs. */
function tryEvaluate(e: Expr, contexts: readonly ExecFunctionContext[]): Expr | undefined {
  let first: unknown;
  try {
    for (let i = 0; i < contexts.length; i++) {
      const v = evalConstant(e, contexts[i]);
      if (v === undefined) return undefined;
      if (i === 0) first = v;
      else if (!sameValue(first, v)) return undefined;
    }
  } catch {
    return undefined;
  }
  // Generated code prints numeric literals with String(), which loses the sign of -0.
  if (Object.is(first, -0)) return undefined;
  return E.literal(first, exprType(e));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    const ea = [...a.entries()], eb = [...b.entries()];
    return ea.every(([k, v], i) => sameValue(k, eb[i]![0]) && sameValue(v, eb[i]![1]));
  }
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object" && Object.getPrototypeOf(a) === Object.prototype && Object.getPrototypeOf(b) === Object.prototype) {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}
