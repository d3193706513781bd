import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Session } from "../../../src/index.js";
import { stridePartitions } from "../../../src/connectors/postgres/postgres-partitions.js";
import { type PostgresServer, startPostgres } from "../../support/postgres-server.js";

const spark = Session.builder().getOrCreate();
let pg: PostgresServer;

before(async () => {
  pg = await startPostgres();
  await pg.query(`CREATE TABLE public.types (
    id int8 PRIMARY KEY, i2 int2, i4 int4, f4 real, f8 float8, n numeric(38,10), nu numeric, t text, vc varchar(10),
    ok bool, d date, tstz timestamptz, ts timestamp, b bytea, j jsonb, a int4[], sa text[], big int8[])`);
  await pg.query(`INSERT INTO public.types VALUES
    (9007199254740993, 1, 2, 0.1, 0.1, 1234567890123456789012345678.0123456789, 3.14159265358979323846264338327950288, 'tab\there', 'v', true,
     '2024-02-29', '2024-01-02 03:04:05.123456+02', '2024-01-02 03:04:05.000001', '\\x00ff10', '{"k": [1, 2]}', '{1,NULL,3}', '{"a b","q\\"uote",NULL,"NULL"}', '{9223372036854775807,-9223372036854775808}'),
    (-9223372036854775808, NULL, NULL, 'NaN', '-Infinity', -0.0000000001, NULL, NULL, NULL, false, '0044-03-15 BC', NULL, NULL, NULL, NULL, '{}', NULL, NULL)`);
  await pg.query(`CREATE TABLE events (id int4, v text)`);
  // ids 1..1000, some outside the bounds used below, and NULL ids.
  await pg.query(`INSERT INTO events SELECT g, 'v' || g FROM generate_series(-20, 1000) g`);
  await pg.query(`INSERT INTO events VALUES (NULL, 'null1'), (NULL, 'null2')`);
});
after(async () => {
  await pg?.stop();
});

const reader = () => spark.read.format("postgres").option("url", pg.url);

describe("postgres batch read", () => {
  test("maps PostgreSQL types to Spark types", () => {
    const df = reader().option("dbtable", "public.types").load();
    const types = Object.fromEntries(df.schema.fields.map((f) => [f.name, f.dataType.kind === "decimal" ? `decimal(${f.dataType.precision},${f.dataType.scale})` : f.dataType.kind === "array" ? `array<${f.dataType.elementType.kind}>` : f.dataType.kind]));
    assert.deepEqual(types, {
      id: "long", i2: "short", i4: "int", f4: "float", f8: "double", n: "decimal(38,10)", nu: "decimal(38,18)", t: "string", vc: "string",
      ok: "boolean", d: "date", tstz: "timestamp", ts: "timestamp", b: "binary", j: "string", a: "array<int>", sa: "array<string>", big: "array<long>",
    });
    assert.equal(df.schema.fields[0]!.nullable, false, "NOT NULL columns are not nullable");
    assert.equal(df.schema.fields[1]!.nullable, true);
  });

  test("values are exact: int8 beyond 2^53, numeric(38,10), microseconds, arrays, bytea", async () => {
    const rows = await reader().option("dbtable", "public.types").load().orderBy("id").collect();
    const [neg, pos] = rows as Record<string, unknown>[];
    assert.equal(pos!["id"], 9007199254740993n);
    assert.equal(neg!["id"], -9223372036854775808n);
    assert.equal(pos!["n"], "1234567890123456789012345678.0123456789");
    assert.equal(neg!["n"], "-0.0000000001");
    assert.equal(pos!["nu"], "3.141592653589793238");
    assert.equal(pos!["f4"], Math.fround(0.1));
    assert.equal(pos!["f8"], 0.1);
    assert.ok(Number.isNaN(neg!["f4"]));
    assert.equal(neg!["f8"], -Infinity);
    assert.equal(pos!["t"], "tab\there");
    assert.equal(pos!["ok"], true);
    assert.equal(pos!["d"], "2024-02-29");
    assert.equal(neg!["d"], "-0043-03-15");
    assert.deepEqual(pos!["b"], new Uint8Array([0, 255, 16]));
    assert.equal(pos!["j"], '{"k": [1, 2]}');
    assert.deepEqual(pos!["a"], [1, null, 3]);
    assert.deepEqual(neg!["a"], []);
    assert.deepEqual(pos!["sa"], ["a b", 'q"uote', null, "NULL"]);
    assert.deepEqual(pos!["big"], [9223372036854775807n, -9223372036854775808n]);
    // Microseconds survive: compare as SQL text through the engine.
    const micros = await spark.read.format("postgres").option("url", pg.url).option("query", "SELECT tstz, ts FROM public.types WHERE id > 0").load()
      .selectExpr("CAST(unix_micros(tstz) AS STRING) AS a", "CAST(unix_micros(ts) AS STRING) AS b").collect();
    assert.deepEqual(micros, [{ a: String(Date.UTC(2024, 0, 2, 1, 4, 5) * 1000 + 123456), b: String(Date.UTC(2024, 0, 2, 3, 4, 5) * 1000 + 1) }]);
  });

  // Strides use Spark's integer division: upperBound / n - lowerBound / n.
  test("stride partitions follow Spark: open first (with NULLs) and last partitions", () => {
    assert.deepEqual(stridePartitions("id", 0n, 100n, 4), ["id < 25 or id is null", "id >= 25 AND id < 50", "id >= 50 AND id < 75", "id >= 75"]);
    assert.deepEqual(stridePartitions("id", 0n, 3n, 10), ["id < 1 or id is null", "id >= 1 AND id < 2", "id >= 2"]);
    assert.deepEqual(stridePartitions("id", 5n, 5n, 4), [null]);
    assert.deepEqual(stridePartitions("id", -9223372036854775808n, 9223372036854775807n, 2), ["id < -1 or id is null", "id >= -1"]);
  });

  test("a partitioned read (with a cursor) equals a single read", async () => {
    const sorted = (rows: Record<string, unknown>[]) => rows.map((r) => `${String(r["id"])}:${String(r["v"])}`).sort();
    const single = sorted(await reader().option("dbtable", "events").load().collect());
    assert.equal(single.length, 1023);
    for (const [n, fetch] of [[7, 0], [4, 100], [1, 50]] as const) {
      const parted = reader().option("dbtable", "events").option("partitionColumn", "id").option("lowerBound", 0).option("upperBound", 900)
        .option("numPartitions", n).option("fetchsize", fetch).load();
      assert.deepEqual(sorted(await parted.collect()), single, `numPartitions=${n} fetchsize=${fetch}`);
    }
    const q = reader().option("query", "SELECT id, v FROM events WHERE id % 2 = 0").option("partitionColumn", "id").option("lowerBound", 0).option("upperBound", 1000).option("numPartitions", 3).load();
    assert.equal((await q.collect()).length, 511);
  });

  test("column pruning and filters push down, results unchanged", async () => {
    const df = reader().option("dbtable", "events").load().where("id >= 10 AND id < 20 AND v <> 'v15'").select("id");
    assert.deepEqual((await df.collect()).map((r) => r["id"]), [10, 11, 12, 13, 14, 16, 17, 18, 19]);
    assert.equal(await reader().option("dbtable", "events").load().count(), 1023);
  });
});

describe("postgres batch read: bad input, raised at load()", () => {
  test("missing table names the table, the server and the option", () => {
    assert.throws(() => reader().option("dbtable", "public.nope").load(), (e: Error) => {
      assert.match(e.message, /public\.nope/);
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${pg.port}`));
      assert.match(e.message, /option 'dbtable'/);
      return true;
    });
  });
  test("wrong credentials", () => {
    assert.throws(() => spark.read.format("postgres").option("url", pg.url.replace(":sluice@", ":wrong@")).option("dbtable", "events").load(), /rejected the login: password authentication failed.*Fix the user and password in option 'url'/);
  });
  test("unreachable server names host:port and says how to fix, after the configured retries", () => {
    const t0 = Date.now();
    assert.throws(() => spark.read.format("postgres").option("url", "postgresql://postgres@127.0.0.1:1/postgres").option("dbtable", "events").option("retries", 2).option("retryBackoffMs", 20).load(), (e: Error) => {
      assert.match(e.message, /Cannot connect to PostgreSQL at 127\.0\.0\.1:1: connection refused/);
      assert.match(e.message, /fix option 'url'/);
      assert.match(e.message, /Gave up after 3 attempts/);
      return true;
    });
    assert.ok(Date.now() - t0 >= 60, "backoff waited 20 + 40 ms");
  });
  test("bad options", () => {
    assert.throws(() => reader().option("dbtable", "events").option("partitionColumn", "v").option("lowerBound", 0).option("upperBound", 9).option("numPartitions", 2).load(), /must be a numeric column; `v` is text/);
    assert.throws(() => reader().option("dbtable", "events").option("partitionColumn", "id").load(), /'lowerBound', 'upperBound' and 'numPartitions' must all be specified/);
    assert.throws(() => reader().option("dbtable", "events").option("query", "SELECT 1").load(), /can not be specified at the same time/);
    assert.throws(() => spark.read.format("postgres").option("dbtable", "events").load(), /Option 'url' is required/);
    assert.throws(() => reader().option("query", "SELECT nope FROM events").load(), /column "nope" does not exist/);
  });
});
