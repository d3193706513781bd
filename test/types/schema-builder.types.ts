// Type tests for the schema builders and RowOf / InputRowOf (compiled by tsc, not run).
import type { Interval } from "../../src/types/interval.js";
import type { InputRowOf, RowOf, UnknownRow } from "../../src/types/row-type.js";
import {
  array, binary, boolean, byte, date, decimal, double, float, int, integer, interval, long, map, schema, short, string,
  struct, timestamp, type Schema,
} from "../../src/types/schema-builder.js";
import type { Equal, Expect, IsAny } from "./type-assert.js";

const _events = schema({
  user: string(),
  ts: timestamp(),
  amount: double().nullable(),
  tags: array(string()),
  attrs: map(string(), long()),
  loc: struct({ lat: double(), lon: double() }),
  price: decimal(10, 2),
});

type Event = RowOf<typeof _events>;
type _Event = Expect<
  Equal<
    Event,
    {
      user: string;
      ts: Date;
      amount: number | null;
      tags: string[];
      attrs: Map<string, number | bigint>;
      loc: { lat: number; lon: number };
      price: number;
    }
  >
>;

// Every builder's row value, not null by default.
const _all = schema({
  bo: boolean(),
  by: byte(),
  sh: short(),
  i: int(),
  i2: integer(),
  l: long(),
  f: float(),
  d: double(),
  dec: decimal(),
  dec15: decimal(15, 3),
  dec16: decimal(16, 3),
  dec38: decimal(38, 18),
  s: string(),
  bin: binary(),
  dt: date(),
  ts: timestamp(),
  iv: interval(),
  arr: array(int()),
  m: map(int(), string()),
  st: struct({ a: int(), b: string().nullable() }),
});
type All = RowOf<typeof _all>;
type _All = Expect<
  Equal<
    All,
    {
      bo: boolean;
      by: number;
      sh: number;
      i: number;
      i2: number;
      l: number | bigint;
      f: number;
      d: number;
      dec: number;
      dec15: number;
      dec16: string;
      dec38: string;
      s: string;
      bin: Uint8Array;
      dt: string;
      ts: Date;
      iv: Interval;
      arr: number[];
      m: Map<number, string>;
      st: { a: number; b: string | null };
    }
  >
>;

// A decimal whose precision is not a literal: number or string.
declare const p: number;
const _dyn = schema({ x: decimal(p, 2) });
type _Dyn = Expect<Equal<RowOf<typeof _dyn>, { x: number | string }>>;

// Nullability inside arrays, maps and structs, and of the containers themselves.
const _nested = schema({
  a: array(string().nullable()),
  an: array(string()).nullable(),
  m: map(string(), double().nullable()).nullable(),
  aa: array(array(long())),
  deep: struct({ inner: struct({ when: timestamp().nullable() }).nullable(), list: array(struct({ k: string() })) }),
});
type _Nested = Expect<
  Equal<
    RowOf<typeof _nested>,
    {
      a: (string | null)[];
      an: string[] | null;
      m: Map<string, number | null> | null;
      aa: (number | bigint)[][];
      deep: { inner: { when: Date | null } | null; list: { k: string }[] };
    }
  >
>;

// RowOf accepts the fields record too; untyped schemas give UnknownRow, never any.
type _Fields = Expect<Equal<RowOf<typeof _events.fields>, Event>>;
type _Unknown = Expect<Equal<RowOf<typeof _events.structType>, Record<string, unknown>>>;
type _GeneralSchema = Expect<Equal<[RowOf<Schema>, InputRowOf<Schema>], [UnknownRow, UnknownRow]>>;
type _NotAny = Expect<Equal<IsAny<RowOf<typeof _events.structType>>, false>>;

// Input rows: nullable fields optional; wider input types.
type EventIn = InputRowOf<typeof _events>;
type _EventIn = Expect<
  Equal<
    EventIn,
    {
      user: string;
      ts: Date | string | number;
      amount?: number | null | undefined;
      tags: readonly string[];
      attrs: ReadonlyMap<string, number | bigint> | Readonly<Record<string, number | bigint>>;
      loc: { lat: number; lon: number };
      price: number | bigint | string;
    }
  >
>;
const okInput: EventIn[] = [
  { user: "a", ts: new Date(0), tags: [], attrs: { x: 1 }, loc: { lat: 1, lon: 2 }, price: "1.50" },
  { user: "b", ts: "2024-01-01 00:00:00", amount: null, tags: ["t"], attrs: new Map([["y", 2n]]), loc: { lat: 0, lon: 0 }, price: 3 },
];
void okInput;
// @ts-expect-error -- `user` is NOT NULL, so it is required
const missingUser: EventIn = { ts: 0, tags: [], attrs: {}, loc: { lat: 1, lon: 2 }, price: 1 };
void missingUser;
// @ts-expect-error -- a NOT NULL column does not take null
const nullUser: EventIn = { user: null, ts: 0, tags: [], attrs: {}, loc: { lat: 1, lon: 2 }, price: 1 };
void nullUser;

// Maps _keyed by non-strings take only Map values on input; dates take Date | string.
const _keyed = schema({ m: map(int(), date().nullable()), d: date() });
type _Keyed = Expect<
  Equal<InputRowOf<typeof _keyed>, { m: ReadonlyMap<number | bigint, Date | string | null | undefined>; d: Date | string }>
>;

// A misspelled field is a compile error on a typed row.
declare const row: Event;
// @ts-expect-error -- no column `usr`
void row.usr;
void row.user;

// Map keys cannot be nullable.
// @ts-expect-error -- nullable map key
map(string().nullable(), int());
