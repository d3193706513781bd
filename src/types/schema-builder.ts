import {
  BinaryType, BooleanType, ByteType, CalendarIntervalType, type DataType, DateType, DoubleType, FloatType,
  IntegerType, LongType, MAX_DECIMAL_PRECISION, ShortType, StringType, type StructType, TimestampType,
  arrayType, decimalType, mapType, sqlTypeName, structField, structType,
} from "./data-type.js";
import { IllegalArgumentError } from "../errors/errors.js";
import type {
  ArraySpec, AtomicKind, AtomicSpec, DecimalSpec, FieldSpec, FieldsSpec, MapSpec, StructSpec,
  TypeSpec, TypedSchema,
} from "./row-type.js";

/**
 * Schema builders in the style of Drizzle: one expression gives both the runtime schema (a
 * Spark `StructType`) and, at compile time, the row type.
 *
 * ```ts
 * const events = schema({
 *   user: string(),
 *   ts: timestamp(),
 *   amount: double().nullable(),
 *   tags: array(string()),
 *   attrs: map(string(), long()),
 *   loc: struct({ lat: double(), lon: double() }),
 *   price: decimal(10, 2),
 * });
 * events.structType;           // StructType, as parseSchemaDDL would build it
 * type Event = RowOf<typeof events>;
 * // { user: string; ts: Date; amount: number | null; tags: string[]; attrs: Map<string, number | bigint>;
 * //   loc: { lat: number; lon: number }; price: number }
 * ```
 *
 * **Nullability.** Builders are NOT NULL by default and `.nullable()` makes a column (or an array
 * element, a map value, a struct field) accept null, which adds `| null` to its row type. This is
 * the opposite of Spark's default for user schemas and of DDL (where every column is nullable
 * unless `NOT NULL`); it is chosen because it keeps row types precise. To match a DDL schema
 * exactly, write `.nullable()` on every column, array element and map value.
 *
 * Builders are immutable: `.nullable()` returns a new builder.
 */

/** A column type under construction: its compile-time spec, runtime `dataType` and nullability. */
export interface ColumnBuilder<T extends TypeSpec = TypeSpec, N extends boolean = boolean> extends FieldSpec<T, N> {
  /** The runtime Spark type of the column. */
  readonly dataType: DataType;
  /** The same type accepting null: row type `T | null`; input fields become optional. */
  nullable(): ColumnBuilder<T, true>;
}

/** A schema built from column builders: the runtime `structType` plus the typed `fields`. */
export interface Schema<F extends FieldsSpec = FieldsSpec> extends TypedSchema<F> {
  /** The column builders by name, in declaration order. */
  readonly fields: F;
  /** The runtime schema, as `parseSchemaDDL` builds it (field order = declaration order). */
  readonly structType: StructType;
  /**
   * DDL text for this schema, such as `"user STRING NOT NULL, amount DOUBLE"`. Nullability
   * inside arrays, maps and structs cannot be written in DDL, so parsing it back makes those
   * nullable.
   */
  readonly ddl: string;
}

/** The builders a schema or struct is made from. */
export type ColumnBuilders = { readonly [name: string]: ColumnBuilder };

function column<T extends TypeSpec>(spec: T, dataType: DataType): ColumnBuilder<T, false> {
  return make(spec, dataType, false);
}

function make<T extends TypeSpec, N extends boolean>(spec: T, dataType: DataType, isNullable: N): ColumnBuilder<T, N> {
  return Object.freeze({
    spec,
    dataType,
    isNullable,
    nullable: () => make(spec, dataType, true),
  });
}

function atomic<K extends AtomicKind>(kind: K, dataType: DataType): ColumnBuilder<AtomicSpec<K>, false> {
  return column(Object.freeze({ kind }), dataType);
}

/** BOOLEAN; row value `boolean`. */
export function boolean(): ColumnBuilder<AtomicSpec<"boolean">, false> {
  return atomic("boolean", BooleanType);
}
/** TINYINT (8-bit); row value `number`. */
export function byte(): ColumnBuilder<AtomicSpec<"byte">, false> {
  return atomic("byte", ByteType);
}
/** SMALLINT (16-bit); row value `number`. */
export function short(): ColumnBuilder<AtomicSpec<"short">, false> {
  return atomic("short", ShortType);
}
/** INT (32-bit); row value `number`. */
export function int(): ColumnBuilder<AtomicSpec<"int">, false> {
  return atomic("int", IntegerType);
}
/** Alias of {@link int}. */
export const integer = int;
/** BIGINT (64-bit); row value `number` while safe (|v| <= 2^53-1), `bigint` beyond. */
export function long(): ColumnBuilder<AtomicSpec<"long">, false> {
  return atomic("long", LongType);
}
/** FLOAT (32-bit); row value `number`. */
export function float(): ColumnBuilder<AtomicSpec<"float">, false> {
  return atomic("float", FloatType);
}
/** DOUBLE; row value `number`. */
export function double(): ColumnBuilder<AtomicSpec<"double">, false> {
  return atomic("double", DoubleType);
}
/** STRING; row value `string`. */
export function string(): ColumnBuilder<AtomicSpec<"string">, false> {
  return atomic("string", StringType);
}
/** BINARY; row value `Uint8Array`. */
export function binary(): ColumnBuilder<AtomicSpec<"binary">, false> {
  return atomic("binary", BinaryType);
}
/** DATE; row value `"YYYY-MM-DD"` string; input `Date | string`. */
export function date(): ColumnBuilder<AtomicSpec<"date">, false> {
  return atomic("date", DateType);
}
/** TIMESTAMP (microseconds, UTC); row value `Date`; input `Date | string | number` (epoch ms). */
export function timestamp(): ColumnBuilder<AtomicSpec<"timestamp">, false> {
  return atomic("timestamp", TimestampType);
}
/** Calendar INTERVAL; row value `{ months, days, micros }`. */
export function interval(): ColumnBuilder<AtomicSpec<"interval">, false> {
  return atomic("interval", CalendarIntervalType);
}
/**
 * DECIMAL(precision, scale), default (10, 0) as in Spark. Row value: `number` when
 * precision <= 15 (exact in a double), else a decimal `string`; input `number | bigint | string`.
 */
export function decimal(): ColumnBuilder<DecimalSpec<10, 0>, false>;
export function decimal<const P extends number>(precision: P): ColumnBuilder<DecimalSpec<P, 0>, false>;
export function decimal<const P extends number, const S extends number>(precision: P, scale: S): ColumnBuilder<DecimalSpec<P, S>, false>;
export function decimal(precision = 10, scale = 0): ColumnBuilder<DecimalSpec, false> {
  if (!Number.isInteger(precision) || !Number.isInteger(scale) || precision < 1 || precision > MAX_DECIMAL_PRECISION || scale < 0 || scale > precision) {
    throw new IllegalArgumentError(
      "INVALID_DECIMAL_TYPE",
      `decimal(${precision}, ${scale}): precision must be 1..${MAX_DECIMAL_PRECISION} and scale 0..precision.`,
    );
  }
  return column(Object.freeze({ kind: "decimal", precision, scale }), decimalType(precision, scale));
}

/** ARRAY<element>; row value `element[]`. The array's containsNull is the element's `.nullable()`. */
export function array<const E extends ColumnBuilder>(element: E): ColumnBuilder<ArraySpec<E>, false> {
  return column(Object.freeze({ kind: "array", element }), arrayType(element.dataType, element.isNullable));
}

/**
 * MAP<key, value>; row value `Map<key, value>`. Keys are never null (a nullable key builder is
 * refused); the map's valueContainsNull is the value's `.nullable()`.
 */
export function map<const K extends ColumnBuilder<TypeSpec, false>, const V extends ColumnBuilder>(
  key: K,
  value: V,
): ColumnBuilder<MapSpec<K["spec"], V>, false> {
  if (key.isNullable) throw new IllegalArgumentError("INVALID_MAP_KEY", "map(): keys cannot be nullable.");
  return column(Object.freeze({ kind: "map", key: key.spec, value }), mapType(key.dataType, value.dataType, value.isNullable));
}

/** STRUCT<...>; row value a plain object with these fields (each NOT NULL unless `.nullable()`). */
export function struct<const F extends ColumnBuilders>(fields: F): ColumnBuilder<StructSpec<F>, false> {
  return column(Object.freeze({ kind: "struct", fields: Object.freeze({ ...fields }) }), structOf(fields));
}

/**
 * A schema: the runtime `structType` and, at compile time, `RowOf<typeof s>` /
 * `InputRowOf<typeof s>`. Column order is the order of the object's keys.
 * @example
 * const s = schema({ word: string(), ts: timestamp(), n: long().nullable() });
 * s.ddl; // "word STRING NOT NULL, ts TIMESTAMP NOT NULL, n BIGINT"
 */
export function schema<const F extends ColumnBuilders>(fields: F): Schema<F> {
  const st = structOf(fields);
  return Object.freeze({
    fields: Object.freeze({ ...fields }),
    structType: st,
    ddl: st.fields.map((f) => `${quoteName(f.name)} ${sqlTypeName(f.dataType)}${f.nullable ? "" : " NOT NULL"}`).join(", "),
  });
}

function structOf(fields: ColumnBuilders): StructType {
  return structType(Object.entries(fields).map(([name, b]) => structField(name, b.dataType, b.isNullable)));
}

function quoteName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : "`" + name.replace(/`/g, "``") + "`";
}
