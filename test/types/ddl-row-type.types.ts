// Type tests for the type-level DDL parser (compiled by tsc, not run).
import type { Interval } from "../../src/types/interval.js";
import type { DdlFields, DdlInputRow, DdlRow, DdlType } from "../../src/types/ddl-row-type.js";
import type { AtomicSpec, DecimalSpec, FieldSpec, RowOf, UnknownRow } from "../../src/types/row-type.js";
import { array, decimal, int, long, map, schema, string, struct, timestamp } from "../../src/types/schema-builder.js";
import type { Equal, Expect, IsAny } from "./type-assert.js";

// The example from the brief: every column nullable unless NOT NULL.
type R1 = DdlRow<"word STRING, ts TIMESTAMP, n BIGINT, tags ARRAY<STRING>, m MAP<STRING,INT>, d DECIMAL(10,2), s STRUCT<a: INT, b: STRING>">;
type _R1 = Expect<
  Equal<
    R1,
    {
      word: string | null;
      ts: Date | null;
      n: number | bigint | null;
      tags: (string | null)[] | null;
      m: Map<string, number | null> | null;
      d: number | null;
      s: { a: number | null; b: string | null } | null;
    }
  >
>;

// Every primitive type name and alias, in any case.
type Prims = DdlRow<`
  a boolean, a2 BOOL,
  b tinyint, b2 BYTE,
  c smallint, c2 Short,
  d int, d2 INTEGER,
  e bigint, e2 LONG,
  f float, f2 REAL,
  g double,
  h decimal, h2 DECIMAL(5), h3 dec(20, 4), h4 NUMERIC(15,15),
  i string, i2 VARCHAR(10), i3 char(1), i4 TEXT,
  j binary,
  k date,
  l timestamp, l2 TIMESTAMP_LTZ, l3 timestamp_ntz,
  v void
`>;
type _Prims = Expect<
  Equal<
    Prims,
    {
      a: boolean | null; a2: boolean | null;
      b: number | null; b2: number | null;
      c: number | null; c2: number | null;
      d: number | null; d2: number | null;
      e: number | bigint | null; e2: number | bigint | null;
      f: number | null; f2: number | null;
      g: number | null;
      h: number | null; h2: number | null; h3: string | null; h4: number | null;
      i: string | null; i2: string | null; i3: string | null; i4: string | null;
      j: Uint8Array | null;
      k: string | null;
      l: Date | null; l2: Date | null; l3: Date | null;
      v: null;
    }
  >
>;

// Decimal precision and scale are kept as literal types.
type _Dec = Expect<Equal<DdlType<"DECIMAL(20, 4)">, DecimalSpec<20, 4>>>;
type _Dec0 = Expect<Equal<DdlType<"decimal">, DecimalSpec<10, 0>>>;
type _Dec1 = Expect<Equal<DdlType<"numeric(7)">, DecimalSpec<7, 0>>>;

// NOT NULL (any case, any spacing), COMMENT, backticks, free whitespace.
type R2 = DdlRow<"  `my col` INT NOT NULL ,`a``b`  string COMMENT 'the b' ,c  Map < String , Array<Int> >  not   null COMMENT \"x\"  ">;
type _R2 = Expect<Equal<R2, { "my col": number; "a`b": string | null; c: Map<string, (number | null)[] | null> }>>;

// Nested structs, empty struct, colon optional, NOT NULL inside structs.
type R3 = DdlRow<"s STRUCT<a STRUCT<x: DOUBLE NOT NULL, y: ARRAY<STRUCT<z TIMESTAMP>>> NOT NULL, e STRUCT<>> NOT NULL">;
type _R3 = Expect<
  Equal<R3, { s: { a: { x: number; y: ({ z: Date | null } | null)[] | null }; e: {} | null } }> // eslint-disable-line @typescript-eslint/no-empty-object-type
>;

// The whole text may be STRUCT<...>, as parseSchemaOrStruct accepts.
type _R4 = Expect<Equal<DdlRow<"struct<a: int not null, b: string>">, { a: number; b: string | null }>>;
// An empty schema has no columns.
type _Empty = Expect<Equal<DdlRow<"  ">, {}>>; // eslint-disable-line @typescript-eslint/no-empty-object-type

// Degrades to UnknownRow (never `never`, never `any`) when the text is not a literal or does not parse.
declare const _someDdl: string;
type _General = Expect<Equal<DdlRow<typeof _someDdl>, UnknownRow>>;
type _GeneralNotAny = Expect<Equal<IsAny<DdlRow<string>>, false>>;
type _Template = Expect<Equal<DdlRow<`a INT, ${string}`>, UnknownRow>>;
type _BadType = Expect<Equal<DdlRow<"a INTT">, UnknownRow>>;
type _Unclosed = Expect<Equal<DdlRow<"a ARRAY<INT">, UnknownRow>>;
type _Trailing = Expect<Equal<DdlRow<"a INT,">, UnknownRow>>;
type _NoType = Expect<Equal<DdlRow<"a">, UnknownRow>>;
type _BadNot = Expect<Equal<DdlRow<"a INT NOT">, UnknownRow>>;
type _Junk = Expect<Equal<DdlRow<"a INT b">, UnknownRow>>;
type _Interval = Expect<Equal<DdlRow<"a INTERVAL">, UnknownRow>>; // parseSchemaDDL has no INTERVAL either
type _BadBacktick = Expect<Equal<DdlRow<"`a INT">, UnknownRow>>;
type _ColonTop = Expect<Equal<DdlRow<"a: INT">, UnknownRow>>; // only struct fields take a colon
type _NeverFields = Expect<Equal<DdlFields<"a INTT">, never>>;

// Input rows: nullable columns optional, timestamps as Date | string | number, maps as Map or object.
type In = DdlInputRow<"word STRING, ts TIMESTAMP NOT NULL, n BIGINT, m MAP<STRING, INT>, mi MAP<INT, STRING>">;
type _In = Expect<
  Equal<
    In,
    {
      ts: Date | string | number;
      word?: string | null | undefined;
      n?: number | bigint | null | undefined;
      m?: ReadonlyMap<string, number | bigint | null | undefined> | Readonly<Record<string, number | bigint | null | undefined>> | null | undefined;
      mi?: ReadonlyMap<number | bigint, string | null | undefined> | null | undefined;
    }
  >
>;
const _addData: DdlInputRow<"word STRING, ts TIMESTAMP">[] = [{ word: "a", ts: new Date(1000) }, { ts: 5 }, {}];
type _InUnknown = Expect<Equal<DdlInputRow<string>, UnknownRow>>;

// A misspelled column of a typed DDL row is a compile error.
declare const r1: R1;
// @ts-expect-error -- no column `wrod`
void r1.wrod;

// The same row type from DDL and from builders written to match it.
const _built = schema({
  word: string().nullable(),
  n: long(),
  tags: array(string().nullable()).nullable(),
  m: map(string(), int().nullable()).nullable(),
  d: decimal(10, 2).nullable(),
  s: struct({ a: int().nullable(), b: timestamp() }).nullable(),
});
type _Same = Expect<
  Equal<
    RowOf<typeof _built>,
    DdlRow<"word STRING, n BIGINT NOT NULL, tags ARRAY<STRING>, m MAP<STRING, INT>, d DECIMAL(10, 2), s STRUCT<a: INT, b: TIMESTAMP NOT NULL>">
  >
>;

// The parsed fields are specs: a field's spec and nullability are visible.
type _Spec = Expect<Equal<DdlFields<"a INT NOT NULL">, { a: FieldSpec<AtomicSpec<"int">, false> }>>;
type _IntervalSpec = Expect<Equal<RowOf<{ i: FieldSpec<AtomicSpec<"interval">, true> }>, { i: Interval | null }>>;

// 30 columns, several nested, stay within the compiler's limits.
type Wide = DdlRow<`
  c01 STRING NOT NULL, c02 TIMESTAMP, c03 BIGINT, c04 INT, c05 DOUBLE, c06 DECIMAL(18, 2), c07 BOOLEAN, c08 DATE,
  c09 ARRAY<STRING>, c10 MAP<STRING, BIGINT>, c11 STRUCT<a: INT, b: STRING, c: ARRAY<STRUCT<d: DOUBLE>>>,
  c12 STRING COMMENT 'twelve', c13 TINYINT, c14 SMALLINT, c15 FLOAT, c16 BINARY, c17 STRING, c18 STRING,
  c19 BIGINT NOT NULL, c20 TIMESTAMP NOT NULL, c21 ARRAY<ARRAY<INT>>, c22 MAP<INT, ARRAY<STRING>>, c23 DECIMAL(38, 10),
  \`col 24\` STRING, c25 STRING, c26 INT, c27 INT, c28 DOUBLE, c29 STRUCT<x: STRUCT<y: STRUCT<z: INT NOT NULL>>>,
  a_long_column_name_number_thirty_for_good_measure STRING NOT NULL
`>;
type _WideCount = Expect<Equal<keyof Wide extends string ? true : false, true>>;
type _Wide01 = Expect<Equal<Wide["c01"], string>>;
type _Wide06 = Expect<Equal<Wide["c06"], string | null>>;
type _Wide11 = Expect<Equal<Wide["c11"], { a: number | null; b: string | null; c: ({ d: number | null } | null)[] | null } | null>>;
type _Wide22 = Expect<Equal<Wide["c22"], Map<number, (string | null)[] | null> | null>>;
type _Wide24 = Expect<Equal<Wide["col 24"], string | null>>;
type _Wide29 = Expect<Equal<Wide["c29"], { x: { y: { z: number } | null } | null } | null>>;
type _Wide30 = Expect<Equal<Wide["a_long_column_name_number_thirty_for_good_measure"], string>>;
type _WideKeys = Expect<Equal<LengthOfUnion<keyof Wide>, 30>>;

type UnionToTuple<U, Acc extends unknown[] = []> = [U] extends [never]
  ? Acc
  : (U extends unknown ? (x: () => U) => void : never) extends (x: infer F) => void
    ? F extends () => infer L ? UnionToTuple<Exclude<U, L>, [...Acc, L]> : Acc
    : Acc;
type LengthOfUnion<U> = UnionToTuple<U>["length"];
