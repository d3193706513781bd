import type { Interval } from "./interval.js";

/**
 * Row types computed at compile time: what `collect()` returns and what `createDataFrame` /
 * `addData` accept, for a schema known to TypeScript. Two producers feed the same mapping:
 * the schema builders (types/schema-builder.ts) and the type-level DDL parser
 * (types/ddl-row-type.ts). Both describe columns as {@link FieldSpec}s; this file maps specs
 * to values following the representation table in types/data-type.ts (the "row value" column).
 *
 * | spec kind                 | RowOf (collect)                     | InputRowOf (createDataFrame, addData) |
 * |---------------------------|-------------------------------------|---------------------------------------|
 * | boolean                   | boolean                             | boolean                               |
 * | byte, short, int          | number                              | number \| bigint                      |
 * | long                      | number \| bigint (bigint past 2^53) | number \| bigint                      |
 * | float, double             | number                              | number                                |
 * | decimal(p,s)              | number if p <= 15, else string      | number \| bigint \| string            |
 * | string                    | string                              | string                                |
 * | binary                    | Uint8Array                          | Uint8Array \| string (UTF-8 encoded)  |
 * | date                      | string "YYYY-MM-DD"                 | Date \| string                        |
 * | timestamp                 | Date                                | Date \| string \| number (epoch ms)   |
 * | interval                  | Interval                            | Interval                              |
 * | void                      | null                                | null                                  |
 * | array<E>                  | E[]                                 | readonly E[]                          |
 * | map<K,V>                  | Map<K, V>                           | ReadonlyMap<K, V>, or Record<string, V> when K accepts strings |
 * | struct<...>               | plain object                        | plain object                          |
 * | nullable column / element | `T \| null`                         | `T \| null \| undefined`, key optional |
 *
 * A decimal whose precision is not a literal type gives `number | string`.
 */

// ---------------------------------------------------------------------------------------------
// Type specs: the compile-time description of a Spark type.
// ---------------------------------------------------------------------------------------------

/** Kinds of types without parameters. */
export type AtomicKind =
  | "boolean" | "byte" | "short" | "int" | "long" | "float" | "double"
  | "string" | "binary" | "date" | "timestamp" | "null" | "interval";

/** Compile-time description of a Spark data type (the builders' `spec`, the DDL parser's output). */
export type TypeSpec = AtomicSpec | DecimalSpec | ArraySpec | MapSpec | StructSpec;

export interface AtomicSpec<K extends AtomicKind = AtomicKind> { readonly kind: K }
export interface DecimalSpec<P extends number = number, S extends number = number> {
  readonly kind: "decimal";
  readonly precision: P;
  readonly scale: S;
}
/** `element.isNullable` is the array's containsNull. */
export interface ArraySpec<E extends FieldSpec = FieldSpec> { readonly kind: "array"; readonly element: E }
/** `value.isNullable` is the map's valueContainsNull; keys are never null. */
export interface MapSpec<K extends TypeSpec = TypeSpec, V extends FieldSpec = FieldSpec> {
  readonly kind: "map";
  readonly key: K;
  readonly value: V;
}
export interface StructSpec<F extends FieldsSpec = FieldsSpec> { readonly kind: "struct"; readonly fields: F }

/** A column (or element, or map value): its type and whether it may hold null. */
export interface FieldSpec<T extends TypeSpec = TypeSpec, N extends boolean = boolean> {
  readonly spec: T;
  readonly isNullable: N;
}

/** The columns of a schema by name. */
export type FieldsSpec = { readonly [name: string]: FieldSpec };

// ---------------------------------------------------------------------------------------------
// Spec -> values.
// ---------------------------------------------------------------------------------------------

/** Flattens an intersection or mapped type into one object type (for readable hovers and exact equality). */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** Decimal precisions whose values fit a double exactly (collect gives numbers for them). */
type SmallPrecision = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15;

/** The row value of a decimal of precision `P`: number when `P <= 15`, string above, both when unknown. */
export type DecimalValue<P extends number> = number extends P
  ? number | string
  : P extends SmallPrecision ? number : string;

/** The value `collect()` gives for a non-null value of type `T`. */
export type ValueOf<T extends TypeSpec> =
  T extends AtomicSpec<infer K> ? AtomicValue[K]
  : T extends DecimalSpec<infer P> ? DecimalValue<P>
  : T extends ArraySpec<infer E> ? FieldValue<E>[]
  : T extends MapSpec<infer K, infer V> ? Map<ValueOf<K>, FieldValue<V>>
  : T extends StructSpec<infer F> ? FieldsRow<F>
  : unknown;

interface AtomicValue {
  boolean: boolean;
  byte: number;
  short: number;
  int: number;
  long: number | bigint;
  float: number;
  double: number;
  string: string;
  binary: Uint8Array;
  date: string;
  timestamp: Date;
  null: null;
  interval: Interval;
}

/** The value a column gives: {@link ValueOf} its type, `| null` when nullable. */
export type FieldValue<F extends FieldSpec> = F["isNullable"] extends false
  ? ValueOf<F["spec"]>
  : ValueOf<F["spec"]> | null;

/** The row type of a fields record (see {@link RowOf}). */
export type FieldsRow<F extends FieldsSpec> = { -readonly [K in keyof F]: FieldValue<F[K]> } & {};

/** The value `createDataFrame` / `addData` accept for a non-null value of type `T`. */
export type InputValueOf<T extends TypeSpec> =
  T extends AtomicSpec<infer K> ? AtomicInput[K]
  : T extends DecimalSpec ? number | bigint | string
  : T extends ArraySpec<infer E> ? readonly InputFieldValue<E>[]
  : T extends MapSpec<infer K, infer V> ? InputMap<K, V>
  : T extends StructSpec<infer F> ? FieldsInputRow<F>
  : unknown;

interface AtomicInput {
  boolean: boolean;
  byte: number | bigint;
  short: number | bigint;
  int: number | bigint;
  long: number | bigint;
  float: number;
  double: number;
  string: string;
  binary: Uint8Array | string;
  date: Date | string;
  timestamp: Date | string | number;
  null: null;
  interval: Interval;
}

/** A map given as a Map, or as a plain object when its keys can be written as strings. */
type InputMap<K extends TypeSpec, V extends FieldSpec> =
  | ReadonlyMap<InputValueOf<K>, InputFieldValue<V>>
  | (K extends StringKeySpec ? Readonly<Record<string, InputFieldValue<V>>> : never);

/** Key types whose input values may be strings, so that an object's keys can give them. */
type StringKeySpec = AtomicSpec<"string" | "binary" | "date" | "timestamp"> | DecimalSpec;

/** The input value of a column: `| null | undefined` when nullable. */
export type InputFieldValue<F extends FieldSpec> = F["isNullable"] extends false
  ? InputValueOf<F["spec"]>
  : InputValueOf<F["spec"]> | null | undefined;

type NullableKeys<F extends FieldsSpec> = { [K in keyof F]: F[K]["isNullable"] extends false ? never : K }[keyof F];

/** The input row type of a fields record (see {@link InputRowOf}). */
export type FieldsInputRow<F extends FieldsSpec> = Simplify<
  { -readonly [K in Exclude<keyof F, NullableKeys<F>>]: InputFieldValue<F[K]> } & {
    -readonly [K in NullableKeys<F>]?: InputFieldValue<F[K]>;
  }
>;

/** What a schema may be given as: a built schema (anything with typed `fields`) or the fields themselves. */
export interface TypedSchema<F extends FieldsSpec = FieldsSpec> { readonly fields: F }

/** The fields of a built schema or of a fields record; `never` for anything else. */
export type FieldsOf<S> = S extends TypedSchema<infer F> ? F : S extends FieldsSpec ? S : never;

/**
 * The row type `collect()` returns for schema `S` (a built schema, or its fields). Untyped
 * schemas (a runtime `StructType`, the general `Schema` type, anything else) give {@link UnknownRow}.
 * @example
 * const s = schema({ user: string(), amount: double().nullable() });
 * type R = RowOf<typeof s>; // { user: string; amount: number | null }
 */
export type RowOf<S> = [FieldsOf<S>] extends [never] ? UnknownRow : string extends keyof FieldsOf<S> ? UnknownRow : FieldsRow<FieldsOf<S>>;

/**
 * The row type `createDataFrame` / `addData` accept for schema `S`: nullable fields optional,
 * timestamps as `Date | string | number`, longs as `number | bigint`, maps as Map or object.
 */
export type InputRowOf<S> = [FieldsOf<S>] extends [never] ? UnknownRow : string extends keyof FieldsOf<S> ? UnknownRow : FieldsInputRow<FieldsOf<S>>;

// ---------------------------------------------------------------------------------------------
// Helpers for the DataFrame API.
// ---------------------------------------------------------------------------------------------

/** The row type of an untyped DataFrame (a schema only known at run time). */
export type UnknownRow = Record<string, unknown>;

/** True when `Row` is untyped (its keys are all strings, as in {@link UnknownRow}). */
export type IsUnknownRow<Row> = string extends keyof Row ? true : false;

/** The column names of a row type. */
export type ColumnName<Row> = Extract<keyof Row, string>;

/**
 * The type of a column-name parameter: any string for an untyped row, else one of its names.
 * `DataFrame<UnknownRow>` accepts `"anything"`; `DataFrame<{ a: number }>` rejects `"b"`.
 */
export type ColumnRef<Row> = string extends keyof Row ? string : ColumnName<Row>;

/** The type of column `K` (a name or a dotted path) of `Row`; `unknown` for untyped rows or unknown names. */
export type ColumnType<Row, K extends string> = PathType<Row, K>;

/**
 * `select("a", "b")`: the row with only columns `K`. Untyped rows stay untyped. A dotted path
 * (see {@link ColumnPath}) gives a column named by its last part, as Spark names it:
 * `PickColumns<{ loc: { lat: number } }, "loc.lat">` is `{ lat: number }`.
 */
export type PickColumns<Row, K extends string> = string extends keyof Row
  ? UnknownRow
  : string extends K ? UnknownRow : { [P in K as LastPart<P, Row>]: PathType<Row, P> };

/** A column name or a dotted path into struct columns (`"loc.lat"`), three levels deep; any string for untyped rows. */
export type ColumnPath<Row> = string extends keyof Row ? string : PathsOf<Row, []>;

type PathsOf<Row, Depth extends unknown[]> = {
  [K in ColumnName<Row>]: K | ([StructValue<Row[K]>] extends [never] ? never
    : Depth["length"] extends 2 ? `${K}.${ColumnName<StructValue<Row[K]>>}`
    : `${K}.${PathsOf<StructValue<Row[K]>, [...Depth, unknown]>}`);
}[ColumnName<Row>];

/** The struct (plain object) part of a row value; never for dates, maps, arrays, binary and intervals. */
type StructValue<V> = V extends Date | ReadonlyMap<unknown, unknown> | Uint8Array | readonly unknown[] | Interval
  ? never
  : V extends object ? V : never;

/**
 * The type of column or path `P` of `Row`; a path through a nullable struct is nullable.
 * `unknown` for untyped rows and for names the row does not have.
 */
export type PathType<Row, P extends string> = string extends keyof Row
  ? unknown
  : P extends keyof Row ? Row[P]
  : P extends `${infer H}.${infer T}`
    ? H extends keyof Row
      ? null extends Row[H] ? PathType<StructValue<Row[H]>, T> | null : PathType<StructValue<Row[H]>, T>
      : unknown
    : unknown;

type LastPart<P extends string, Row> = P extends keyof Row ? P : P extends `${string}.${infer T}` ? LastPart<T, {}> : P; // eslint-disable-line @typescript-eslint/no-empty-object-type

/** `withColumn(K, value of type V)`: adds column `K` or replaces it. Untyped rows (or a non-literal name) stay untyped. */
export type WithColumn<Row, K extends string, V> = string extends keyof Row
  ? UnknownRow
  : string extends K ? UnknownRow : Simplify<{ [P in Exclude<keyof Row, K>]: Row[P] } & { [P in K]: V }>;

/**
 * `withColumnRenamed(From, To)`: column `From` is called `To` (replacing any `To`); unchanged
 * when there is no column `From`, as in Spark.
 */
export type RenameColumn<Row, From extends string, To extends string> = string extends keyof Row
  ? UnknownRow
  : string extends From | To ? UnknownRow
  : From extends keyof Row
    ? From extends To ? Row : Simplify<{ [P in Exclude<keyof Row, From | To>]: Row[P] } & { [P in To]: Row[From] }>
    : Row;

/** `drop(...K)`: the row without columns `K` (names it does not have are ignored, as in Spark). */
export type DropColumns<Row, K extends string> = string extends keyof Row
  ? UnknownRow
  : string extends K ? UnknownRow : { [P in Exclude<keyof Row, K>]: Row[P] };
