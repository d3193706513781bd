import assert from "node:assert/strict";
import * as fs from "node:fs";
import { after, describe, it } from "node:test";
import { escapePathName } from "../../../src/connectors/files/partition-path.js";
import { readSource, tempDir, writeSource, writeText } from "../helpers.js";

const { dir, cleanup } = tempDir();
after(cleanup);

void describe("partition discovery", () => {
  void it("appends k=v columns after the data columns, typed as Spark infers", async () => {
    writeText(`${dir}/p/i=1/l=3000000000/d=1.5/dt=2024-01-02/s=abc/f.json`, '{"x":1}\n');
    writeText(`${dir}/p/i=2/l=4/d=2/dt=2024-01-03/s=__HIVE_DEFAULT_PARTITION__/f.json`, '{"x":2}\n');
    const r = await readSource("json", `${dir}/p`);
    assert.equal(r.ddl, "x bigint, i int, l bigint, d double, dt date, s string");
    assert.deepEqual(r.rows, [
      { x: 1, i: 1, l: 3000000000, d: 1.5, dt: "2024-01-02", s: "abc" },
      { x: 2, i: 2, l: 4, d: 2, dt: "2024-01-03", s: null },
    ]);
  });
  void it("a user schema fixes partition column types; basePath keeps columns for a sub-path", async () => {
    const r = await readSource("json", `${dir}/p`, {}, { schema: "x int, i string" });
    assert.equal(r.ddl, "x int, i string, l bigint, d double, dt date, s string");
    const b = await readSource("json", `${dir}/p/i=1`, { basePath: `${dir}/p` });
    assert.equal(b.ddl, "x bigint, i int, l bigint, d double, dt date, s string");
    assert.equal(b.rows.length, 1);
  });
  void it("recursiveFileLookup turns partition inference off", async () => {
    const r = await readSource("json", `${dir}/p`, { recursiveFileLookup: "true" });
    assert.equal(r.ddl, "x bigint");
  });
  void it("prunes files whose partition values fail the filters and fills only required columns", async () => {
    const r = await readSource("json", `${dir}/p`, {}, { columns: ["s", "x"], filters: [{ op: "=", column: "i", value: 2 }] });
    assert.deepEqual(r.rows, [{ x: 2, s: null }]);
    assert.equal(r.metrics.filesSkipped, 1);
    assert.equal(r.metrics.filesRead, 1);
  });
});

void describe("partitioned writing", () => {
  void it("writes escaped k=v directories, drops the columns from files and reads them back", async () => {
    const out = `${dir}/w`;
    const res = await writeSource("parquet", out, "v int, k string, n int", [
      { v: 1, k: "a/b", n: 1 }, { v: 2, k: "a/b", n: 2 }, { v: 3, k: null, n: 1 }, { v: 4, k: "", n: 1 },
    ], {}, "errorifexists", ["k", "n"]);
    assert.equal(res.rows, 4);
    const dirs = fs.readdirSync(out).sort();
    assert.deepEqual(dirs, ["_SUCCESS", "k=__HIVE_DEFAULT_PARTITION__", "k=a%2Fb"]);
    assert.deepEqual(fs.readdirSync(`${out}/k=a%2Fb`).sort(), ["n=1", "n=2"]);
    const r = await readSource("parquet", out);
    assert.equal(r.ddl, "v int, k string, n int");
    assert.deepEqual(r.rows.sort((a, b) => (a.v as number) - (b.v as number)), [
      { v: 1, k: "a/b", n: 1 }, { v: 2, k: "a/b", n: 2 }, { v: 3, k: null, n: 1 }, { v: 4, k: null, n: 1 },
    ]);
  });
  void it("escapes like Spark", () => {
    assert.equal(escapePathName("a:b=c%d e"), "a%3Ab%3Dc%25d e");
  });
});
