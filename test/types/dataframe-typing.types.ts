// Compile-time checks of the DataFrame's row types (compiled by `npm run typecheck`, never run).
import type { Expect, Equal } from "./type-assert.js";
import { type Session, schema, t } from "../../src/index.js";

declare const spark: Session;

const sales = spark.createDataFrame([], "region STRING, item STRING NOT NULL, amount DOUBLE");
type SalesRow = Awaited<ReturnType<typeof sales.collect>>[number];
export type _row = Expect<Equal<SalesRow, { region: string | null; item: string; amount: number | null }>>;

// A misspelled column does not compile.
// @ts-expect-error "regoin" is not a column of sales
sales.select("regoin");
// @ts-expect-error "amout" is not a column of sales
sales.drop("amout");

export const picked = sales.select("item", "amount");
type Picked = Awaited<ReturnType<typeof picked.collect>>[number];
export type _picked = Expect<Equal<Picked, { item: string; amount: number | null }>>;

export const renamed = sales.withColumnRenamed("item", "product");
type Renamed = Awaited<ReturnType<typeof renamed.collect>>[number];
export type _renamed = Expect<Equal<keyof Renamed, "region" | "product" | "amount">>;

// Schema builders give exact (non-null by default) row types.
export const people = spark.createDataFrame([{ name: "a", age: 3 }], schema({ name: t.string(), age: t.int().nullable() }));
type Person = Awaited<ReturnType<typeof people.collect>>[number];
export type _person = Expect<Equal<Person, { name: string; age: number | null }>>;

// Untyped DataFrames accept any column name.
const anyDf = spark.sql("SELECT 1 AS x");
anyDf.select("whatever");
type AnyRow = Awaited<ReturnType<typeof anyDf.collect>>[number];
export type _any = Expect<Equal<AnyRow, Record<string, unknown>>>;

// Set operations and joins take a DataFrame of any row type. (A typed DataFrame is not assignable
// to an untyped `DataFrame` parameter: writeStream.foreachBatch's callback makes Row invariant.)
export const unioned = anyDf.union(sales.select("item"));
export const joined = sales.join(anyDf, "item");

// cache() / persist() / unpersist() return the same DataFrame, row type included.
export const cached = sales.cache().persist("MEMORY_ONLY").unpersist();
type Cached = Awaited<ReturnType<typeof cached.collect>>[number];
export type _cached = Expect<Equal<Cached, SalesRow>>;
// @ts-expect-error "regoin" is still not a column after cache()
sales.cache().select("regoin");
// @ts-expect-error storage levels are Spark's names
sales.persist("MEMORY_ONLY_3");
