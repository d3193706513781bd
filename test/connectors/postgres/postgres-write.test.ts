import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Session } from "../../../src/index.js";
import { type PostgresServer, startPostgres } from "../../support/postgres-server.js";

const spark = Session.builder().getOrCreate();
let pg: PostgresServer;

before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

const DDL = "id BIGINT, amount DECIMAL(38,10), price DOUBLE, ratio FLOAT, name STRING, ok BOOLEAN, day DATE, at TIMESTAMP, raw BINARY, tags ARRAY<STRING>, nums ARRAY<BIGINT>, small SMALLINT";
const ROWS = [
  { id: 9007199254740993n, amount: "1234567890123456789012345678.0123456789", price: 0.1, ratio: 1.5, name: "tab\there\nnew \\ line", ok: true, day: "2024-02-29", at: "2024-01-02 03:04:05.123456", raw: new Uint8Array([0, 255]), tags: ["a b", 'q"u', null, "NULL", "{x}"], nums: [9223372036854775807n, -1], small: 7 },
  { id: -9223372036854775808n, amount: "-0.0000000001", price: -Infinity, ratio: null, name: "", ok: false, day: "0001-01-01", at: "1900-01-01 00:00:00", raw: new Uint8Array([]), tags: [], nums: null, small: null },
  { id: 3, amount: null, price: null, ratio: null, name: null, ok: null, day: null, at: null, raw: null, tags: null, nums: null, small: null },
];

const writer = (table: string, rows: readonly Record<string, unknown>[] = ROWS, ddl = DDL) => spark.createDataFrame(rows, ddl).write.format("postgres").option("url", pg.url).option("dbtable", table);
const read = async (table: string) => spark.read.format("postgres").option("url", pg.url).option("dbtable", table).load().orderBy("id").collect();

describe("postgres batch write", () => {
  test("creates the table from the schema and round-trips every type exactly (COPY)", async () => {
    const r = await writer("rt").mode("errorifexists").save();
    assert.equal(r.rows, 3);
    const cols = await pg.query<{ column_name: string; t: string }>(`SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS t FROM pg_attribute a WHERE a.attrelid = 'rt'::regclass AND a.attnum > 0 ORDER BY a.attnum`);
    assert.deepEqual(cols.map((c) => `${c.column_name} ${c.t}`), [
      "id bigint", "amount numeric(38,10)", "price double precision", "ratio real", "name text", "ok boolean", "day date",
      "at timestamp with time zone", "raw bytea", "tags text[]", "nums bigint[]", "small smallint",
    ]);
    const expected = await spark.createDataFrame(ROWS, DDL).orderBy("id").collect();
    assert.deepEqual(await read("rt"), expected);
    // The server holds the exact values, not rounded ones.
    const text = await pg.query<{ id: string; amount: string | null }>(`SELECT id::text, amount::text FROM rt ORDER BY id`);
    assert.deepEqual(text.map((t) => [t.id, t.amount]), [["-9223372036854775808", "-0.0000000001"], ["3", null], ["9007199254740993", "1234567890123456789012345678.0123456789"]]);
  });

  test("save modes: errorifexists names the table, ignore keeps it, append adds, overwrite replaces", async () => {
    await writer("modes").mode("append").save();
    await assert.rejects(writer("modes").mode("errorifexists").save(), (e: Error) => {
      assert.match(e.message, /Table modes already exists at 127\.0\.0\.1:\d+/);
      assert.match(e.message, /mode\("append"\)/);
      return true;
    });
    assert.equal((await writer("modes").mode("ignore").save()).rows, 0);
    assert.equal((await read("modes")).length, 3);
    await writer("modes").mode("append").save();
    assert.equal((await read("modes")).length, 6);
    // overwrite without truncate: DROP + CREATE from the new schema.
    await writer("modes", [{ x: 1 }], "x INT").mode("overwrite").save();
    assert.deepEqual(await spark.read.format("postgres").option("url", pg.url).option("dbtable", "modes").load().collect(), [{ x: 1 }]);
  });

  test("overwrite with truncate keeps the table's definition", async () => {
    await pg.query(`CREATE TABLE keep (id bigint, name text, created timestamptz DEFAULT now())`);
    await pg.query(`CREATE INDEX keep_name ON keep (name)`);
    await pg.query(`INSERT INTO keep (id, name) VALUES (100, 'old')`);
    await writer("keep", [{ id: 1, name: "a" }, { id: 2, name: "b" }], "id BIGINT, name STRING").mode("overwrite").option("truncate", true).save();
    const rows = await pg.query<{ id: string; name: string; has_created: boolean }>(`SELECT id::text, name, created IS NOT NULL AS has_created FROM keep ORDER BY id`);
    assert.deepEqual(rows, [{ id: "1", name: "a", has_created: true }, { id: "2", name: "b", has_created: true }]);
    assert.equal((await pg.query(`SELECT 1 FROM pg_indexes WHERE indexname = 'keep_name'`)).length, 1);
  });

  test("createTableColumnTypes overrides generated column types", async () => {
    await writer("custom", [{ id: 1, name: "abc" }], "id BIGINT, name STRING").option("createTableColumnTypes", "name VARCHAR(16), id NUMERIC(20,0)").mode("append").save();
    const cols = await pg.query<{ t: string }>(`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'custom'::regclass AND attnum > 0 ORDER BY attnum`);
    assert.deepEqual(cols.map((c) => c.t), ["numeric(20,0)", "character varying(16)"]);
    await assert.rejects(writer("custom2", [{ id: 1 }], "id BIGINT").option("createTableColumnTypes", "nope TEXT").save("custom2"), /names column `nope`, which is not in the DataFrame/);
  });

  test("a schema that does not fit the table names the columns", async () => {
    await pg.query(`CREATE TABLE fixed (id int8 NOT NULL, name text, flag boolean, must text NOT NULL)`);
    await assert.rejects(writer("fixed", [{ id: 1, name: 2, extra: "x" }], "id BIGINT, name INT, extra STRING").mode("append").save(), (e: Error) => {
      assert.match(e.message, /does not match table fixed at 127\.0\.0\.1:\d+/);
      assert.match(e.message, /column `name` is int in the DataFrame but text in the table/);
      assert.match(e.message, /column `extra` \(string\) does not exist in the table/);
      assert.match(e.message, /table column "must" is NOT NULL without a default/);
      return true;
    });
    assert.equal((await pg.query(`SELECT count(*)::int AS n FROM fixed`))[0]!["n"], 0);
  });

  test("a failed write leaves the table as it was (one transaction)", async () => {
    await writer("atomic", [{ id: 1, name: "ok" }], "id BIGINT, name STRING").mode("append").save();
    // PostgreSQL text cannot hold NUL: the COPY fails after the first rows, and nothing stays.
    await assert.rejects(writer("atomic", [{ id: 2, name: "fine" }, { id: 3, name: "bad\u0000" }], "id BIGINT, name STRING").mode("overwrite").save(), /0x00/);
    assert.deepEqual(await pg.query(`SELECT id::int, name FROM atomic`), [{ id: 1, name: "ok" }]);
  });

  test("unreachable server and wrong credentials", async () => {
    await assert.rejects(spark.createDataFrame([{ x: 1 }], "x INT").write.format("postgres").option("url", "postgresql://u@127.0.0.1:1/db").option("retries", 0).option("dbtable", "t").save(), /Cannot connect to PostgreSQL at 127\.0\.0\.1:1: connection refused.*option 'url'/);
    await assert.rejects(spark.createDataFrame([{ x: 1 }], "x INT").write.format("postgres").option("url", pg.url.replace(":sluice@", ":bad@")).option("dbtable", "t").save(), /rejected the login/);
    await assert.rejects(spark.createDataFrame([{ m: new Map([["a", 1]]) }], "m MAP<STRING,INT>").write.format("postgres").option("url", pg.url).option("dbtable", "t").save(), /Column `m` has type map<string,int>, which cannot be written to PostgreSQL/);
  });
});
