import type { ColumnChunk, RowGroup } from "hyparquet";
import type { DataType, StructType } from "../../types/data-type.js";
import { normalizeLong } from "../../types/long.js";
import { fieldIndex } from "../../types/schema.js";
import { type Tri, compareValues } from "../files/partition-filter.js";
import type { SourceFilter } from "../source-filter.js";

interface ColumnStats {
  readonly min: unknown;
  readonly max: unknown;
  readonly nullCount: number | null;
  readonly numRows: number;
}

/** Types whose Parquet min/max hyparquet decodes exactly into internal values. */
const PRUNABLE = new Set<DataType["kind"]>(["boolean", "byte", "short", "int", "long", "float", "double", "string", "date", "timestamp"]);

function statsOf(chunk: ColumnChunk | undefined, t: DataType, numRows: number): ColumnStats | null {
  const s = chunk?.meta_data?.statistics;
  if (s === undefined) return null;
  const norm = (v: unknown): unknown => {
    if (v === undefined || !PRUNABLE.has(t.kind)) return undefined;
    if (typeof v === "bigint") return t.kind === "long" ? normalizeLong(v) : Number(v);
    if (typeof v === "number" && Number.isNaN(v)) return undefined;
    if (t.kind === "timestamp" && typeof v === "number") return v;
    return v instanceof Date || v instanceof Uint8Array ? undefined : v;
  };
  return {
    min: norm(s.min_value ?? s.min),
    max: norm(s.max_value ?? s.max),
    nullCount: s.null_count === undefined ? null : Number(s.null_count),
    numRows,
  };
}

/**
 * False when a row group's min/max/null-count statistics prove no row can satisfy `f`; null
 * (unknown) or true otherwise. Only top-level columns are used.
 */
export function rowGroupMayMatch(f: SourceFilter, group: RowGroup, schema: StructType, chunkIndex: ReadonlyMap<string, number>): Tri {
  const numRows = Number(group.num_rows);
  const stats = (column: string): ColumnStats | null => {
    const i = fieldIndex(schema, column);
    if (i < 0) return null;
    const name = schema.fields[i]!.name;
    const ci = chunkIndex.get(name);
    return ci === undefined ? null : statsOf(group.columns[ci], schema.fields[i]!.dataType, numRows);
  };
  return evalStats(f, stats);
}

function evalStats(f: SourceFilter, stats: (c: string) => ColumnStats | null): Tri {
  switch (f.op) {
    case "and": {
      const l = evalStats(f.left, stats), r = evalStats(f.right, stats);
      return l === false || r === false ? false : null;
    }
    case "or": {
      const l = evalStats(f.left, stats), r = evalStats(f.right, stats);
      return l === false && r === false ? false : null;
    }
    case "not": return null;
    default: break;
  }
  const s = stats(f.column);
  if (s === null) return null;
  const allNull = s.nullCount !== null && s.nullCount === s.numRows;
  if (f.op === "isNull") return s.nullCount === 0 ? false : null;
  if (f.op === "isNotNull") return allNull ? false : null;
  if (allNull) return f.op === "<=>" && f.value === null ? null : false;
  const { min, max } = s;
  const known = min !== undefined && max !== undefined;
  switch (f.op) {
    case "<=>":
      if (f.value === null) return s.nullCount === 0 ? false : null;
      return known && (compareValues(f.value, min) < 0 || compareValues(f.value, max) > 0) ? false : null;
    case "=":
      if (f.value === null || f.value === undefined) return false;
      return known && (compareValues(f.value, min) < 0 || compareValues(f.value, max) > 0) ? false : null;
    case "<": return min !== undefined && f.value !== null && compareValues(min, f.value) >= 0 ? false : null;
    case "<=": return min !== undefined && f.value !== null && compareValues(min, f.value) > 0 ? false : null;
    case ">": return max !== undefined && f.value !== null && compareValues(max, f.value) <= 0 ? false : null;
    case ">=": return max !== undefined && f.value !== null && compareValues(max, f.value) < 0 ? false : null;
    case "in":
      return known && f.values.every((v) => v === null || compareValues(v, min) < 0 || compareValues(v, max) > 0) ? false : null;
    case "startsWith": {
      if (typeof min !== "string" || typeof max !== "string") return null;
      if (max < f.prefix && !max.startsWith(f.prefix)) return false;
      if (min > f.prefix && !min.startsWith(f.prefix)) return false;
      return null;
    }
  }
}
