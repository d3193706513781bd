import { test } from "node:test";
import assert from "node:assert/strict";
import { arrayType, IntegerType, LongType, mapType, sameType, StringType, structField, structType } from "../../src/types/data-type.js";
import { parseSchemaDDL } from "../../src/types/ddl.js";
import { toExternal, toInternal } from "../../src/types/values.js";
import {
  array, binary, boolean, byte, date, decimal, double, float, int, integer, long, map, schema, short, string, struct,
  timestamp, type ColumnBuilder,
} from "../../src/types/schema-builder.js";
import type { RowOf } from "../../src/types/row-type.js";

void test("a builder schema equals parseSchemaDDL of the same DDL: names, types, nullability", () => {
  const s = schema({
    bo: boolean().nullable(),
    by: byte(),
    sh: short().nullable(),
    i: int(),
    i2: integer().nullable(),
    l: long(),
    f: float().nullable(),
    d: double(),
    dec: decimal().nullable(),
    dec2: decimal(20, 4),
    dec3: decimal(7).nullable(),
    s: string(),
    bin: binary().nullable(),
    dt: date(),
    ts: timestamp().nullable(),
    tags: array(string().nullable()).nullable(),
    attrs: map(string(), long().nullable()),
    loc: struct({ lat: double().nullable(), lon: double() }).nullable(),
    "odd name": string().nullable(),
  });
  const ddl =
    "bo BOOLEAN, by TINYINT NOT NULL, sh SMALLINT, i INT NOT NULL, i2 INTEGER, l BIGINT NOT NULL, f FLOAT, " +
    "d DOUBLE NOT NULL, dec DECIMAL, dec2 DECIMAL(20,4) NOT NULL, dec3 DECIMAL(7), s STRING NOT NULL, bin BINARY, " +
    "dt DATE NOT NULL, ts TIMESTAMP, tags ARRAY<STRING>, attrs MAP<STRING, BIGINT> NOT NULL, " +
    "loc STRUCT<lat: DOUBLE, lon: DOUBLE NOT NULL>, `odd name` STRING";
  const parsed = parseSchemaDDL(ddl);
  assert.deepEqual(s.structType, parsed);
  assert.ok(sameType(s.structType, parsed));
  assert.deepEqual(
    s.structType.fields.map((f) => [f.name, f.nullable]),
    parsed.fields.map((f) => [f.name, f.nullable]),
  );
});

void test("the generated DDL parses back to the same schema", () => {
  const s = schema({
    word: string(),
    ts: timestamp().nullable(),
    price: decimal(10, 2),
    tags: array(string().nullable()),
    m: map(int(), array(long().nullable()).nullable()).nullable(),
    st: struct({ a: int().nullable(), "b c": string().nullable() }),
    "we`ird": long().nullable(),
  });
  assert.equal(
    s.ddl,
    "word STRING NOT NULL, ts TIMESTAMP, price DECIMAL(10,2) NOT NULL, tags ARRAY<STRING> NOT NULL, " +
      "m MAP<INT, ARRAY<BIGINT>>, st STRUCT<a: INT, `b c`: STRING> NOT NULL, `we``ird` BIGINT",
  );
  assert.deepEqual(parseSchemaDDL(s.ddl), s.structType);
});

void test("builders are NOT NULL by default, and that reaches nested types", () => {
  const s = schema({
    a: array(int()),
    m: map(string(), string()),
    st: struct({ x: long() }),
  });
  assert.deepEqual(
    s.structType,
    structType([
      structField("a", arrayType(IntegerType, false), false),
      structField("m", mapType(StringType, StringType, false), false),
      structField("st", structType([structField("x", LongType, false)]), false),
    ]),
  );
  // DDL cannot say "element not null", so the two differ only in nullability.
  const ddl = parseSchemaDDL("a ARRAY<INT> NOT NULL, m MAP<STRING,STRING> NOT NULL, st STRUCT<x: BIGINT NOT NULL> NOT NULL");
  assert.ok(!sameType(s.structType, ddl));
  assert.ok(sameType(s.structType, ddl, true));
});

void test("builders are immutable; nullable() returns a new builder", () => {
  const b = string();
  const n = b.nullable();
  assert.equal(b.isNullable, false);
  assert.equal(n.isNullable, true);
  assert.notEqual(b, n);
  assert.ok(Object.isFrozen(b) && Object.isFrozen(n));
  const s = schema({ x: b });
  assert.ok(Object.isFrozen(s) && Object.isFrozen(s.fields));
  assert.deepEqual(Object.keys(s.fields), ["x"]);
  assert.equal(s.fields.x.spec.kind, "string");
});

void test("specs carry the type parameters at run time too", () => {
  const d = decimal(20, 4);
  assert.deepEqual({ ...d.spec }, { kind: "decimal", precision: 20, scale: 4 });
  assert.deepEqual({ ...decimal().spec }, { kind: "decimal", precision: 10, scale: 0 });
  const a = array(int().nullable());
  assert.equal(a.spec.element.isNullable, true);
  const m = map(string(), double());
  assert.equal(m.spec.key.kind, "string");
  assert.equal(m.spec.value.spec.kind, "double");
  const st = struct({ a: int() });
  assert.equal(st.spec.fields.a.spec.kind, "int");
});

void test("invalid decimals and nullable map keys are refused", () => {
  assert.throws(() => decimal(0, 0), /precision/);
  assert.throws(() => decimal(39, 0), /precision/);
  assert.throws(() => decimal(5, 6), /scale/);
  assert.throws(() => decimal(10.5, 1), /precision/);
  const nullableKey = string().nullable() as unknown as ColumnBuilder<{ kind: "string" }, false>;
  assert.throws(() => map(nullableKey, int()), /keys cannot be nullable/);
});

void test("collected values have the shapes RowOf promises", () => {
  const s = schema({
    ts: timestamp(),
    d: date(),
    small: decimal(10, 2),
    big: decimal(20, 2),
    l: long(),
    m: map(string(), int()),
    st: struct({ a: int(), b: string().nullable() }),
  });
  const input = { ts: new Date(1000), d: "2024-02-29", small: "12.34", big: "12345678901234567.89", l: 2n ** 60n, m: { k: 1 }, st: { a: 1 } };
  const internal = toInternal(input, s.structType, "row");
  const row = toExternal(internal, s.structType) as RowOf<typeof s>;
  assert.ok(row.ts instanceof Date);
  assert.equal(row.ts.getTime(), 1000);
  assert.equal(row.d, "2024-02-29");
  assert.equal(row.small, 12.34);
  assert.equal(row.big, "12345678901234567.89");
  assert.equal(row.l, 2n ** 60n);
  assert.ok(row.m instanceof Map);
  assert.equal(row.m.get("k"), 1);
  assert.deepEqual(row.st, { a: 1, b: null });
});
