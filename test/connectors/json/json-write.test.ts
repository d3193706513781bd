import assert from "node:assert/strict";
import * as fs from "node:fs";
import { after, describe, it } from "node:test";
import { readSource, tempDir, writeSource } from "../helpers.js";

const { dir, cleanup } = tempDir();
after(cleanup);

const ALL_TYPES = "b boolean, y tinyint, sh smallint, i int, l bigint, f float, d double, dec decimal(20,3), s string, bin binary, dt date, ts timestamp, arr array<int>, m map<string,int>, st struct<x:int,y:string>";
const ROW = {
  b: true, y: -5, sh: 300, i: 7, l: 2n ** 60n + 1n, f: 1.5, d: 0.1, dec: "12345678901234567.891", s: 'q"é\n', bin: new Uint8Array([1, 2, 255]),
  dt: "2024-02-29", ts: new Date("2024-01-01T00:00:00.123Z"), arr: [1, null], m: new Map([["k", 1]]), st: { x: 1, y: "z" },
};

function partFiles(d: string): string[] {
  return fs.readdirSync(d).filter((f) => f.startsWith("part-"));
}

void describe("JSON writing", () => {
  void it("round-trips every type with the schema given", async () => {
    const out = `${dir}/all`;
    await writeSource("json", out, ALL_TYPES, [ROW, {}]);
    const r = await readSource("json", out, {}, { schema: ALL_TYPES });
    assert.deepEqual(r.rows[0], { ...ROW, f: 1.5 });
    assert.ok(Object.values(r.rows[1]!).every((v) => v === null));
  });
  void it("writes one object per line, omits nulls, ISO timestamps and base64 binary", async () => {
    const out = `${dir}/text`;
    await writeSource("json", out, "a int, s string, ts timestamp, d date, bin binary, x double", [
      { a: 1, s: null, ts: new Date("2024-01-01T00:00:00Z"), d: "2024-01-02", bin: new Uint8Array([104, 105]), x: 2 },
    ]);
    const text = fs.readFileSync(`${out}/${partFiles(out)[0]}`, "utf8");
    assert.equal(text, '{"a":1,"ts":"2024-01-01T00:00:00.000Z","d":"2024-01-02","bin":"aGk=","x":2.0}\n');
    assert.ok(fs.existsSync(`${out}/_SUCCESS`));
  });
  void it("writes nulls with ignoreNullFields=false and gzip with compression", async () => {
    const out = `${dir}/gz`;
    await writeSource("json", out, "a int, s string", [{ a: 1, s: null }], { ignoreNullFields: "false", compression: "gzip" });
    const name = partFiles(out)[0]!;
    assert.match(name, /^part-00000-[0-9a-f-]{36}-c000\.json\.gz$/);
    const { gunzipSync } = await import("node:zlib");
    assert.equal(gunzipSync(fs.readFileSync(`${out}/${name}`)).toString(), '{"a":1,"s":null}\n');
    assert.deepEqual((await readSource("json", out)).rows, [{ a: 1, s: null }]);
  });
  void it("formats timestamps in the session time zone with timestampFormat", async () => {
    const out = `${dir}/tz`;
    const { writeFileSource } = await import("../../../src/connectors/files/write-file-source.js");
    const { parseSchemaDDL } = await import("../../../src/types/ddl.js");
    const { batchOf, batches } = await import("../helpers.js");
    const s = parseSchemaDDL("ts timestamp");
    await writeFileSource("json", out, "errorifexists", [], {}, s, batches(batchOf(s, [{ ts: new Date("2024-06-01T12:00:00Z") }])), "Europe/Paris");
    assert.equal(fs.readFileSync(`${out}/${partFiles(out)[0]}`, "utf8"), '{"ts":"2024-06-01T14:00:00.000+02:00"}\n');
  });
});
