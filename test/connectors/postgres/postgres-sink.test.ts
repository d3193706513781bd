import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Session, col } from "../../../src/index.js";
import { PostgresSink } from "../../../src/connectors/postgres/postgres-sink.js";
import { parseSchemaDDL } from "../../../src/types/ddl.js";
import { type PostgresServer, startPostgres } from "../../support/postgres-server.js";
import { batchOf, tempDir } from "../helpers.js";

const spark = Session.builder().getOrCreate();
let pg: PostgresServer;
const dirs: (() => void)[] = [];

before(async () => {
  pg = await startPostgres();
});
after(async () => {
  for (const d of dirs) d();
  await pg?.stop();
});

function checkpoint(): string {
  const t = tempDir();
  dirs.push(t.cleanup);
  return t.dir;
}

const DDL = "id BIGINT, name STRING";
const schema = parseSchemaDDL(DDL);
const openSink = (table: string, extra: Record<string, string> = {}, outputMode: "append" | "update" | "complete" = "append", queryId = `q-${table}`) =>
  PostgresSink.open({ options: { url: pg.url, dbtable: table, ...extra }, schema, outputMode, timeZone: "UTC", queryId });
const rowsOf = async (table: string) => (await pg.query<{ id: string; name: string }>(`SELECT id::text, name FROM ${table} ORDER BY id, name`)).map((r) => `${r.id}:${r.name}`);
const progressOf = async (queryId: string, table = "_sluice_progress") => (await pg.query<{ b: string }>(`SELECT batch_id::text AS b FROM ${table} WHERE query_id = $1`, [queryId]))[0]?.b ?? null;

describe("postgres exactly-once sink", () => {
  test("a replayed batch id writes nothing twice", async () => {
    const sink = await openSink("replay");
    try {
      const b0 = batchOf(DDL, [{ id: 1, name: "a" }, { id: 9007199254740993n, name: "big" }]);
      await sink.addBatch(0, [b0], "append");
      await sink.addBatch(0, [b0], "append");
      await sink.addBatch(1, [batchOf(DDL, [{ id: 2, name: "b" }])], "append");
      await sink.addBatch(1, [batchOf(DDL, [{ id: 2, name: "b" }])], "append");
      await sink.addBatch(0, [b0], "append");
      assert.deepEqual(await rowsOf("replay"), ["1:a", "2:b", "9007199254740993:big"]);
      assert.equal(sink.skippedBatches, 3);
      assert.equal(await progressOf("q-replay"), "1");
    } finally {
      await sink.stop();
    }
    // A new sink for the same query (a restart) also skips recorded batches.
    const again = await openSink("replay");
    await again.addBatch(1, [batchOf(DDL, [{ id: 2, name: "b" }])], "append");
    await again.stop();
    assert.equal((await rowsOf("replay")).length, 3);
  });

  test("a failure inside the transaction leaves nothing; the re-run writes the batch once", async () => {
    const sink = await openSink("crash", { retries: "0" });
    try {
      await sink.addBatch(0, [batchOf(DDL, [{ id: 1, name: "a" }])], "append");
      const many = Array.from({ length: 5000 }, (_, i) => ({ id: 100 + i, name: `r${i}` }));
      // The NUL byte makes the server reject the COPY after thousands of rows went over.
      await assert.rejects(sink.addBatch(1, [batchOf(DDL, [...many, { id: 99999, name: "bad\u0000" }])], "append"), /0x00/);
      assert.deepEqual(await rowsOf("crash"), ["1:a"]);
      assert.equal(await progressOf("q-crash"), "0");
      await sink.addBatch(1, [batchOf(DDL, many)], "append");
      assert.equal((await rowsOf("crash")).length, 5001);
      assert.equal(await progressOf("q-crash"), "1");
    } finally {
      await sink.stop();
    }
  });

  for (const retries of [0, 3]) {
    test(`the connection killed mid-transaction: ${retries ? "retried with backoff, written once" : "nothing written, error names the server"}`, async () => {
      const table = `killed${retries}`;
      const sink = await openSink(table, { retries: String(retries), retryBackoffMs: "20" });
      const locker = await pg.client();
      try {
        await sink.addBatch(0, [batchOf(DDL, [{ id: 1, name: "a" }])], "append");
        // Hold a lock so the sink's COPY waits inside its transaction, then kill its backend.
        await locker.query(`BEGIN; LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
        const outcome = sink.addBatch(1, [batchOf(DDL, [{ id: 2, name: "b" }, { id: 3, name: "c" }])], "append").then(() => null, (e: unknown) => e as Error);
        let killed = 0;
        for (let i = 0; i < 200 && killed === 0; i++) {
          await new Promise((r) => setTimeout(r, 10));
          const r = await locker.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'sluice' AND wait_event_type = 'Lock'`);
          killed = r.rowCount ?? 0;
        }
        assert.equal(killed, 1, "the sink's transaction was waiting on the lock");
        await locker.query("COMMIT");
        if (retries === 0) {
          const e = await outcome;
          assert.ok(e !== null, "the write failed");
          assert.match(e.message, new RegExp(`Lost the connection to PostgreSQL at 127\\.0\\.0\\.1:${pg.port}`));
          assert.deepEqual(await rowsOf(table), ["1:a"]);
          assert.equal(await progressOf(`q-${table}`), "0");
        } else {
          assert.equal(await outcome, null);
          assert.deepEqual(await rowsOf(table), ["1:a", "2:b", "3:c"]);
          assert.equal(await progressOf(`q-${table}`), "1");
        }
      } finally {
        await locker.end();
        await sink.stop();
      }
    });
  }

  test("update mode upserts by key; complete mode replaces the table; progress table can be renamed", async () => {
    const up = await openSink("upserted", { upsertKeys: "id", progressTable: "my_progress" }, "update");
    await up.addBatch(0, [batchOf(DDL, [{ id: 1, name: "a" }, { id: 2, name: "b" }])], "update");
    await up.addBatch(1, [batchOf(DDL, [{ id: 2, name: "b2" }, { id: 3, name: "c" }, { id: 3, name: "c-last" }])], "update");
    await up.addBatch(1, [batchOf(DDL, [{ id: 2, name: "zzz" }])], "update");
    await up.stop();
    assert.deepEqual(await rowsOf("upserted"), ["1:a", "2:b2", "3:c-last"]);
    assert.equal(await progressOf("q-upserted", "my_progress"), "1");

    const full = await openSink("completed", {}, "complete");
    await full.addBatch(0, [batchOf(DDL, [{ id: 1, name: "a" }, { id: 2, name: "b" }])], "complete");
    await full.addBatch(1, [batchOf(DDL, [{ id: 1, name: "a" }, { id: 2, name: "b" }, { id: 3, name: "c" }])], "complete");
    await full.addBatch(1, [batchOf(DDL, [])], "complete");
    await full.stop();
    assert.deepEqual(await rowsOf("completed"), ["1:a", "2:b", "3:c"]);
  });

  test("end to end: writeStream.format(\"postgres\") in update mode, restarted from its checkpoint", async () => {
    const ckpt = checkpoint();
    const input = spark.memoryStream("word STRING");
    const start = () => input.toDF().groupBy(col("word")).count().writeStream.format("postgres").outputMode("update")
      .option("url", pg.url).option("dbtable", "word_counts").option("upsertKeys", "word").option("checkpointLocation", ckpt).start();
    let q = await start();
    input.addData([{ word: "a" }, { word: "b" }, { word: "a" }]);
    await q.processAllAvailable();
    input.addData([{ word: "b" }, { word: "c" }]);
    await q.processAllAvailable();
    await q.stop();
    q = await start();
    input.addData([{ word: "a" }]);
    await q.processAllAvailable();
    await q.stop();
    const rows = await pg.query<{ word: string; count: string }>(`SELECT word, count::text FROM word_counts ORDER BY word`);
    assert.deepEqual(rows.map((r) => `${r.word}=${r.count}`), ["a=3", "b=2", "c=1"]);
    const pk = await pg.query(`SELECT 1 FROM pg_constraint WHERE conrelid = 'word_counts'::regclass AND contype = 'p'`);
    assert.equal(pk.length, 1, "the table was created with a primary key on upsertKeys");
    assert.equal((await pg.query(`SELECT 1 FROM _sluice_progress WHERE table_name = 'word_counts'`)).length, 1);
  });

  test("end to end append", async () => {
    const input = spark.memoryStream(DDL);
    const q = await input.toDF().writeStream.format("postgres").option("url", pg.url).option("dbtable", "appended").option("checkpointLocation", checkpoint()).start();
    input.addData([{ id: 1, name: "x" }]);
    await q.processAllAvailable();
    input.addData([{ id: 2, name: "y" }, { id: 3, name: "z" }]);
    await q.processAllAvailable();
    await q.stop();
    assert.deepEqual(await rowsOf("appended"), ["1:x", "2:y", "3:z"]);
  });
});

describe("postgres sink: bad input, raised at start()", () => {
  const startWith = (opts: Record<string, string>, mode = "append", ddl = DDL) =>
    spark.memoryStream(ddl).toDF().writeStream.format("postgres").outputMode(mode).options({ url: pg.url, checkpointLocation: checkpoint(), ...opts }).start();

  test("unreachable server", async () => {
    await assert.rejects(startWith({ url: "postgresql://u@127.0.0.1:1/db", dbtable: "t", retries: "1", retryBackoffMs: "10" }), /Cannot connect to PostgreSQL at 127\.0\.0\.1:1: connection refused.*Gave up after 2 attempts/);
  });
  test("wrong credentials", async () => {
    await assert.rejects(startWith({ url: pg.url.replace(":sluice@", ":nope@"), dbtable: "t" }), /rejected the login/);
  });
  test("schema does not match the existing table", async () => {
    await pg.query(`CREATE TABLE typed (id int8, name int4)`);
    await assert.rejects(startWith({ dbtable: "typed" }), /column `name` is string in the DataFrame but int4 in the table/);
  });
  test("update mode needs upsertKeys and a unique index on them", async () => {
    await assert.rejects(startWith({ dbtable: "u1" }, "update"), /needs option 'upsertKeys'/);
    await pg.query(`CREATE TABLE nokey (id int8, name text)`);
    await assert.rejects(startWith({ dbtable: "nokey", upsertKeys: "id" }, "update"), /has no unique index on \(id\).*CREATE UNIQUE INDEX ON nokey \("id"\)/);
    await assert.rejects(startWith({ dbtable: "u2", upsertKeys: "nope" }, "update"), /names column `nope`/);
  });
  test("a checkpoint location is required", async () => {
    await assert.rejects(spark.memoryStream(DDL).toDF().writeStream.format("postgres").option("url", pg.url).option("dbtable", "t").start(), /checkpointLocation/);
  });
});
