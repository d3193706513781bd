import type {
  ArraySpec, AtomicSpec, DecimalSpec, FieldSpec, FieldsInputRow, FieldsRow, FieldsSpec, MapSpec, StructSpec, TypeSpec,
  UnknownRow,
} from "./row-type.js";

/**
 * Spark DDL parsed by the type checker: the compile-time twin of `parseSchemaDDL`
 * (types/ddl.ts), accepting the same grammar.
 *
 * ```ts
 * type R = DdlRow<"word STRING, ts TIMESTAMP NOT NULL, tags ARRAY<STRING>">;
 * // { word: string | null; ts: Date; tags: (string | null)[] | null }
 * ```
 *
 * - Every column, array element, map value and struct field is nullable unless the field says
 *   `NOT NULL` (as in Spark), so row values are `T | null` by default.
 * - Type names are case-insensitive, with Spark's aliases (`INT`/`INTEGER`, `BIGINT`/`LONG`,
 *   `TINYINT`/`BYTE`, `VARCHAR(n)`, `DEC`/`NUMERIC`, ...); names may be `backticked`;
 *   whitespace is free; `COMMENT '...'` is accepted; `STRUCT<a: INT>` takes an optional colon;
 *   the whole text may also be `STRUCT<...>`.
 * - A text that is not a literal type (a `string` variable) or that does not parse gives
 *   `Record<string, unknown>` ({@link UnknownRow}): the DataFrame is then untyped, never
 *   `never` and never `any`. The runtime parser reports the actual syntax error.
 * - Loops are tail-recursive, so schemas of many columns stay well within the
 *   compiler's limits (tested with 30 in the type tests, checked by hand with 200 columns and
 *   with 12 nested ARRAYs / 8 nested STRUCTs).
 */

/** The parsed columns of a DDL literal as field specs, or `never` when `S` is not a literal or does not parse. */
export type DdlFields<S extends string> = string extends S
  ? never
  : ParseSchema<S> extends infer R ? (R extends FieldsSpec ? R : never) : never;

/** The row type `collect()` gives for DDL text `S`; {@link UnknownRow} when `S` is not a parsable literal. */
export type DdlRow<S extends string> = [DdlFields<S>] extends [never] ? UnknownRow : FieldsRow<DdlFields<S>>;

/** The row type `createDataFrame` / `addData` accept for DDL text `S` (nullable columns optional); {@link UnknownRow} when unknown. */
export type DdlInputRow<S extends string> = [DdlFields<S>] extends [never] ? UnknownRow : FieldsInputRow<DdlFields<S>>;

/** The type spec of a single DDL type such as `"ARRAY<DECIMAL(20,2)>"`, or `never` when it does not parse. */
export type DdlType<S extends string> = string extends S
  ? never
  : ParseType<Trim<S>> extends [infer T extends TypeSpec, infer R extends string] ? (Trim<R> extends "" ? T : never) : never;

// ---------------------------------------------------------------------------------------------
// Parser. Every rule takes text starting at a token (leading whitespace trimmed) and gives
// `[result, rest]` or a `DdlError`, which the callers pass on.
// ---------------------------------------------------------------------------------------------

/** A parse failure, with a message for whoever inspects the type. */
export interface DdlError<M extends string = string> { readonly ddlError: M }

type Whitespace = " " | "\n" | "\t" | "\r";
type Trim<S extends string> = S extends `${Whitespace}${infer R}` ? Trim<R> : S;

type Lower = "a" | "b" | "c" | "d" | "e" | "f" | "g" | "h" | "i" | "j" | "k" | "l" | "m" | "n" | "o" | "p" | "q" | "r" | "s" | "t" | "u" | "v" | "w" | "x" | "y" | "z";
type IdentStart = Lower | Uppercase<Lower> | "_";
type Digit = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";
type IdentChar = IdentStart | Digit;

type ReadWhile<S extends string, Chars extends string, Acc extends string = ""> = S extends `${infer C}${infer R}`
  ? C extends Chars ? ReadWhile<R, Chars, `${Acc}${C}`> : [Acc, S]
  : [Acc, S];

/** An identifier `[A-Za-z_][A-Za-z0-9_]*` → `[ident, rest]`, or `["", S]`. */
type ReadIdent<S extends string> = S extends `${IdentStart}${string}` ? ReadWhile<S, IdentChar> : ["", S];

/** A column name: identifier or backticked (`` `a``b` `` is ``a`b``). */
type ParseName<S extends string> = S extends `\`${infer R}`
  ? ReadQuoted<R, "">
  : ReadIdent<S> extends [infer N extends string, infer R extends string]
    ? N extends "" ? DdlError<`Expected a column name at '${S}'`> : [N, R]
    : never;

type ReadQuoted<S extends string, Acc extends string> = S extends `${infer Body}\`${infer R}`
  ? R extends `\`${infer R2}` ? ReadQuoted<R2, `${Acc}${Body}\``> : [`${Acc}${Body}`, R]
  : DdlError<"Unclosed backtick">;

interface PrimitiveSpecs {
  boolean: AtomicSpec<"boolean">; bool: AtomicSpec<"boolean">;
  tinyint: AtomicSpec<"byte">; byte: AtomicSpec<"byte">;
  smallint: AtomicSpec<"short">; short: AtomicSpec<"short">;
  int: AtomicSpec<"int">; integer: AtomicSpec<"int">;
  bigint: AtomicSpec<"long">; long: AtomicSpec<"long">;
  float: AtomicSpec<"float">; real: AtomicSpec<"float">;
  double: AtomicSpec<"double">;
  string: AtomicSpec<"string">; varchar: AtomicSpec<"string">; char: AtomicSpec<"string">; text: AtomicSpec<"string">;
  binary: AtomicSpec<"binary">;
  date: AtomicSpec<"date">;
  timestamp: AtomicSpec<"timestamp">; timestamp_ltz: AtomicSpec<"timestamp">; timestamp_ntz: AtomicSpec<"timestamp">;
  void: AtomicSpec<"null">; null: AtomicSpec<"null">;
}
type DecimalName = "decimal" | "dec" | "numeric";

/** A data type → `[spec, rest]`. */
type ParseType<S extends string> = ReadIdent<S> extends [infer W extends string, infer R extends string]
  ? W extends "" ? DdlError<`Expected a data type at '${S}'`> : TypeAfterName<Lowercase<W>, Trim<R>>
  : never;

type TypeAfterName<W extends string, S extends string> =
  W extends "array" ? (S extends `<${infer R}` ? ParseArrayBody<Trim<R>> : DdlError<"Expected '<' after ARRAY">)
  : W extends "map" ? (S extends `<${infer R}` ? ParseMapBody<Trim<R>> : DdlError<"Expected '<' after MAP">)
  : W extends "struct" ? (S extends `<${infer R}` ? ParseStructBody<Trim<R>> : DdlError<"Expected '<' after STRUCT">)
  : ParseParams<S> extends infer P
    ? P extends [infer Ps extends number[], infer R extends string]
      ? W extends DecimalName ? DecimalOf<Ps, R>
      : W extends keyof PrimitiveSpecs ? [PrimitiveSpecs[W], R]
      : DdlError<`Unsupported data type '${W}'`>
      : P
    : never;

type DecimalOf<Ps extends number[], R extends string> =
  Ps extends [] ? [DecimalSpec<10, 0>, R]
  : Ps extends [infer P extends number] ? [DecimalSpec<P, 0>, R]
  : Ps extends [infer P extends number, infer Sc extends number] ? [DecimalSpec<P, Sc>, R]
  : DdlError<"DECIMAL takes at most two parameters">;

/** Optional `(n, ...)` after a type name → `[numbers, rest]`. */
type ParseParams<S extends string> = S extends `(${infer R}` ? ParseNumbers<Trim<R>, []> : [[], S];

type ParseNumbers<S extends string, Acc extends number[]> = ReadWhile<S, Digit> extends [infer D extends string, infer R extends string]
  ? D extends `${infer N extends number}`
    ? Trim<R> extends `,${infer R2}` ? ParseNumbers<Trim<R2>, [...Acc, N]>
    : Trim<R> extends `)${infer R2}` ? [[...Acc, N], Trim<R2>]
    : DdlError<"Expected ',' or ')' in type parameters">
    : DdlError<"Expected a number in type parameters">
  : never;

type ParseArrayBody<S extends string> = ParseType<S> extends infer P
  ? P extends [infer E extends TypeSpec, infer R extends string]
    ? Trim<R> extends `>${infer R2}` ? [ArraySpec<FieldSpec<E, true>>, Trim<R2>] : DdlError<"Expected '>' after the ARRAY element type">
    : P
  : never;

type ParseMapBody<S extends string> = ParseType<S> extends infer PK
  ? PK extends [infer K extends TypeSpec, infer R extends string]
    ? Trim<R> extends `,${infer R2}`
      ? ParseType<Trim<R2>> extends infer PV
        ? PV extends [infer V extends TypeSpec, infer R3 extends string]
          ? Trim<R3> extends `>${infer R4}` ? [MapSpec<K, FieldSpec<V, true>>, Trim<R4>] : DdlError<"Expected '>' after the MAP value type">
          : PV
        : never
      : DdlError<"Expected ',' after the MAP key type">
    : PK
  : never;

type ParseStructBody<S extends string> = S extends `>${infer R}`
  ? [StructSpec<{}>, Trim<R>] // eslint-disable-line @typescript-eslint/no-empty-object-type
  : ParseFieldList<S, true, []> extends infer P
    ? P extends [infer E extends Entry[], infer R extends string]
      ? R extends `>${infer R2}` ? [StructSpec<FieldsFromEntries<E>>, Trim<R2>] : DdlError<"Expected '>' to close STRUCT">
      : P
    : never;

type Entry = [string, FieldSpec];
type FieldsFromEntries<E extends Entry[]> = { [X in E[number] as X[0]]: X[1] };

/** `name [:] type [NOT NULL] [COMMENT '...']` → `[name, field, rest]`. */
type ParseField<S extends string, InStruct extends boolean> = ParseName<S> extends infer PN
  ? PN extends [infer N extends string, infer R extends string]
    ? ParseType<InStruct extends true ? (Trim<R> extends `:${infer R2}` ? Trim<R2> : Trim<R>) : Trim<R>> extends infer PT
      ? PT extends [infer T extends TypeSpec, infer R3 extends string]
        ? ParseModifiers<Trim<R3>, true> extends infer PM
          ? PM extends [infer Nl extends boolean, infer R4 extends string] ? [N, FieldSpec<T, Nl>, R4] : PM
          : never
        : PT
      : never
    : PN
  : never;

/** `NOT NULL` and `COMMENT 'text'` in any order → `[nullable, rest]`. */
type ParseModifiers<S extends string, Nl extends boolean> = ReadIdent<S> extends [infer W extends string, infer R extends string]
  ? W extends "" ? [Nl, S]
  : Lowercase<W> extends "not"
    ? ReadIdent<Trim<R>> extends [infer W2 extends string, infer R2 extends string]
      ? Lowercase<W2> extends "null" ? ParseModifiers<Trim<R2>, false> : DdlError<"Expected NULL after NOT">
      : never
  : Lowercase<W> extends "comment"
    ? Trim<R> extends `'${string}'${infer R2}` ? ParseModifiers<Trim<R2>, Nl>
    : Trim<R> extends `"${string}"${infer R2}` ? ParseModifiers<Trim<R2>, Nl>
    : DdlError<"Expected a string after COMMENT">
  : DdlError<`Unexpected '${W}'`>
  : never;

/** Fields separated by commas → `[entries, rest]`; stops before anything that is not a comma. Tail-recursive. */
type ParseFieldList<S extends string, InStruct extends boolean, Acc extends Entry[]> = ParseField<S, InStruct> extends infer PF
  ? PF extends [infer N extends string, infer F extends FieldSpec, infer R extends string]
    ? Trim<R> extends `,${infer R2}` ? ParseFieldList<Trim<R2>, InStruct, [...Acc, [N, F]]> : [[...Acc, [N, F]], Trim<R>]
    : PF
  : never;

/** A whole schema: `""`, `col type, ...` or `STRUCT<...>` → fields, or a `DdlError`. */
type ParseSchema<S extends string> = Trim<S> extends infer T extends string
  ? T extends "" ? {} // eslint-disable-line @typescript-eslint/no-empty-object-type
  : IsStructType<T> extends true
    ? ParseType<T> extends infer P
      ? P extends [StructSpec<infer F>, infer R extends string] ? (R extends "" ? F : DdlError<`Unexpected '${R}'`>) : P
      : never
    : ParseFieldList<T, false, []> extends infer P
      ? P extends [infer E extends Entry[], infer R extends string] ? (R extends "" ? FieldsFromEntries<E> : DdlError<`Unexpected '${R}'`>) : P
      : never
  : never;

type IsStructType<T extends string> = ReadIdent<T> extends [infer W extends string, infer R extends string]
  ? Lowercase<W> extends "struct" ? (Trim<R> extends `<${string}` ? true : false) : false
  : false;
