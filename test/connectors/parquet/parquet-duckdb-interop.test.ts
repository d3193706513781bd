import assert from "node:assert/strict";
import * as fs from "node:fs";
import { after, describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { readSource, tempDir, writeSource } from "../helpers.js";

const { dir, cleanup } = tempDir();
after(cleanup);

void describe("Parquet interoperability with DuckDB", () => {
  void it("DuckDB reads a file Sluice wrote", async () => {
    const out = `${dir}/ours`;
    await writeSource("parquet", out, "i int, l bigint, d decimal(20,2), s string, dt date, ts timestamp, arr array<int>, m map<string,int>, st struct<x:int,y:string>", [
      { i: 1, l: 2n ** 62n, d: "12345678901234567.89", s: "a", dt: "2024-01-02", ts: new Date("2024-01-02T03:04:05.678Z"), arr: [1, null], m: new Map([["k", 2]]), st: { x: 1, y: "z" } },
      {},
    ]);
    const file = `${out}/${fs.readdirSync(out).find((f) => f.startsWith("part-"))}`;
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    await conn.run("SET TimeZone = 'UTC'");
    const reader = await conn.runAndReadAll(
      `SELECT i, l::VARCHAR AS l, d::VARCHAR AS d, s, dt::VARCHAR AS dt, ts::VARCHAR AS ts, arr::VARCHAR AS arr, m::VARCHAR AS m, st::VARCHAR AS st, typeof(d) AS td, typeof(ts) AS tts FROM read_parquet('${file}')`,
    );
    const rows = reader.getRowObjectsJson();
    assert.deepEqual(rows[0], {
      i: 1, l: String(2n ** 62n), d: "12345678901234567.89", s: "a", dt: "2024-01-02", ts: "2024-01-02 03:04:05.678+00",
      arr: "[1, NULL]", m: "{k=2}", st: "{'x': 1, 'y': z}", td: "DECIMAL(20,2)", tts: "TIMESTAMP WITH TIME ZONE",
    });
    assert.equal(rows[1]!.i, null);
    conn.closeSync();
  });
  void it("DuckDB reads the zstd and gzip files Sluice wrote, and Sluice reads DuckDB's zstd files", async () => {
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    for (const codec of ["zstd", "gzip"]) {
      const out = `${dir}/codec-${codec}`;
      await writeSource("parquet", out, "i int, s string", Array.from({ length: 1000 }, (_, i) => ({ i, s: `row ${i % 7}` })), { compression: codec });
      const file = `${out}/${fs.readdirSync(out).find((f) => f.startsWith("part-"))}`;
      const rows = (await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n, sum(i)::INTEGER AS s, max(s) AS m FROM read_parquet('${file}')`)).getRowObjectsJson();
      assert.deepEqual(rows, [{ n: 1000, s: 499500, m: "row 6" }], codec);
      const meta = (await conn.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata('${file}')`)).getRowObjectsJson();
      assert.deepEqual(meta, [{ compression: codec.toUpperCase() }]);
    }
    const duckFile = `${dir}/duck-zstd.parquet`;
    await conn.run(`COPY (SELECT i::INTEGER AS i FROM range(500) t(i)) TO '${duckFile}' (FORMAT PARQUET, COMPRESSION ZSTD)`);
    conn.closeSync();
    assert.equal((await readSource("parquet", duckFile)).rows.length, 500);
  });
  void it("Sluice reads a file DuckDB wrote", async () => {
    const file = `${dir}/duck.parquet`;
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    await conn.run(`COPY (SELECT i::INTEGER AS i, (i * 3000000000)::BIGINT AS l, (i / 4)::DECIMAL(10,2) AS d, 'r' || i AS s,
      DATE '2024-01-01' + i::INTEGER AS dt, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i) AS ts,
      [i, NULL] AS arr, {'x': i, 'y': 'q'} AS st, MAP {'k': i} AS m,
      CASE WHEN i % 2 = 0 THEN NULL ELSE i END AS n
      FROM range(3) t(i)) TO '${file}' (FORMAT PARQUET)`);
    conn.closeSync();
    const r = await readSource("parquet", file);
    assert.equal(r.ddl, "i int, l bigint, d decimal(10,2), s string, dt date, ts timestamp, arr array<bigint>, st struct<x:bigint,y:string>, m map<string,bigint>, n bigint");
    assert.deepEqual(r.rows[1], {
      i: 1, l: 3000000000, d: 0.25, s: "r1", dt: "2024-01-02", ts: new Date("2024-01-01T00:00:01Z"), arr: [1, null], st: { x: 1, y: "q" }, m: new Map([["k", 1]]), n: 1,
    });
    assert.equal(r.rows[0]!.n, null);
  });
});
