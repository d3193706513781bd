import type { Expr } from "../expr/expression.js";

/** One item of GROUP BY as written. */
export type GroupItem =
  | { readonly kind: "expr"; readonly expr: Expr }
  | { readonly kind: "cube" | "rollup"; readonly elements: readonly (readonly Expr[])[] }
  | { readonly kind: "sets"; readonly sets: readonly (readonly Expr[])[] };

/**
 * Turns GROUP BY items into grouping expressions and, when CUBE, ROLLUP or GROUPING SETS appear,
 * the list of grouping sets (the cross product of the items, in Spark's order:
 * `a, CUBE(b, c)` → (a,b,c), (a,b), (a,c), (a)). `sets` is null for a plain GROUP BY.
 */
export function expandGroupItems(items: readonly GroupItem[]): { groupingExprs: Expr[]; sets: Expr[][] | null } {
  const groupingExprs = dedupe(items.flatMap((i) => (i.kind === "expr" ? [i.expr] : i.kind === "sets" ? i.sets.flat() : i.elements.flat())));
  if (items.every((i) => i.kind === "expr")) return { groupingExprs, sets: null };
  let sets: Expr[][] = [[]];
  for (const item of items) {
    const choices = setsOf(item);
    const next: Expr[][] = [];
    for (const prefix of sets) for (const c of choices) next.push(dedupe([...prefix, ...c]));
    sets = next;
  }
  return { groupingExprs, sets };
}

function setsOf(item: GroupItem): Expr[][] {
  switch (item.kind) {
    case "expr": return [[item.expr]];
    case "sets": return item.sets.map((s) => [...s]);
    case "rollup": {
      const out: Expr[][] = [];
      for (let n = item.elements.length; n >= 0; n--) out.push(item.elements.slice(0, n).flat());
      return out;
    }
    case "cube": {
      // All subsets, largest first, keeping element order: (a,b), (a), (b), ()
      const els = item.elements;
      const out: Expr[][] = [];
      const total = 1 << els.length;
      for (let mask = total - 1; mask >= 0; mask--) {
        const subset: Expr[] = [];
        for (let i = 0; i < els.length; i++) if (mask & (1 << (els.length - 1 - i))) subset.push(...els[i]!);
        out.push(subset);
      }
      return out;
    }
  }
}

/** Removes structurally equal repeats, keeping the first. */
function dedupe(exprs: readonly Expr[]): Expr[] {
  const seen = new Set<string>();
  const out: Expr[] = [];
  for (const e of exprs) {
    const k = exprKey(e);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(e);
    }
  }
  return out;
}

/** A structural key of an unresolved expression (ids left out). */
export function exprKey(e: Expr): string {
  return JSON.stringify(e, (k, v: unknown) => {
    if (k === "id") return undefined;
    if (typeof v === "bigint") return `${v}n`;
    if (v instanceof Uint8Array) return `0x${Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("")}`;
    return v;
  });
}
