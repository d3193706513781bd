/**
 * A filter in a form data sources understand without the expression engine (as Spark's
 * `sources.Filter`): column names and internal values only. The optimizer pushes the conjuncts
 * of a Filter it can translate into a scan; a source may use them to skip files, row groups or
 * rows, but the engine filters again above the scan, so ignoring them is always correct.
 */
export type SourceFilter =
  | { readonly op: "=" | "<=>" | "<" | "<=" | ">" | ">="; readonly column: string; readonly value: unknown }
  | { readonly op: "in"; readonly column: string; readonly values: readonly unknown[] }
  | { readonly op: "isNull" | "isNotNull"; readonly column: string }
  | { readonly op: "startsWith"; readonly column: string; readonly prefix: string }
  | { readonly op: "and" | "or"; readonly left: SourceFilter; readonly right: SourceFilter }
  | { readonly op: "not"; readonly child: SourceFilter };

/** The column names a filter mentions. */
export function filterColumns(f: SourceFilter): string[] {
  switch (f.op) {
    case "and": case "or": return [...filterColumns(f.left), ...filterColumns(f.right)];
    case "not": return filterColumns(f.child);
    default: return [f.column];
  }
}
