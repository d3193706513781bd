import { Expr, type WindowSpec } from "../expr/expression.js";
import { transformExprDown } from "../expr/expr-tree.js";

/**
 * `fn(...) OVER w` is parsed before `WINDOW w AS (...)` is read, so the window is first a
 * placeholder spec remembered here, and the query parser swaps in the definition once the
 * WINDOW clause is known (Spark's WithWindowDefinition, done at parse time).
 */
const placeholders = new WeakMap<WindowSpec, string>();

export function namedWindowPlaceholder(name: string): WindowSpec {
  const spec: WindowSpec = Object.freeze({ partitionBy: Object.freeze([]), orderBy: Object.freeze([]), frame: null });
  placeholders.set(spec, name);
  return spec;
}

/** The window name a placeholder stands for, or undefined for a real spec. */
export function placeholderName(spec: WindowSpec): string | undefined {
  return placeholders.get(spec);
}

/**
 * Replaces every `OVER name` placeholder in `e` by its definition from `defs` (keys lower case).
 * `missing` is called (and must throw) for a name with no definition.
 */
export function substituteNamedWindows(e: Expr, defs: ReadonlyMap<string, WindowSpec>, missing: (name: string) => never): Expr {
  return transformExprDown(e, (x) => {
    if (x.kind !== "WindowExpr") return undefined;
    const name = placeholders.get(x.spec);
    if (name === undefined) return undefined;
    const spec = defs.get(name.toLowerCase()) ?? missing(name);
    const fn = substituteNamedWindows(x.fn, defs, missing);
    return Expr.window(fn, spec);
  });
}

/** True when `e` contains an `OVER name` placeholder. */
export function hasNamedWindow(e: Expr): boolean {
  let found = false;
  transformExprDown(e, (x) => {
    if (found) return x;
    if (x.kind === "WindowExpr" && placeholders.has(x.spec)) found = true;
    return undefined;
  });
  return found;
}
