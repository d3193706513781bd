import {
  BooleanType, type DataType, DateType, DoubleType, IntegerType, LongType, NullType, StringType, type StructType, TimestampType,
  decimalType, sameType, structField, structType,
} from "../../types/data-type.js";
import type { FileInfo } from "../files/file-info.js";
import { readTextPrefixSync, readTextFileSync } from "../files/text-file-io.js";
import { BAD_VALUE, parseBooleanText, parseDoubleText, parseLongText } from "../files/text-value.js";
import { type CsvOptions, csvOptions } from "./csv-options.js";
import { parseCsvText } from "./csv-parser.js";

/**
 * Infers a CSV schema: column names from the header (else `_c0`, `_c1`, ...), and with
 * `inferSchema` each column's type as Spark tries them: int, long, decimal (integers beyond
 * 64 bits), double, date (preferDate), timestamp, boolean, else string; widened over rows.
 */
export function inferCsvSchema(files: readonly FileInfo[], options: Readonly<Record<string, string>>, timeZone: string): StructType {
  const o = csvOptions(options, timeZone);
  const first = files[0];
  if (first === undefined) return structType([]);
  let names: string[] | null = null;
  let types: DataType[] = [];
  let seed = 7;
  for (const f of files) {
    const text = o.inferSchema ? readTextFileSync(f.path, o.encoding) : readTextPrefixSync(f.path, 1 << 20);
    let isFirst = true;
    parseCsvText(text, o, (rec) => {
      if (isFirst) {
        isFirst = false;
        if (names === null) {
          names = headerNames(rec.fields.slice(0, rec.count), o.header);
          types = names.map(() => NullType);
        }
        if (o.header) return o.inferSchema;
      }
      if (!o.inferSchema) return false;
      if (o.samplingRatio < 1) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        if (seed / 2147483648 >= o.samplingRatio) return true;
      }
      for (let c = 0; c < types.length && c < rec.count; c++) {
        const v = rec.fields[c]!;
        if (v === o.nullValue && rec.quoted[c] === 0) continue;
        if (v === "" ) continue;
        const t = types[c]!;
        if (t.kind === "string") continue;
        const vt = inferField(v, o);
        types[c] = sameType(t, vt) ? t : mergeCsvTypes(t, vt);
      }
      return true;
    });
    if (!o.inferSchema && names !== null) break;
  }
  const n: string[] = names ?? [];
  return structType(n.map((name, i) => structField(name, !o.inferSchema || types[i]!.kind === "null" ? StringType : types[i]!, true)));
}

/** Header names as Spark makes them: empty → `_c<i>`, duplicates get their index appended. */
export function headerNames(fields: readonly string[], header: boolean): string[] {
  if (!header) return fields.map((_, i) => `_c${i}`);
  const raw = fields.map((f, i) => (f === "" ? `_c${i}` : f));
  const counts = new Map<string, number>();
  for (const r of raw) counts.set(r.toLowerCase(), (counts.get(r.toLowerCase()) ?? 0) + 1);
  return raw.map((r, i) => ((counts.get(r.toLowerCase()) ?? 0) > 1 ? `${r}${i}` : r));
}

function inferField(v: string, o: CsvOptions): DataType {
  if (/^[+-]?\d+$/.test(v)) {
    const n = Number(v);
    if (n >= -2147483648 && n <= 2147483647) return IntegerType;
    if (parseLongText(v) !== BAD_VALUE) return LongType;
    const digits = v.replace(/^[+-]/, "").length;
    return digits <= 38 ? decimalType(digits, 0) : DoubleType;
  }
  if (parseDoubleText(v, o.words) !== BAD_VALUE) return DoubleType;
  if (o.preferDate && o.datetime.parseDateStrict(v) !== null) return DateType;
  if (/\d/.test(v) && o.datetime.parseTimestamp(v) !== null) return TimestampType;
  if (parseBooleanText(v) !== BAD_VALUE) return BooleanType;
  return StringType;
}

const RANK: Partial<Record<DataType["kind"], number>> = { int: 1, long: 2, decimal: 3, double: 4 };

export function mergeCsvTypes(a: DataType, b: DataType): DataType {
  if (a.kind === "null") return b;
  if (b.kind === "null") return a;
  if (sameType(a, b)) return a;
  const ra = RANK[a.kind], rb = RANK[b.kind];
  if (ra !== undefined && rb !== undefined) {
    if (a.kind === "decimal" && b.kind === "decimal") return decimalType(Math.max(a.precision, b.precision), 0);
    if (a.kind === "decimal" && rb < 3) return a.precision >= 20 ? a : decimalType(20, 0);
    if (b.kind === "decimal" && ra < 3) return b.precision >= 20 ? b : decimalType(20, 0);
    return ra > rb ? a : b;
  }
  if ((a.kind === "date" && b.kind === "timestamp") || (a.kind === "timestamp" && b.kind === "date")) return TimestampType;
  return StringType;
}
