/**
 * Spark's data types as frozen plain objects with a `kind` literal.
 *
 * Runtime (internal) value of each type inside batches and generated code:
 * | type                 | internal value                                      | row value (collect)        |
 * |----------------------|-----------------------------------------------------|----------------------------|
 * | boolean              | boolean                                             | boolean                    |
 * | byte, short, int     | number (integer)                                    | number                     |
 * | long                 | number while |v| <= 2^53-1, else bigint (normalized) | number, or bigint if large |
 * | float, double        | number                                              | number                     |
 * | decimal(p,s)         | unscaled integer as a normalized long (see long)    | number (p<=15) or string   |
 * | string               | string                                              | string                     |
 * | binary               | Uint8Array                                          | Uint8Array                 |
 * | date                 | number: days since 1970-01-01                       | string "YYYY-MM-DD"        |
 * | timestamp            | number: microseconds since the epoch (UTC)          | Date                       |
 * | array<T>             | Array of internal T values                          | Array of row values        |
 * | map<K,V>             | Map of internal K to internal V                     | Map                        |
 * | struct<...>          | Array of internal field values, by position         | plain object by field name |
 * | void (null)          | null                                                | null                       |
 * | interval             | { months, days, micros } (frozen)                   | the same object            |
 * A null of any type is `null`.
 */
export type DataType =
  | BooleanType
  | ByteType
  | ShortType
  | IntegerType
  | LongType
  | FloatType
  | DoubleType
  | DecimalType
  | StringType
  | BinaryType
  | DateType
  | TimestampType
  | NullType
  | CalendarIntervalType
  | ArrayType
  | MapType
  | StructType;

export interface BooleanType { readonly kind: "boolean" }
export interface ByteType { readonly kind: "byte" }
export interface ShortType { readonly kind: "short" }
export interface IntegerType { readonly kind: "int" }
export interface LongType { readonly kind: "long" }
export interface FloatType { readonly kind: "float" }
export interface DoubleType { readonly kind: "double" }
export interface DecimalType { readonly kind: "decimal"; readonly precision: number; readonly scale: number }
export interface StringType { readonly kind: "string" }
export interface BinaryType { readonly kind: "binary" }
export interface DateType { readonly kind: "date" }
export interface TimestampType { readonly kind: "timestamp" }
export interface NullType { readonly kind: "null" }
/** Spark's CalendarIntervalType: internal value `{ months, days, micros }` (see types/interval.ts). */
export interface CalendarIntervalType { readonly kind: "interval" }
export interface ArrayType { readonly kind: "array"; readonly elementType: DataType; readonly containsNull: boolean }
export interface MapType {
  readonly kind: "map";
  readonly keyType: DataType;
  readonly valueType: DataType;
  readonly valueContainsNull: boolean;
}
export interface StructField {
  readonly name: string;
  readonly dataType: DataType;
  readonly nullable: boolean;
  readonly metadata?: Readonly<Record<string, unknown>>;
}
export interface StructType { readonly kind: "struct"; readonly fields: readonly StructField[] }

export type DataTypeKind = DataType["kind"];

export const BooleanType: BooleanType = Object.freeze({ kind: "boolean" });
export const ByteType: ByteType = Object.freeze({ kind: "byte" });
export const ShortType: ShortType = Object.freeze({ kind: "short" });
export const IntegerType: IntegerType = Object.freeze({ kind: "int" });
export const LongType: LongType = Object.freeze({ kind: "long" });
export const FloatType: FloatType = Object.freeze({ kind: "float" });
export const DoubleType: DoubleType = Object.freeze({ kind: "double" });
export const StringType: StringType = Object.freeze({ kind: "string" });
export const BinaryType: BinaryType = Object.freeze({ kind: "binary" });
export const DateType: DateType = Object.freeze({ kind: "date" });
export const TimestampType: TimestampType = Object.freeze({ kind: "timestamp" });
export const NullType: NullType = Object.freeze({ kind: "null" });
export const CalendarIntervalType: CalendarIntervalType = Object.freeze({ kind: "interval" });

export const MAX_DECIMAL_PRECISION = 38;

export function decimalType(precision = 10, scale = 0): DecimalType {
  return Object.freeze({ kind: "decimal", precision, scale });
}
export function arrayType(elementType: DataType, containsNull = true): ArrayType {
  return Object.freeze({ kind: "array", elementType, containsNull });
}
export function mapType(keyType: DataType, valueType: DataType, valueContainsNull = true): MapType {
  return Object.freeze({ kind: "map", keyType, valueType, valueContainsNull });
}
export function structField(
  name: string,
  dataType: DataType,
  nullable = true,
  metadata?: Record<string, unknown>,
): StructField {
  return Object.freeze(metadata ? { name, dataType, nullable, metadata: Object.freeze({ ...metadata }) } : { name, dataType, nullable });
}
export function structType(fields: readonly StructField[]): StructType {
  return Object.freeze({ kind: "struct", fields: Object.freeze([...fields]) });
}

const INTEGRAL = new Set<DataTypeKind>(["byte", "short", "int", "long"]);
const FRACTIONAL = new Set<DataTypeKind>(["float", "double", "decimal"]);

export function isIntegral(t: DataType): boolean {
  return INTEGRAL.has(t.kind);
}
export function isNumeric(t: DataType): boolean {
  return INTEGRAL.has(t.kind) || FRACTIONAL.has(t.kind);
}
export function isFractional(t: DataType): boolean {
  return FRACTIONAL.has(t.kind);
}
const NUMBER_VALUED = new Set<DataTypeKind>(["byte", "short", "int", "long", "float", "double", "date", "timestamp"]);

/** Types whose internal values are JS numbers (longs while they are safe integers; else bigints). */
export function isNumberValued(t: DataType): boolean {
  return NUMBER_VALUED.has(t.kind);
}
export function isAtomic(t: DataType): boolean {
  return t.kind !== "array" && t.kind !== "map" && t.kind !== "struct";
}
/** Types whose values can be compared with < and sorted (Spark's orderable types, minus maps). */
export function isOrderable(t: DataType): boolean {
  if (t.kind === "map") return false;
  if (t.kind === "array") return isOrderable(t.elementType);
  if (t.kind === "struct") return t.fields.every((f) => isOrderable(f.dataType));
  return true;
}

/** Structural equality, ignoring nullability flags when `ignoreNullability` is set. */
export function sameType(a: DataType, b: DataType, ignoreNullability = false): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "decimal": {
      const d = b as DecimalType;
      return a.precision === d.precision && a.scale === d.scale;
    }
    case "array": {
      const o = b as ArrayType;
      return sameType(a.elementType, o.elementType, ignoreNullability) && (ignoreNullability || a.containsNull === o.containsNull);
    }
    case "map": {
      const o = b as MapType;
      return (
        sameType(a.keyType, o.keyType, ignoreNullability) &&
        sameType(a.valueType, o.valueType, ignoreNullability) &&
        (ignoreNullability || a.valueContainsNull === o.valueContainsNull)
      );
    }
    case "struct": {
      const o = b as StructType;
      return (
        a.fields.length === o.fields.length &&
        a.fields.every((f, i) => {
          const g = o.fields[i]!;
          return f.name === g.name && sameType(f.dataType, g.dataType, ignoreNullability) && (ignoreNullability || f.nullable === g.nullable);
        })
      );
    }
    default:
      return true;
  }
}

/** The SQL / DDL spelling Spark uses in messages and `schema.simpleString`: `int`, `bigint`, `array<string>`. */
export function simpleString(t: DataType): string {
  switch (t.kind) {
    case "boolean": return "boolean";
    case "byte": return "tinyint";
    case "short": return "smallint";
    case "int": return "int";
    case "long": return "bigint";
    case "float": return "float";
    case "double": return "double";
    case "decimal": return `decimal(${t.precision},${t.scale})`;
    case "string": return "string";
    case "binary": return "binary";
    case "date": return "date";
    case "timestamp": return "timestamp";
    case "null": return "void";
    case "interval": return "interval";
    case "array": return `array<${simpleString(t.elementType)}>`;
    case "map": return `map<${simpleString(t.keyType)},${simpleString(t.valueType)}>`;
    case "struct": return `struct<${t.fields.map((f) => `${quoteIfNeeded(f.name)}:${simpleString(f.dataType)}`).join(",")}>`;
  }
}

/** Upper-case SQL spelling used in error messages, as Spark prints them: `"INT"`, `"ARRAY<STRING>"`. */
export function sqlTypeName(t: DataType): string {
  switch (t.kind) {
    case "array": return `ARRAY<${sqlTypeName(t.elementType)}>`;
    case "map": return `MAP<${sqlTypeName(t.keyType)}, ${sqlTypeName(t.valueType)}>`;
    case "struct": return `STRUCT<${t.fields.map((f) => `${quoteIfNeeded(f.name)}: ${sqlTypeName(f.dataType)}`).join(", ")}>`;
    default: return simpleString(t).toUpperCase();
  }
}

/** The name printSchema() shows: `integer`, `long`, `array`, ... */
export function typeName(t: DataType): string {
  switch (t.kind) {
    case "byte": return "byte";
    case "short": return "short";
    case "int": return "integer";
    case "long": return "long";
    case "null": return "void";
    case "decimal": return `decimal(${t.precision},${t.scale})`;
    default: return t.kind;
  }
}

function quoteIfNeeded(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : "`" + name.replace(/`/g, "``") + "`";
}

/** Byte width Spark uses for size estimates (defaultSize). */
export function defaultSize(t: DataType): number {
  switch (t.kind) {
    case "boolean": case "byte": return 1;
    case "short": return 2;
    case "int": case "float": case "date": return 4;
    case "long": case "double": case "timestamp": return 8;
    case "decimal": return t.precision <= 18 ? 8 : 16;
    case "string": case "binary": return 20;
    case "null": return 1;
    case "interval": return 16;
    case "array": return defaultSize(t.elementType);
    case "map": return defaultSize(t.keyType) + defaultSize(t.valueType);
    case "struct": return t.fields.reduce((s, f) => s + defaultSize(f.dataType), 0);
  }
}
