import { AnalysisError } from "../errors/errors.js";
import { type AttributeRef, type Expr, Expr as E } from "../expr/expression.js";
import { exprType } from "../expr/expr-type.js";
import type { DataType } from "../types/data-type.js";

export interface NameMatch {
  /** The attribute matched by the leading part(s). */
  readonly attr: AttributeRef;
  /** Remaining parts: struct field accesses. */
  readonly rest: readonly string[];
}

const eq = (a: string, b: string, cs: boolean): boolean => (cs ? a === b : a.toLowerCase() === b.toLowerCase());

/**
 * Finds the attribute named by `parts` among `input`: `t.a.f` may be qualifier `t`, column `a`,
 * field `f`, or column `t` with fields `a.f`. A qualified match wins, as in Spark.
 * Returns undefined when nothing matches; throws when the name is ambiguous.
 */
export function matchName(parts: readonly string[], input: readonly AttributeRef[], caseSensitive: boolean): NameMatch | undefined {
  if (parts.length >= 2) {
    const q = input.filter((a) => a.qualifier.length > 0 && eq(a.qualifier[a.qualifier.length - 1]!, parts[0]!, caseSensitive) && eq(a.name, parts[1]!, caseSensitive));
    if (q.length === 1) return { attr: q[0]!, rest: parts.slice(2) };
    if (q.length > 1) ambiguous(parts.slice(0, 2).join("."), q);
  }
  const direct = input.filter((a) => eq(a.name, parts[0]!, caseSensitive));
  const unique = dedupeById(direct);
  if (unique.length === 1) return { attr: unique[0]!, rest: parts.slice(1) };
  if (unique.length > 1) ambiguous(parts[0]!, unique);
  return undefined;
}

function dedupeById(as: AttributeRef[]): AttributeRef[] {
  const seen = new Set<number>();
  return as.filter((a) => (seen.has(a.id) ? false : (seen.add(a.id), true)));
}

function ambiguous(name: string, matches: readonly AttributeRef[]): never {
  const cands = matches.map((a) => `\`${[...a.qualifier, a.name].join("`.`")}\``).join(", ");
  throw new AnalysisError("AMBIGUOUS_REFERENCE", `[AMBIGUOUS_REFERENCE] Reference \`${name}\` is ambiguous, could be: [${cands}].`);
}

/** Applies struct field accesses (`rest`) to an expression of struct type. */
export function extractFields(base: Expr, rest: readonly string[], caseSensitive: boolean, fullName: string): Expr {
  let e = base;
  for (const part of rest) {
    const t: DataType = exprType(e);
    if (t.kind !== "struct") {
      throw new AnalysisError("INVALID_EXTRACT_BASE_FIELD_TYPE", `[INVALID_EXTRACT_BASE_FIELD_TYPE] Can't extract a value from "${fullName}": it needs a STRUCT but \`${part}\` is applied to a value of type ${t.kind.toUpperCase()}.`);
    }
    const idx = t.fields.findIndex((f) => eq(f.name, part, caseSensitive));
    if (idx < 0) {
      throw new AnalysisError("FIELD_NOT_FOUND", `[FIELD_NOT_FOUND] No such struct field \`${part}\` in ${t.fields.map((f) => `\`${f.name}\``).join(", ")}.`);
    }
    e = E.getField(e, idx, t.fields[idx]!.name, t.fields[idx]!.dataType);
  }
  return e;
}

/** The error for a name that matched nothing, with the closest candidates as Spark suggests them. */
export function unresolvedColumnError(parts: readonly string[], input: readonly AttributeRef[]): AnalysisError {
  const name = parts.map((p) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? p : "`" + p + "`")).join(".");
  const candidates = input.map((a) => [...a.qualifier, a.name].map((p) => "`" + p + "`").join("."));
  const target = parts.join(".").toLowerCase();
  const ranked = [...new Set(candidates)]
    .map((c) => ({ c, d: editDistance(c.replace(/`/g, "").toLowerCase(), target) }))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, 5)
    .map((x) => x.c);
  if (ranked.length === 0) {
    return new AnalysisError("UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", `[UNRESOLVED_COLUMN.WITHOUT_SUGGESTION] A column or function parameter with name \`${name}\` cannot be resolved.`);
  }
  return new AnalysisError(
    "UNRESOLVED_COLUMN.WITH_SUGGESTION",
    `[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column or function parameter with name \`${name}\` cannot be resolved. Did you mean one of the following? [${ranked.join(", ")}].`,
  );
}

export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}
