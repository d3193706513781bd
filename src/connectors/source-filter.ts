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

/** `[IsNotNull(a), GreaterThan(a,5)]`, as Spark's EXPLAIN lists pushed filters (bigint-safe). */
export function sourceFiltersText(fs: readonly SourceFilter[]): string {
  const v = (x: unknown): string => (typeof x === "string" ? x : typeof x === "bigint" ? x.toString() : JSON.stringify(x) ?? String(x));
  const one = (f: SourceFilter): string => {
    switch (f.op) {
      case "=": return `EqualTo(${f.column},${v(f.value)})`;
      case "<=>": return `EqualNullSafe(${f.column},${v(f.value)})`;
      case "<": return `LessThan(${f.column},${v(f.value)})`;
      case "<=": return `LessThanOrEqual(${f.column},${v(f.value)})`;
      case ">": return `GreaterThan(${f.column},${v(f.value)})`;
      case ">=": return `GreaterThanOrEqual(${f.column},${v(f.value)})`;
      case "in": return `In(${f.column}, [${f.values.map(v).join(",")}])`;
      case "isNull": return `IsNull(${f.column})`;
      case "isNotNull": return `IsNotNull(${f.column})`;
      case "startsWith": return `StringStartsWith(${f.column},${f.prefix})`;
      case "and": return `And(${one(f.left)},${one(f.right)})`;
      case "or": return `Or(${one(f.left)},${one(f.right)})`;
      case "not": return `Not(${one(f.child)})`;
    }
  };
  return `[${fs.map(one).join(", ")}]`;
}
