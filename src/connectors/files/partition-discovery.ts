import * as path from "node:path";
import { AnalysisError } from "../../errors/errors.js";
import {
  type DataType, DateType, DoubleType, IntegerType, LongType, StringType, type StructField, type StructType, TimestampType,
  decimalType, sameType, structField, structType,
} from "../../types/data-type.js";
import { fieldIndex } from "../../types/schema.js";
import { DatetimeCodec } from "./datetime-codec.js";
import type { FileInfo } from "./file-info.js";
import { parsePartitionSegments } from "./partition-path.js";
import { BAD_VALUE, parseDoubleText, parseLongText, textConverter } from "./text-value.js";

/** A data file with the values of its partition columns (internal values, partition schema order). */
export interface PartitionedFile {
  readonly file: FileInfo;
  readonly partitionValues: readonly unknown[];
}

export interface DiscoveredPartitions {
  readonly partitionSchema: StructType;
  readonly files: readonly PartitionedFile[];
}

/**
 * Finds `k=v` directories between each file and its base path and types the values as Spark
 * does: int, then long, decimal, double, date, timestamp, else string; a column's type is the
 * widest over all its values, and all-null columns are strings. A user schema that names a
 * partition column fixes its type.
 */
export function discoverPartitions(
  files: readonly FileInfo[],
  basePaths: readonly string[],
  userSchema: StructType | null,
  timeZone: string,
  enabled = true,
): DiscoveredPartitions {
  if (!enabled || files.length === 0) {
    return { partitionSchema: structType([]), files: files.map((file) => ({ file, partitionValues: [] })) };
  }
  let names: string[] | null = null;
  const raws: (string | null)[][] = [];
  for (let i = 0; i < files.length; i++) {
    const rel = path.relative(basePaths[i]!, path.dirname(files[i]!.path));
    const parsed = parsePartitionSegments(rel.split(path.sep).join("/")) ?? { names: [], values: [] };
    if (names === null) names = parsed.names;
    else if (names.join("/") !== parsed.names.join("/")) {
      throw new AnalysisError(
        "CONFLICTING_DIRECTORY_STRUCTURES",
        `Conflicting directory structures detected: partition columns (${names.join(", ")}) vs (${parsed.names.join(", ")}) under ${basePaths[i]}. ` +
          `If provided paths are partition directories, please set "basePath" in the options of the data source to specify the root directory of the table.`,
      );
    }
    raws.push(parsed.values);
  }
  const colNames = names ?? [];
  const codec = new DatetimeCodec(undefined, undefined, timeZone);
  const fields: StructField[] = colNames.map((name, c) => {
    const userIdx = userSchema ? fieldIndex(userSchema, name) : -1;
    if (userSchema && userIdx >= 0) return structField(userSchema.fields[userIdx]!.name, userSchema.fields[userIdx]!.dataType, true);
    let t: DataType | null = null;
    for (const r of raws) {
      const v = r[c];
      if (v === null || v === undefined) continue;
      const vt = inferPartitionValueType(v);
      t = t === null ? vt : widenPartitionType(t, vt);
    }
    return structField(name, t ?? StringType, true);
  });
  const convs = fields.map((f) => textConverter(f.dataType, codec));
  const out = files.map((file, i) => ({
    file,
    partitionValues: raws[i]!.map((v, c) => {
      if (v === null) return null;
      const x = convs[c]!(v);
      return x === BAD_VALUE ? null : x;
    }),
  }));
  return { partitionSchema: structType(fields), files: out };
}

export function inferPartitionValueType(v: string): DataType {
  if (/^[+-]?\d+$/.test(v)) {
    const n = Number(v);
    if (n >= -2147483648 && n <= 2147483647) return IntegerType;
    if (parseLongText(v) !== BAD_VALUE) return LongType;
    const digits = v.replace(/^[+-]/, "").length;
    if (digits <= 38) return decimalType(digits, 0);
    return DoubleType;
  }
  if (parseDoubleText(v) !== BAD_VALUE && /\d/.test(v) && !/[dDfF]$/.test(v)) return DoubleType;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return DateType;
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?$/.test(v)) return TimestampType;
  return StringType;
}

const NUMERIC_RANK: Partial<Record<DataType["kind"], number>> = { int: 1, long: 2, decimal: 3, double: 4 };

function widenPartitionType(a: DataType, b: DataType): DataType {
  if (sameType(a, b)) return a;
  const ra = NUMERIC_RANK[a.kind], rb = NUMERIC_RANK[b.kind];
  if (ra !== undefined && rb !== undefined) {
    if (a.kind === "decimal" && b.kind === "decimal") return decimalType(Math.max(a.precision, b.precision), 0);
    if (a.kind === "decimal" && (b.kind === "int" || b.kind === "long")) return a.precision >= 20 ? a : decimalType(20, 0);
    if (b.kind === "decimal" && (a.kind === "int" || a.kind === "long")) return b.precision >= 20 ? b : decimalType(20, 0);
    return ra >= rb ? a : b;
  }
  if ((a.kind === "date" && b.kind === "timestamp") || (a.kind === "timestamp" && b.kind === "date")) return TimestampType;
  return StringType;
}
