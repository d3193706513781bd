import assert from "node:assert/strict";
import * as fs from "node:fs";
import { after, describe, it } from "node:test";
import { readSource, tempDir, writeSource } from "../helpers.js";

const { dir, cleanup } = tempDir();
after(cleanup);

const ALL_TYPES =
  "b boolean, y tinyint, sh smallint, i int, l bigint, f float, d double, d9 decimal(9,2), d18 decimal(18,4), d38 decimal(38,10), " +
  "s string, bin binary, dt date, ts timestamp, arr array<int>, arrs array<struct<x:bigint,y:array<string>>>, m map<string,int>, mi map<int,decimal(20,2)>, st struct<x:int,y:string,z:struct<w:date>>";
const ROW = {
  b: true, y: -128, sh: 32767, i: -2147483648, l: -(2n ** 63n), f: 1.25, d: -0.1, d9: "1234567.89", d18: "-12345678901234.5678", d38: "1234567890123456789012345678.0123456789",
  s: "héllo 👋", bin: new Uint8Array([0, 255, 7]), dt: "1969-12-31", ts: new Date("1900-01-01T00:00:00.001Z"),
  arr: [1, null, 3], arrs: [{ x: 2n ** 60n, y: ["a", null] }, null], m: new Map<string, number | null>([["k", 1], ["n", null]]), mi: new Map([[7, "-1.50"]]),
  st: { x: 1, y: null, z: { w: "2024-02-29" } },
};

void describe("Parquet round trips", () => {
  void it("every Spark type, nulls everywhere, schema from the footer", async () => {
    const out = `${dir}/all`;
    await writeSource("parquet", out, ALL_TYPES, [ROW, {}, { arr: [], m: new Map(), st: { x: null, y: null, z: null } }]);
    const r = await readSource("parquet", out);
    assert.equal(r.ddl, ALL_TYPES);
    assert.deepEqual(r.rows[0], { ...ROW, d9: 1234567.89, mi: new Map([[7, "-1.50"]]) });
    assert.ok(Object.values(r.rows[1]!).every((v) => v === null));
    assert.deepEqual(r.rows[2]!.arr, []);
    assert.deepEqual(r.rows[2]!.m, new Map());
    assert.deepEqual(r.rows[2]!.st, { x: null, y: null, z: null });
  });
  void it("longs beyond 2^53 are exact", async () => {
    const out = `${dir}/longs`;
    const vals = [2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 53n) - 3n, 5n];
    await writeSource("parquet", out, "l bigint", vals.map((l) => ({ l })));
    const r = await readSource("parquet", out);
    assert.deepEqual(r.rows.map((x) => x.l), [2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 53n) - 3n, 5]);
  });
  void it("reads a column subset and produces batches of 8192 rows", async () => {
    const out = `${dir}/subset`;
    const rows = Array.from({ length: 20000 }, (_, i) => ({ a: i, b: `s${i}`, c: i * 0.5 }));
    await writeSource("parquet", out, "a int, b string, c double", rows);
    const r = await readSource("parquet", out, {}, { columns: ["c", "a"] });
    assert.deepEqual(Object.keys(r.rows[0]!), ["a", "c"]);
    assert.deepEqual(r.batchSizes, [8192, 8192, 3616]);
    assert.deepEqual(r.rows[19999], { a: 19999, c: 9999.5 });
  });
  void it("compression codecs: snappy (default), gzip, brotli, zstd, none", async () => {
    for (const [codec, suffix] of [["snappy", ".snappy.parquet"], ["gzip", ".gz.parquet"], ["brotli", ".br.parquet"], ["zstd", ".zstd.parquet"], ["none", ".parquet"]] as const) {
      const out = `${dir}/codec-${codec}`;
      await writeSource("parquet", out, "s string", [{ s: "x".repeat(100) }], codec === "snappy" ? {} : { compression: codec });
      const name = fs.readdirSync(out).find((f) => f.startsWith("part-"))!;
      assert.ok(name.endsWith(suffix), name);
      assert.deepEqual((await readSource("parquet", out)).rows, [{ s: "x".repeat(100) }]);
    }
  });
  void it("mergeSchema unions the columns of all files; missing columns are null", async () => {
    const out = `${dir}/merge`;
    await writeSource("parquet", `${out}/k=1`, "a int", [{ a: 1 }]);
    await writeSource("parquet", `${out}/k=2`, "a int, b string", [{ a: 2, b: "x" }]);
    const r = await readSource("parquet", out, { mergeSchema: "true" });
    assert.equal(r.ddl, "a int, b string, k int");
    assert.deepEqual(r.rows, [{ a: 1, b: null, k: 1 }, { a: 2, b: "x", k: 2 }]);
  });
});
