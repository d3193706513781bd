import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DataFrame, Session, parseSchemaDDL } from "../../src/index.js";
import type { LogicalPlan } from "../../src/plan/logical-plan.js";
import { explainLogical } from "../../src/plan/explain-logical.js";
import type { OptimizerContext, Rule } from "../../src/optimizer/rule.js";

/** A session of its own for optimizer tests. */
export const spark = Session.builder().appName("optimizer-tests").create();

/** Plan text with attribute ids renumbered by first appearance (#1, #2, ...), so tests do not depend on the id counter. */
export function planText(p: LogicalPlan): string {
  const ids = new Map<string, number>();
  return explainLogical(p).replace(/#(\d+)/g, (_m, id: string) => {
    let n = ids.get(id);
    if (n === undefined) ids.set(id, (n = ids.size + 1));
    return `#${n}`;
  });
}

/** Applies `rule` alone to the analyzed plan of `df` and checks the plan text before and after. */
export function checkRule(rule: Rule, df: DataFrame | LogicalPlan, before: string, after: string, ctx?: OptimizerContext): LogicalPlan {
  const plan = "plan" in df ? df.plan : df;
  assert.equal(planText(plan), before, "plan before the rule");
  const out = rule.apply(plan, ctx);
  assert.equal(planText(out), after, "plan after the rule");
  if (before === after) assert.equal(out, plan, "an unchanged plan must be the same object");
  return out;
}

/** The rule leaves the plan as it is, as the same object. */
export function checkUnchanged(rule: Rule, df: DataFrame | LogicalPlan, text: string, ctx?: OptimizerContext): void {
  checkRule(rule, df, text, text, ctx);
}

/** A temp directory holding `name` with `content`; returns the file's path. */
export function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), "sluice-opt-"));
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** An untyped DataFrame of `rows` with the schema `ddl`. */
export function table(rows: readonly Record<string, unknown>[], ddl: string): DataFrame {
  return spark.createDataFrame(rows, parseSchemaDDL(ddl));
}

export const t1 = (): DataFrame => table([{ word: "a", n: 1 }, { word: "b", n: 2 }], "word STRING, n INT");
export const t2 = (): DataFrame => table([{ k: "a", m: 1 }], "k STRING, m BIGINT");
