import type { Expr } from "./expression.js";
import { exprExists } from "./expr-tree.js";
import type { ExecFunctionContext } from "./function-def.js";

/** Whether any of `exprs` calls a function that reads the query's time (current_timestamp(), ...). */
export function readsQueryTime(exprs: readonly (Expr | null)[]): boolean {
  return exprs.some((e) => e !== null && exprExists(e, (x) => x.kind === "Call" && (x.fn.readsQueryTime === true || (x.fn.readsQueryTime === "withoutArguments" && x.args.length === 0))));
}

/**
 * Whether code compiled for `compiled` computes the same in `now`: the same session time zone
 * and ANSI mode, and the same query time when the code reads it (a micro-batch's plan compiled
 * for batch N serves batch N+1 unless it calls current_timestamp()).
 */
export function sameFunctionContext(compiled: ExecFunctionContext, now: ExecFunctionContext, readsTime: boolean): boolean {
  return compiled === now || (compiled.timeZone === now.timeZone && compiled.ansi === now.ansi && (!readsTime || compiled.currentTimestampMicros === now.currentTimestampMicros));
}

/**
 * Something compiled for a function context (a generated kernel), kept for later runs while the
 * context computes the same for the expressions it was compiled from (see sameFunctionContext).
 */
export class CompiledForContext<T> {
  private kept: { readonly fctx: ExecFunctionContext; readonly value: T } | null = null;
  private readsTime: boolean | undefined;

  /** The kept value when it serves `fctx`; `exprs` (asked once) are what it computes. */
  get(fctx: ExecFunctionContext, exprs: () => readonly (Expr | null)[]): T | undefined {
    if (this.kept === null) return undefined;
    this.readsTime ??= readsQueryTime(exprs());
    return sameFunctionContext(this.kept.fctx, fctx, this.readsTime) ? this.kept.value : undefined;
  }

  set(fctx: ExecFunctionContext, value: T): T {
    this.kept = { fctx, value };
    return value;
  }
}
