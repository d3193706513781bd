// Type tests for the helpers the DataFrame API uses, through a declared DataFrame of the
// intended shape (compiled by tsc, not run).
import type { DdlRow } from "../../src/types/ddl-row-type.js";
import type {
  ColumnName, ColumnPath, ColumnRef, ColumnType, DropColumns, IsUnknownRow, PickColumns, RenameColumn, RowOf, UnknownRow, WithColumn,
} from "../../src/types/row-type.js";
import { array, double, long, map, schema, string, struct, timestamp } from "../../src/types/schema-builder.js";
import type { Equal, Expect } from "./type-assert.js";

interface Col<V> {
  readonly __value?: V;
}
declare class DataFrame<Row> {
  select<K extends ColumnPath<Row>>(...cols: K[]): DataFrame<PickColumns<Row, K>>;
  withColumn<K extends string, V>(name: K, col: Col<V>): DataFrame<WithColumn<Row, K, V>>;
  withColumnRenamed<F extends ColumnRef<Row>, T extends string>(from: F, to: T): DataFrame<RenameColumn<Row, F, T>>;
  drop<K extends ColumnRef<Row>>(...cols: K[]): DataFrame<DropColumns<Row, K>>;
  col<K extends ColumnPath<Row>>(name: K): Col<ColumnType<Row, K>>;
  collect(): Promise<Row[]>;
}
declare function typed<S>(s: S): DataFrame<RowOf<S>>;
declare function fromDdl<S extends string>(ddl: S): DataFrame<DdlRow<S>>;
declare function untyped(): DataFrame<UnknownRow>;
type RowOfDF<D> = D extends DataFrame<infer R> ? R : never;

const events = schema({ user: string(), ts: timestamp(), amount: double().nullable(), n: long() });
const df = typed(events);

// select keeps the named columns with their types.
type _Sel = Expect<Equal<RowOfDF<ReturnType<typeof df.select<"user" | "amount">>>, { user: string; amount: number | null }>>;
const _sel = df.select("user", "amount");
type _Sel2 = Expect<Equal<RowOfDF<typeof _sel>, { user: string; amount: number | null }>>;
// @ts-expect-error -- misspelled column
df.select("usr");
// @ts-expect-error -- misspelled column among good ones
df.select("user", "amout");

// withColumn adds or replaces.
declare const str: Col<string>;
const added = df.withColumn("label", str);
type _Add = Expect<Equal<RowOfDF<typeof added>, { user: string; ts: Date; amount: number | null; n: number | bigint; label: string }>>;
const _replaced = df.withColumn("amount", str);
type _Rep = Expect<Equal<RowOfDF<typeof _replaced>, { user: string; ts: Date; amount: string; n: number | bigint }>>;
// The new column is then selectable.
added.select("label");

// withColumnRenamed, drop.
const renamed = df.withColumnRenamed("user", "who");
type _Ren = Expect<Equal<RowOfDF<typeof renamed>, { who: string; ts: Date; amount: number | null; n: number | bigint }>>;
// @ts-expect-error -- the old name is gone
renamed.select("user");
// @ts-expect-error -- renaming a column that does not exist
df.withColumnRenamed("nope", "x");
type _RenSame = Expect<Equal<RenameColumn<{ a: 1; b: 2 }, "a", "a">, { a: 1; b: 2 }>>;
type _RenOver = Expect<Equal<RenameColumn<{ a: 1; b: 2 }, "a", "b">, { b: 1 }>>;
type _RenMissing = Expect<Equal<RenameColumn<{ a: 1 }, "z", "y">, { a: 1 }>>;
const _dropped = df.drop("ts", "n");
type _Drop = Expect<Equal<RowOfDF<typeof _dropped>, { user: string; amount: number | null }>>;
type _DropMissing = Expect<Equal<DropColumns<{ a: 1 }, "z">, { a: 1 }>>;

// col() carries the column's type.
type _Col = Expect<Equal<ReturnType<typeof df.col<"ts">>, Col<Date>>>;

// collect gives the rows.
async function collectTyped(): Promise<void> {
  const rows = await df.collect();
  type _Rows = Expect<Equal<typeof rows, { user: string; ts: Date; amount: number | null; n: number | bigint }[]>>;
  // @ts-expect-error -- misspelled field of a collected row
  void rows[0]?.usr;
}
void collectTyped;

// A DDL-typed DataFrame works the same way.
const ddf = fromDdl("word STRING, ts TIMESTAMP NOT NULL");
type _Ddl = Expect<Equal<RowOfDF<ReturnType<typeof ddf.select<"ts">>>, { ts: Date }>>;
// @ts-expect-error -- not a column of the DDL
ddf.select("wrd");

// Untyped DataFrames (UnknownRow, or DDL that is not a literal) accept any name and stay untyped.
const u = untyped();
const _uSel = u.select("anything", "else");
type _USel = Expect<Equal<RowOfDF<typeof _uSel>, UnknownRow>>;
type _UWith = Expect<Equal<RowOfDF<ReturnType<typeof u.withColumn<"x", number>>>, UnknownRow>>;
type _URen = Expect<Equal<RenameColumn<UnknownRow, "a", "b">, UnknownRow>>;
type _UDrop = Expect<Equal<DropColumns<UnknownRow, "a">, UnknownRow>>;
type _UCol = Expect<Equal<ColumnType<UnknownRow, "a">, unknown>>;
declare const ddlText: string;
const fromVar = fromDdl(ddlText);
fromVar.select("whatever");
type _UVar = Expect<Equal<RowOfDF<typeof fromVar>, UnknownRow>>;

// A non-literal name on a typed DataFrame makes the result untyped rather than wrong.
declare const _someName: string;
type _WithDyn = Expect<Equal<WithColumn<{ a: number }, typeof _someName, boolean>, UnknownRow>>;

// The building blocks.
type _Names = Expect<Equal<ColumnName<{ a: 1; b: 2 }>, "a" | "b">>;
type _Ref = Expect<Equal<ColumnRef<{ a: 1; b: 2 }>, "a" | "b">>;
type _RefU = Expect<Equal<ColumnRef<UnknownRow>, string>>;
type _IsU = Expect<Equal<[IsUnknownRow<UnknownRow>, IsUnknownRow<{ a: 1 }>], [true, false]>>;
type _Pick = Expect<Equal<PickColumns<{ a: 1; b: 2; c: 3 }, "a" | "c">, { a: 1; c: 3 }>>;

// Dotted paths into struct columns: select("loc.lat") gives a column named `lat`.
const _geo = schema({
  id: long(),
  loc: struct({ lat: double(), lon: double(), place: struct({ name: string(), tags: array(string()) }).nullable() }).nullable(),
  meta: struct({ m: map(string(), string()), at: timestamp() }),
});
const gdf = typed(_geo);
type GeoRow = RowOf<typeof _geo>;
type _Paths = Expect<
  Equal<
    ColumnPath<GeoRow>,
    "id" | "loc" | "loc.lat" | "loc.lon" | "loc.place" | "loc.place.name" | "loc.place.tags" | "meta" | "meta.m" | "meta.at"
  >
>;
const _lat = gdf.select("loc.lat", "meta.at", "id");
type _Lat = Expect<Equal<RowOfDF<typeof _lat>, { lat: number | null; at: Date; id: number | bigint }>>;
type _Deep = Expect<Equal<ColumnType<GeoRow, "loc.place.name">, string | null>>;
type _MetaM = Expect<Equal<ColumnType<GeoRow, "meta.m">, Map<string, string>>>;
// @ts-expect-error -- no field `lng` in loc
gdf.select("loc.lng");
// @ts-expect-error -- maps, dates and arrays have no dotted fields
gdf.select("meta.at.x");
type _UPath = Expect<Equal<ColumnPath<UnknownRow>, string>>;
// A column whose name contains a dot is selected by that name.
type _DotName = Expect<Equal<PickColumns<{ "a.b": 1; a: { b: 2 } }, "a.b">, { "a.b": 1 }>>;
