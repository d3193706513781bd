import type { StructType } from "../../types/data-type.js";
import { fieldIndex } from "../../types/schema.js";
import type { SourceFilter } from "../source-filter.js";

/** Three-valued result of a filter over what is known: definitely false, true, or unknown. */
export type Tri = boolean | null;

export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" || typeof b === "boolean") return Number(a) - Number(b);
  const x = a as number | bigint, y = b as number | bigint;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Evaluates a filter on a file's partition values. Filters on other columns are unknown (null),
 * so only files that definitely cannot match are pruned.
 */
export function evalPartitionFilter(f: SourceFilter, schema: StructType, values: readonly unknown[]): Tri {
  switch (f.op) {
    case "and": {
      const l = evalPartitionFilter(f.left, schema, values), r = evalPartitionFilter(f.right, schema, values);
      return l === false || r === false ? false : l === true && r === true ? true : null;
    }
    case "or": {
      const l = evalPartitionFilter(f.left, schema, values), r = evalPartitionFilter(f.right, schema, values);
      return l === true || r === true ? true : l === false && r === false ? false : null;
    }
    case "not": {
      const c = evalPartitionFilter(f.child, schema, values);
      return c === null ? null : !c;
    }
    default: {
      const i = fieldIndex(schema, f.column);
      if (i < 0) return null;
      const v = values[i] ?? null;
      switch (f.op) {
        case "isNull": return v === null;
        case "isNotNull": return v !== null;
        case "<=>":
          if (f.value === null || v === null) return f.value === null && v === null;
          return compareValues(v, f.value) === 0;
        case "in":
          if (v === null) return false;
          return f.values.some((x) => x !== null && compareValues(v, x) === 0);
        case "startsWith":
          return v === null ? false : typeof v === "string" && v.startsWith(f.prefix);
        default: {
          if (v === null || f.value === null || f.value === undefined) return false;
          const c = compareValues(v, f.value);
          switch (f.op) {
            case "=": return c === 0;
            case "<": return c < 0;
            case "<=": return c <= 0;
            case ">": return c > 0;
            case ">=": return c >= 0;
          }
        }
      }
    }
  }
}
