import { type Expr, Expr as E } from "../expr/expression.js";
import { parseExpression } from "../sql/index.js";
import { Column, type ColumnOrValue, colExpr, toExpr } from "./column.js";
import { literalExpr } from "./literal.js";

/**
 * The functions module, with PySpark's names. Arguments named `col` accept a Column or a column
 * name; other arguments take plain values (literals) or Columns.
 *
 * @example
 * import { functions as F, col } from "sluice";
 * df.groupBy("word").agg(F.count("*").alias("n"), F.max(col("ts")))
 */
type ColArg = Column | string;

const c = (x: ColArg): Expr => colExpr(x);
const v = (x: ColumnOrValue): Expr => toExpr(x);
const call = (name: string, args: readonly Expr[], distinct = false): Column => new Column(E.fn(name, args, { distinct }));

/** A column by name: `col("a")`, `col("t.a")`, `col("s.field")`, or `col("*")`. */
export function col<T = unknown>(name: string): Column<T> {
  return new Column<T>(name === "*" ? E.star() : E.column(name));
}
export const column = col;
/** A literal value (string, number, bigint, boolean, Date, null, Uint8Array, array). */
export function lit<T extends ColumnOrValue | Uint8Array | unknown[]>(value: T): Column {
  return value instanceof Column ? value : new Column(literalExpr(value));
}
/** A Spark SQL expression: `expr("CAST(a AS INT) + 1")`. */
export function expr(sqlText: string): Column {
  return new Column(parseExpression(sqlText));
}
/** Calls any built-in or registered function by name. */
export function call_function(name: string, ...args: ColumnOrValue[]): Column {
  return call(name, args.map(v));
}

// Conditional
export function when(condition: Column, value: ColumnOrValue): Column {
  return new Column(E.caseWhen([[condition.expr, v(value)]], null));
}
export const coalesce = (...cols: ColArg[]): Column => call("coalesce", cols.map(c));
export const isnull = (x: ColArg): Column<boolean> => new Column(E.unary("isnull", c(x)));
export const isnotnull = (x: ColArg): Column<boolean> => new Column(E.unary("isnotnull", c(x)));
export const isnan = (x: ColArg): Column<boolean> => new Column(E.unary("isnan", c(x)));
export const nvl = (a: ColArg, b: ColArg): Column => call("nvl", [c(a), c(b)]);
export const nullif = (a: ColArg, b: ColArg): Column => call("nullif", [c(a), c(b)]);
export const greatest = (...cols: ColArg[]): Column => call("greatest", cols.map(c));
export const least = (...cols: ColArg[]): Column => call("least", cols.map(c));
export const not = (x: ColArg): Column<boolean> => new Column(E.unary("not", c(x)));

// Sorting helpers
export const asc = (x: ColArg): Column => new Column(E.sortOrder(c(x), true));
export const desc = (x: ColArg): Column => new Column(E.sortOrder(c(x), false));
export const asc_nulls_last = (x: ColArg): Column => new Column(E.sortOrder(c(x), true, false));
export const desc_nulls_first = (x: ColArg): Column => new Column(E.sortOrder(c(x), false, true));

// Aggregates
export const count = (x: ColArg): Column => call("count", [x === "*" ? E.star() : c(x)]);
export const countDistinct = (x: ColArg, ...more: ColArg[]): Column => call("count", [x, ...more].map(c), true);
/** In cube/rollup/grouping sets: 1 when `x` is aggregated away in this row's grouping set, else 0. */
export const grouping = (x: ColArg): Column => call("grouping", [c(x)]);
/** In cube/rollup/grouping sets: the bits of grouping() of the given columns (all grouping columns when none). */
export const grouping_id = (...cols: ColArg[]): Column => call("grouping_id", cols.map(c));
export const count_distinct = countDistinct;
export const sum = (x: ColArg): Column => call("sum", [c(x)]);
export const sum_distinct = (x: ColArg): Column => call("sum", [c(x)], true);
export const avg = (x: ColArg): Column => call("avg", [c(x)]);
export const mean = avg;
export const min = (x: ColArg): Column => call("min", [c(x)]);
export const max = (x: ColArg): Column => call("max", [c(x)]);
export const first = (x: ColArg, ignoreNulls = false): Column => call("first", [c(x), literalExpr(ignoreNulls)]);
export const last = (x: ColArg, ignoreNulls = false): Column => call("last", [c(x), literalExpr(ignoreNulls)]);
export const any_value = (x: ColArg): Column => call("any_value", [c(x)]);
export const collect_list = (x: ColArg): Column => call("collect_list", [c(x)]);
export const collect_set = (x: ColArg): Column => call("collect_set", [c(x)]);
export const stddev = (x: ColArg): Column => call("stddev", [c(x)]);
export const stddev_samp = (x: ColArg): Column => call("stddev_samp", [c(x)]);
export const stddev_pop = (x: ColArg): Column => call("stddev_pop", [c(x)]);
export const variance = (x: ColArg): Column => call("variance", [c(x)]);
export const var_samp = (x: ColArg): Column => call("var_samp", [c(x)]);
export const var_pop = (x: ColArg): Column => call("var_pop", [c(x)]);
export const corr = (a: ColArg, b: ColArg): Column => call("corr", [c(a), c(b)]);
export const covar_samp = (a: ColArg, b: ColArg): Column => call("covar_samp", [c(a), c(b)]);
export const covar_pop = (a: ColArg, b: ColArg): Column => call("covar_pop", [c(a), c(b)]);
export const skewness = (x: ColArg): Column => call("skewness", [c(x)]);
export const kurtosis = (x: ColArg): Column => call("kurtosis", [c(x)]);
export const count_if = (x: ColArg): Column => call("count_if", [c(x)]);
export const bool_and = (x: ColArg): Column => call("bool_and", [c(x)]);
export const bool_or = (x: ColArg): Column => call("bool_or", [c(x)]);
export const max_by = (x: ColArg, y: ColArg): Column => call("max_by", [c(x), c(y)]);
export const min_by = (x: ColArg, y: ColArg): Column => call("min_by", [c(x), c(y)]);
export const median = (x: ColArg): Column => call("median", [c(x)]);
export const percentile = (x: ColArg, p: number | number[]): Column => call("percentile", [c(x), literalExpr(p)]);
/** Approximate distinct count (HyperLogLog++); `rsd` is the maximum relative standard deviation. */
export const approx_count_distinct = (x: ColArg, rsd?: number): Column => call("approx_count_distinct", rsd === undefined ? [c(x)] : [c(x), literalExpr(rsd)]);
export const approxCountDistinct = approx_count_distinct;
export const percentile_approx = (x: ColArg, p: number | number[], accuracy = 10000): Column => call("percentile_approx", [c(x), literalExpr(p), literalExpr(accuracy)]);
export const count_min_sketch = (x: ColArg, eps: number, confidence: number, seed: number): Column => call("count_min_sketch", [c(x), literalExpr(eps), literalExpr(confidence), literalExpr(seed)]);
export const bloom_filter_agg = (x: ColArg, expectedItems?: number, numBits?: number): Column =>
  call("bloom_filter_agg", [c(x), ...(expectedItems === undefined ? [] : [literalExpr(expectedItems)]), ...(numBits === undefined ? [] : [literalExpr(numBits)])]);

// Window functions (use with .over(Window...))
export const row_number = (): Column => call("row_number", []);
export const rank = (): Column => call("rank", []);
export const dense_rank = (): Column => call("dense_rank", []);
export const percent_rank = (): Column => call("percent_rank", []);
export const cume_dist = (): Column => call("cume_dist", []);
export const ntile = (n: number): Column => call("ntile", [literalExpr(n)]);
/** The value `offset` rows before (within the window's partition and order); with `ignoreNulls`, the offset-th non-null one. */
export const lag = (x: ColArg, offset = 1, defaultValue: ColumnOrValue = null, ignoreNulls = false): Column =>
  call("lag", [c(x), literalExpr(offset), v(defaultValue), ...(ignoreNulls ? [literalExpr(true)] : [])]);
/** The value `offset` rows after; with `ignoreNulls`, the offset-th non-null one. */
export const lead = (x: ColArg, offset = 1, defaultValue: ColumnOrValue = null, ignoreNulls = false): Column =>
  call("lead", [c(x), literalExpr(offset), v(defaultValue), ...(ignoreNulls ? [literalExpr(true)] : [])]);
export const nth_value = (x: ColArg, n: number): Column => call("nth_value", [c(x), literalExpr(n)]);

// Event-time windows
/** Tumbling (`slide` omitted) or sliding event-time windows: a struct column `window` {start, end}. */
export function window(timeColumn: ColArg, windowDuration: string, slideDuration?: string, startTime?: string): Column {
  const args = [c(timeColumn), literalExpr(windowDuration)];
  if (slideDuration !== undefined) args.push(literalExpr(slideDuration));
  if (startTime !== undefined) {
    if (slideDuration === undefined) args.push(literalExpr(windowDuration));
    args.push(literalExpr(startTime));
  }
  return call("window", args);
}
export const session_window = (timeColumn: ColArg, gapDuration: string | Column): Column => call("session_window", [c(timeColumn), typeof gapDuration === "string" ? literalExpr(gapDuration) : gapDuration.expr]);
export const window_time = (windowColumn: ColArg): Column => call("window_time", [c(windowColumn)]);

// Strings
export const concat = (...cols: ColArg[]): Column => call("concat", cols.map(c));
export const concat_ws = (sep: string, ...cols: ColArg[]): Column => call("concat_ws", [literalExpr(sep), ...cols.map(c)]);
export const substring = (x: ColArg, pos: number, len: number): Column => call("substring", [c(x), literalExpr(pos), literalExpr(len)]);
export const split = (x: ColArg, pattern: string, limit = -1): Column => call("split", [c(x), literalExpr(pattern), literalExpr(limit)]);
export const regexp_extract = (x: ColArg, pattern: string, idx: number): Column => call("regexp_extract", [c(x), literalExpr(pattern), literalExpr(idx)]);
export const regexp_replace = (x: ColArg, pattern: string | Column, replacement: string | Column): Column =>
  call("regexp_replace", [c(x), typeof pattern === "string" ? literalExpr(pattern) : pattern.expr, typeof replacement === "string" ? literalExpr(replacement) : replacement.expr]);
export const lower = (x: ColArg): Column => call("lower", [c(x)]);
export const upper = (x: ColArg): Column => call("upper", [c(x)]);
export const trim = (x: ColArg): Column => call("trim", [c(x)]);
export const ltrim = (x: ColArg): Column => call("ltrim", [c(x)]);
export const rtrim = (x: ColArg): Column => call("rtrim", [c(x)]);
export const length = (x: ColArg): Column => call("length", [c(x)]);
export const initcap = (x: ColArg): Column => call("initcap", [c(x)]);
export const reverse = (x: ColArg): Column => call("reverse", [c(x)]);
export const lpad = (x: ColArg, len: number, pad: string): Column => call("lpad", [c(x), literalExpr(len), literalExpr(pad)]);
export const rpad = (x: ColArg, len: number, pad: string): Column => call("rpad", [c(x), literalExpr(len), literalExpr(pad)]);
export const repeat = (x: ColArg, n: number): Column => call("repeat", [c(x), literalExpr(n)]);
export const instr = (x: ColArg, substr: string): Column => call("instr", [c(x), literalExpr(substr)]);
export const locate = (substr: string, x: ColArg, pos = 1): Column => call("locate", [literalExpr(substr), c(x), literalExpr(pos)]);
export const translate = (x: ColArg, matching: string, replace: string): Column => call("translate", [c(x), literalExpr(matching), literalExpr(replace)]);
export const format_string = (format: string, ...cols: ColArg[]): Column => call("format_string", [literalExpr(format), ...cols.map(c)]);
export const format_number = (x: ColArg, d: number): Column => call("format_number", [c(x), literalExpr(d)]);
export const base64 = (x: ColArg): Column => call("base64", [c(x)]);
export const unbase64 = (x: ColArg): Column => call("unbase64", [c(x)]);
export const ascii = (x: ColArg): Column => call("ascii", [c(x)]);
export const levenshtein = (a: ColArg, b: ColArg): Column => call("levenshtein", [c(a), c(b)]);
export const soundex = (x: ColArg): Column => call("soundex", [c(x)]);

// Math
export const abs = (x: ColArg): Column => call("abs", [c(x)]);
export const sqrt = (x: ColArg): Column => call("sqrt", [c(x)]);
export const exp = (x: ColArg): Column => call("exp", [c(x)]);
export const log = (x: ColArg, base?: number): Column => (base === undefined ? call("ln", [c(x)]) : call("log", [literalExpr(base), c(x)]));
export const log10 = (x: ColArg): Column => call("log10", [c(x)]);
export const log2 = (x: ColArg): Column => call("log2", [c(x)]);
export const pow = (a: ColArg | number, b: ColArg | number): Column => call("pow", [typeof a === "number" ? literalExpr(a) : c(a), typeof b === "number" ? literalExpr(b) : c(b)]);
export const round = (x: ColArg, scale = 0): Column => call("round", [c(x), literalExpr(scale)]);
export const bround = (x: ColArg, scale = 0): Column => call("bround", [c(x), literalExpr(scale)]);
export const ceil = (x: ColArg): Column => call("ceil", [c(x)]);
export const floor = (x: ColArg): Column => call("floor", [c(x)]);
export const signum = (x: ColArg): Column => call("signum", [c(x)]);
export const sin = (x: ColArg): Column => call("sin", [c(x)]);
export const cos = (x: ColArg): Column => call("cos", [c(x)]);
export const tan = (x: ColArg): Column => call("tan", [c(x)]);
export const atan2 = (a: ColArg, b: ColArg): Column => call("atan2", [c(a), c(b)]);
export const pmod = (a: ColArg, b: ColArg | number): Column => call("pmod", [c(a), typeof b === "number" ? literalExpr(b) : c(b)]);
export const rand = (seed?: number): Column => call("rand", seed === undefined ? [] : [literalExpr(seed)]);
export const randn = (seed?: number): Column => call("randn", seed === undefined ? [] : [literalExpr(seed)]);

// Date and time
export const current_timestamp = (): Column => call("current_timestamp", []);
export const current_date = (): Column => call("current_date", []);
export const to_timestamp = (x: ColArg, format?: string): Column => call("to_timestamp", format === undefined ? [c(x)] : [c(x), literalExpr(format)]);
export const to_date = (x: ColArg, format?: string): Column => call("to_date", format === undefined ? [c(x)] : [c(x), literalExpr(format)]);
export const date_format = (x: ColArg, format: string): Column => call("date_format", [c(x), literalExpr(format)]);
export const unix_timestamp = (x?: ColArg, format = "yyyy-MM-dd HH:mm:ss"): Column => call("unix_timestamp", x === undefined ? [] : [c(x), literalExpr(format)]);
export const from_unixtime = (x: ColArg, format = "yyyy-MM-dd HH:mm:ss"): Column => call("from_unixtime", [c(x), literalExpr(format)]);
export const timestamp_seconds = (x: ColArg): Column => call("timestamp_seconds", [c(x)]);
export const timestamp_millis = (x: ColArg): Column => call("timestamp_millis", [c(x)]);
export const date_add = (x: ColArg, days: number | ColArg): Column => call("date_add", [c(x), typeof days === "number" ? literalExpr(days) : c(days)]);
export const date_sub = (x: ColArg, days: number | ColArg): Column => call("date_sub", [c(x), typeof days === "number" ? literalExpr(days) : c(days)]);
export const datediff = (end: ColArg, start: ColArg): Column => call("datediff", [c(end), c(start)]);
export const add_months = (x: ColArg, months: number): Column => call("add_months", [c(x), literalExpr(months)]);
export const months_between = (a: ColArg, b: ColArg): Column => call("months_between", [c(a), c(b)]);
export const date_trunc = (unit: string, x: ColArg): Column => call("date_trunc", [literalExpr(unit), c(x)]);
export const trunc = (x: ColArg, unit: string): Column => call("trunc", [c(x), literalExpr(unit)]);
export const year = (x: ColArg): Column => call("year", [c(x)]);
export const quarter = (x: ColArg): Column => call("quarter", [c(x)]);
export const month = (x: ColArg): Column => call("month", [c(x)]);
export const dayofmonth = (x: ColArg): Column => call("dayofmonth", [c(x)]);
export const dayofweek = (x: ColArg): Column => call("dayofweek", [c(x)]);
export const dayofyear = (x: ColArg): Column => call("dayofyear", [c(x)]);
export const weekofyear = (x: ColArg): Column => call("weekofyear", [c(x)]);
export const hour = (x: ColArg): Column => call("hour", [c(x)]);
export const minute = (x: ColArg): Column => call("minute", [c(x)]);
export const second = (x: ColArg): Column => call("second", [c(x)]);
export const last_day = (x: ColArg): Column => call("last_day", [c(x)]);
export const from_utc_timestamp = (x: ColArg, tz: string): Column => call("from_utc_timestamp", [c(x), literalExpr(tz)]);
export const to_utc_timestamp = (x: ColArg, tz: string): Column => call("to_utc_timestamp", [c(x), literalExpr(tz)]);

// Collections
export const array = (...cols: ColArg[]): Column => call("array", cols.map(c));
export const size = (x: ColArg): Column => call("size", [c(x)]);
export const array_contains = (x: ColArg, value: ColumnOrValue): Column => call("array_contains", [c(x), v(value)]);
export const element_at = (x: ColArg, key: ColumnOrValue): Column => call("element_at", [c(x), v(key)]);
export const array_distinct = (x: ColArg): Column => call("array_distinct", [c(x)]);
export const array_join = (x: ColArg, sep: string): Column => call("array_join", [c(x), literalExpr(sep)]);
export const array_max = (x: ColArg): Column => call("array_max", [c(x)]);
export const array_min = (x: ColArg): Column => call("array_min", [c(x)]);
export const sort_array = (x: ColArg, ascending = true): Column => call("sort_array", [c(x), literalExpr(ascending)]);
export const flatten = (x: ColArg): Column => call("flatten", [c(x)]);
export const map_keys = (x: ColArg): Column => call("map_keys", [c(x)]);
export const map_values = (x: ColArg): Column => call("map_values", [c(x)]);
export const create_map = (...cols: ColArg[]): Column => call("map", cols.map(c));
export const struct = (...cols: ColArg[]): Column => call("struct", cols.map(c));
export const explode = (x: ColArg): Column => call("explode", [c(x)]);
export const explode_outer = (x: ColArg): Column => call("explode_outer", [c(x)]);
export const posexplode = (x: ColArg): Column => call("posexplode", [c(x)]);
export const posexplode_outer = (x: ColArg): Column => call("posexplode_outer", [c(x)]);
export const inline = (x: ColArg): Column => call("inline", [c(x)]);

// JSON
/** Parses a JSON string column with a schema given as DDL (`"a INT, b STRING"`). */
export const from_json = (x: ColArg, schema: string, options?: Record<string, string>): Column =>
  call("from_json", [c(x), literalExpr(schema), ...(options ? [call("map", Object.entries(options).flatMap(([k, val]) => [literalExpr(k), literalExpr(val)])).expr] : [])]);
export const to_json = (x: ColArg): Column => call("to_json", [c(x)]);
export const get_json_object = (x: ColArg, path: string): Column => call("get_json_object", [c(x), literalExpr(path)]);
export const json_tuple = (x: ColArg, ...fields: string[]): Column => call("json_tuple", [c(x), ...fields.map((f) => literalExpr(f))]);
export const schema_of_json = (json: string): Column => call("schema_of_json", [literalExpr(json)]);

// Hashes
export const hash = (...cols: ColArg[]): Column => call("hash", cols.map(c));
export const xxhash64 = (...cols: ColArg[]): Column => call("xxhash64", cols.map(c));
export const md5 = (x: ColArg): Column => call("md5", [c(x)]);
export const sha1 = (x: ColArg): Column => call("sha1", [c(x)]);
export const sha2 = (x: ColArg, bits: number): Column => call("sha2", [c(x), literalExpr(bits)]);
export const crc32 = (x: ColArg): Column => call("crc32", [c(x)]);

// Misc
export const monotonically_increasing_id = (): Column => call("monotonically_increasing_id", []);
export const spark_partition_id = (): Column => call("spark_partition_id", []);
/** Marks a DataFrame for broadcasting in a join (a hint; the build side is held in memory either way). */
export { broadcast } from "./broadcast.js";
export { udf, udaf } from "./udf.js";

// Spark 3.4–4.0 additions (PySpark names and argument orders)
export const stack = (n: number, ...cols: ColumnOrValue[]): Column => call("stack", [literalExpr(n), ...cols.map(v)]);
export const histogram_numeric = (x: ColArg, nBins: number): Column => call("histogram_numeric", [c(x), literalExpr(nBins)]);
export const array_append = (x: ColArg, value: ColumnOrValue): Column => call("array_append", [c(x), v(value)]);
export const array_prepend = (x: ColArg, value: ColumnOrValue): Column => call("array_prepend", [c(x), v(value)]);
export const array_compact = (x: ColArg): Column => call("array_compact", [c(x)]);
export const array_insert = (x: ColArg, pos: ColumnOrValue, value: ColumnOrValue): Column => call("array_insert", [c(x), v(pos), v(value)]);
export const array_size = (x: ColArg): Column => call("array_size", [c(x)]);
export const split_part = (src: ColArg, delimiter: ColumnOrValue, partNum: ColumnOrValue): Column => call("split_part", [c(src), v(delimiter), v(partNum)]);
export const regexp_count = (str: ColArg, regexp: ColumnOrValue): Column => call("regexp_count", [c(str), v(regexp)]);
export const regexp_substr = (str: ColArg, regexp: ColumnOrValue): Column => call("regexp_substr", [c(str), v(regexp)]);
export const regexp_instr = (str: ColArg, regexp: ColumnOrValue, idx?: ColumnOrValue): Column => call("regexp_instr", [c(str), v(regexp), ...(idx === undefined ? [] : [v(idx)])]);
export const url_encode = (str: ColArg): Column => call("url_encode", [c(str)]);
export const url_decode = (str: ColArg): Column => call("url_decode", [c(str)]);
export const try_url_decode = (str: ColArg): Column => call("try_url_decode", [c(str)]);
export const parse_url = (url: ColArg, partToExtract: ColumnOrValue, key?: ColumnOrValue): Column => call("parse_url", [c(url), v(partToExtract), ...(key === undefined ? [] : [v(key)])]);
export const luhn_check = (str: ColArg): Column => call("luhn_check", [c(str)]);
/** mask(col, upperChar = 'X', lowerChar = 'x', digitChar = 'n', otherChar = null): null keeps that class of characters. */
export const mask = (x: ColArg, upperChar: string | null = "X", lowerChar: string | null = "x", digitChar: string | null = "n", otherChar: string | null = null): Column =>
  call("mask", [c(x), literalExpr(upperChar), literalExpr(lowerChar), literalExpr(digitChar), literalExpr(otherChar)]);
export const elt = (n: ColumnOrValue, ...inputs: ColArg[]): Column => call("elt", [v(n), ...inputs.map(c)]);
export const try_mod = (left: ColArg, right: ColumnOrValue): Column => call("try_mod", [c(left), v(right)]);
export const make_interval = (...fields: ColumnOrValue[]): Column => call("make_interval", fields.map(v));
export const bitmap_bit_position = (x: ColArg): Column => call("bitmap_bit_position", [c(x)]);
export const bitmap_bucket_number = (x: ColArg): Column => call("bitmap_bucket_number", [c(x)]);
export const bitmap_count = (x: ColArg): Column => call("bitmap_count", [c(x)]);
export const bitmap_construct_agg = (x: ColArg): Column => call("bitmap_construct_agg", [c(x)]);
export const bitmap_or_agg = (x: ColArg): Column => call("bitmap_or_agg", [c(x)]);
export const aes_encrypt = (input: ColArg, key: ColumnOrValue, ...more: ColumnOrValue[]): Column => call("aes_encrypt", [c(input), v(key), ...more.map(v)]);
export const aes_decrypt = (input: ColArg, key: ColumnOrValue, ...more: ColumnOrValue[]): Column => call("aes_decrypt", [c(input), v(key), ...more.map(v)]);
export const try_aes_decrypt = (input: ColArg, key: ColumnOrValue, ...more: ColumnOrValue[]): Column => call("try_aes_decrypt", [c(input), v(key), ...more.map(v)]);
export const to_binary = (x: ColArg, format?: string): Column => call("to_binary", [c(x), ...(format === undefined ? [] : [literalExpr(format)])]);
export const try_to_binary = (x: ColArg, format?: string): Column => call("try_to_binary", [c(x), ...(format === undefined ? [] : [literalExpr(format)])]);
export const is_valid_utf8 = (x: ColArg): Column => call("is_valid_utf8", [c(x)]);
export const make_valid_utf8 = (x: ColArg): Column => call("make_valid_utf8", [c(x)]);
export const validate_utf8 = (x: ColArg): Column => call("validate_utf8", [c(x)]);
export const try_validate_utf8 = (x: ColArg): Column => call("try_validate_utf8", [c(x)]);
export const current_user = (): Column => call("current_user", []);
export const user = current_user;
export const session_user = current_user;
export const current_database = (): Column => call("current_database", []);
export const current_schema = current_database;
export const current_catalog = (): Column => call("current_catalog", []);
export const to_number = (x: ColArg, format: string): Column => call("to_number", [c(x), literalExpr(format)]);
export const try_to_number = (x: ColArg, format: string): Column => call("try_to_number", [c(x), literalExpr(format)]);
export const to_char = (x: ColArg, format: string): Column => call("to_char", [c(x), literalExpr(format)]);
export const to_varchar = to_char;
