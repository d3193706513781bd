import { ParseError } from "../errors/errors.js";
import { Expr } from "../expr/expression.js";
import { type LogicalPlan, Plan } from "../plan/logical-plan.js";
import { tokenize } from "./lexer.js";
import type { Token } from "./token.js";

/** What the hints after SELECT ask for. */
export interface SelectHints {
  /** Lower-case names of relations to broadcast (BROADCAST, BROADCASTJOIN, MAPJOIN). */
  readonly broadcast: ReadonlySet<string>;
  /** REPARTITION(n[, cols]) / REPARTITION(cols) / COALESCE(n), outermost last; numPartitions 0 = session default. */
  readonly repartition: readonly { readonly numPartitions: number; readonly exprs: readonly Expr[]; readonly shuffle: boolean }[];
}

const BROADCAST_NAMES = new Set(["BROADCAST", "BROADCASTJOIN", "MAPJOIN"]);

/**
 * Reads `/*+ BROADCAST(t), REPARTITION(4) *\/` hint comments. Unknown hints are ignored, as Spark
 * ignores them (with a warning); malformed ones are syntax errors pointing into the comment.
 */
export function parseHints(hintTokens: readonly Token[], text: string): SelectHints {
  const broadcast = new Set<string>();
  const repartition: { numPartitions: number; exprs: Expr[]; shuffle: boolean }[] = [];
  for (const h of hintTokens) {
    // Lex the hint body in place (everything before it blanked) so positions match the source.
    const bodyStart = h.start + 3;
    const shadow = text.slice(0, bodyStart).replace(/[^\n]/g, " ") + h.value;
    const toks = tokenize(shadow).tokens;
    let i = 0;
    const fail = (t: Token, expected: string): never => {
      throw new ParseError(`Syntax error in hint at or near '${t.text || "*/"}': expected ${expected}.`, t.line, t.column, text, t.end - t.start);
    };
    while (toks[i]!.type !== "eof") {
      const nameTok = toks[i]!;
      if (nameTok.type !== "ident") fail(nameTok, "a hint name such as BROADCAST");
      i++;
      const args: Token[][] = [];
      if (toks[i]!.type === "op" && toks[i]!.value === "(") {
        i++;
        let cur: Token[] = [];
        while (!(toks[i]!.type === "op" && toks[i]!.value === ")")) {
          const t = toks[i]!;
          if (t.type === "eof") fail(t, "')'");
          if (t.type === "op" && t.value === ",") {
            args.push(cur);
            cur = [];
          } else cur.push(t);
          i++;
        }
        args.push(cur);
        i++;
      }
      const name = nameTok.upper;
      if (BROADCAST_NAMES.has(name)) {
        for (const a of args) {
          const last = a[a.length - 1];
          if (!last || (last.type !== "ident" && last.type !== "quoted")) fail(last ?? nameTok, "a table name");
          broadcast.add((last.type === "quoted" ? last.value : last.text).toLowerCase());
        }
      } else if (name === "REPARTITION" || name === "COALESCE") {
        let n = 0;
        const exprs: Expr[] = [];
        for (const [k, a] of args.entries()) {
          const t = a[0];
          if (k === 0 && t?.type === "number" && a.length === 1) n = Number(t.text);
          else if (name === "REPARTITION" && t && (t.type === "ident" || t.type === "quoted")) exprs.push(Expr.columnParts(a.filter((x) => x.type !== "op").map((x) => (x.type === "quoted" ? x.value : x.text))));
          else fail(t ?? nameTok, name === "COALESCE" ? "a number of partitions" : "a number of partitions or column names");
        }
        repartition.push({ numPartitions: n, exprs, shuffle: name === "REPARTITION" });
      }
      if (toks[i]!.type === "op" && toks[i]!.value === ",") i++;
    }
  }
  return { broadcast, repartition };
}

/** Wraps the relations named in `names` (by alias, or a table's last name part) in a broadcast hint. */
export function applyBroadcastHints(plan: LogicalPlan, names: ReadonlySet<string>): LogicalPlan {
  switch (plan.kind) {
    case "Join":
      return Plan.join(applyBroadcastHints(plan.left, names), applyBroadcastHints(plan.right, names), plan.joinType, plan.condition, plan.usingColumns);
    case "Generate":
      return Plan.generate(plan.generator, plan.outer, plan.outputNames, plan.keepChildOutput, applyBroadcastHints(plan.child, names), plan.generatorOutput);
    case "SubqueryAlias":
      return names.has(plan.alias.toLowerCase()) ? Plan.hint("broadcast", plan) : plan;
    case "UnresolvedRelation":
      return names.has(plan.nameParts[plan.nameParts.length - 1]!.toLowerCase()) ? Plan.hint("broadcast", plan) : plan;
    default:
      return plan;
  }
}
