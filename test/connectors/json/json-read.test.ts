import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { FileFormatError } from "../../../src/errors/errors.js";
import { readSource, tempDir, writeText } from "../helpers.js";

const { dir, cleanup } = tempDir();
after(cleanup);
let n = 0;
function file(text: string, name = "a.json"): string {
  const d = `${dir}/case${n++}`;
  writeText(`${d}/${name}`, text);
  return d;
}

void describe("JSON schema inference", () => {
  void it("infers bigint, double, string, boolean and sorts fields by name", async () => {
    const r = await readSource("json", file('{"z":1,"a":"x","m":true,"d":1.5}\n{"z":2,"d":2}\n'));
    assert.equal(r.ddl, "a string, d double, m boolean, z bigint");
    assert.deepEqual(r.rows[1], { a: null, d: 2, m: null, z: 2 });
  });
  void it("infers nested structs and arrays with merged element types", async () => {
    const r = await readSource("json", file('{"s":{"b":1,"a":[1,2.5]},"arr":[{"x":1},{"y":"q"}]}\n'));
    assert.equal(r.ddl, "arr array<struct<x:bigint,y:string>>, s struct<a:array<double>,b:bigint>");
    assert.deepEqual(r.rows[0], { arr: [{ x: 1, y: null }, { x: null, y: "q" }], s: { a: [1, 2.5], b: 1 } });
  });
  void it("widens conflicting types to string and null-only fields to string", async () => {
    const r = await readSource("json", file('{"a":1,"n":null}\n{"a":"x","n":null}\n{"a":{"k":1}}\n'));
    assert.equal(r.ddl, "a string, n string");
    assert.deepEqual(r.rows.map((x) => x.a), ["1", "x", '{"k":1}']);
  });
  void it("keeps integers beyond 2^53 exact and infers decimal(20,0) beyond 64 bits", async () => {
    const r = await readSource("json", file('{"l":9007199254740993}\n{"l":-9223372036854775808,"d":18446744073709551616}\n'));
    assert.equal(r.ddl, "d decimal(20,0), l bigint");
    assert.equal(r.rows[0]!.l, 9007199254740993n);
    assert.equal(r.rows[1]!.l, -9223372036854775808n);
    assert.equal(r.rows[1]!.d, "18446744073709551616");
  });
  void it("primitivesAsString reads every primitive as a string", async () => {
    const r = await readSource("json", file('{"a":1,"b":true,"c":[1.5]}\n'), { primitivesAsString: "true" });
    assert.equal(r.ddl, "a string, b string, c array<string>");
    assert.deepEqual(r.rows[0], { a: "1", b: "true", c: ["1.5"] });
  });
  void it("prefersDecimal infers decimals for fractions", async () => {
    const r = await readSource("json", file('{"a":1.25}\n{"a":10.5}\n'), { prefersDecimal: "true" });
    assert.equal(r.ddl, "a decimal(4,2)");
  });
  void it("infers timestamps only with inferTimestamp", async () => {
    const d = file('{"t":"2024-01-02T03:04:05Z"}\n');
    assert.equal((await readSource("json", d)).ddl, "t string");
    const r = await readSource("json", d, { inferTimestamp: "true" });
    assert.equal(r.ddl, "t timestamp");
    assert.deepEqual(r.rows[0], { t: new Date("2024-01-02T03:04:05Z") });
  });
  void it("adds _corrupt_record for malformed lines in PERMISSIVE mode", async () => {
    const r = await readSource("json", file('{"a":1}\n{"a":\n[1,2]\n'));
    assert.equal(r.ddl, "_corrupt_record string, a bigint");
    assert.deepEqual(r.rows, [
      { _corrupt_record: null, a: 1 },
      { _corrupt_record: '{"a":', a: null },
      { _corrupt_record: "[1,2]", a: null },
    ]);
  });
  void it("reads a top-level array of objects on a line as several rows, skipping blank lines", async () => {
    const r = await readSource("json", file('[{"a":1},{"a":2}]\n\n   \n{"a":3}\n'));
    assert.deepEqual(r.rows.map((x) => x.a), [1, 2, 3]);
  });
});

void describe("JSON options", () => {
  void it("multiLine reads a document or an array spanning lines", async () => {
    const r = await readSource("json", file('[\n  {"a": 1,\n   "b": "x"},\n  {"a": 2}\n]\n'), { multiLine: "true" });
    assert.equal(r.ddl, "a bigint, b string");
    assert.deepEqual(r.rows, [{ a: 1, b: "x" }, { a: 2, b: null }]);
  });
  void it("allowComments, single quotes and unquoted field names", async () => {
    const d = file("{'a': 1 /* one */}\n{b: 2}\n");
    const strict = await readSource("json", d, { allowSingleQuotes: "false" });
    assert.equal(strict.ddl, "_corrupt_record string");
    const r = await readSource("json", d, { allowComments: "true", allowUnquotedFieldNames: "true" });
    assert.equal(r.ddl, "a bigint, b bigint");
    assert.deepEqual(r.rows, [{ a: 1, b: null }, { a: null, b: 2 }]);
  });
  void it("parses dates and timestamps with dateFormat/timestampFormat", async () => {
    const d = file('{"d":"31/12/2023","t":"2024-01-02 10:20:30"}\n');
    const r = await readSource("json", d, { dateFormat: "dd/MM/yyyy", timestampFormat: "yyyy-MM-dd HH:mm:ss" }, { schema: "d date, t timestamp", timeZone: "America/New_York" });
    assert.deepEqual(r.rows[0], { d: "2023-12-31", t: new Date("2024-01-02T15:20:30Z") });
  });
  void it("reads gzip-compressed files by their .gz suffix", async () => {
    const { gzipSync } = await import("node:zlib");
    const d = `${dir}/gz`;
    writeText(`${d}/x.json.gz`, "");
    (await import("node:fs")).writeFileSync(`${d}/x.json.gz`, gzipSync('{"a":1}\n{"a":2}\n'));
    const r = await readSource("json", d);
    assert.deepEqual(r.rows, [{ a: 1 }, { a: 2 }]);
  });
});

void describe("JSON malformed records", () => {
  const text = '{"a":1,"b":"x"}\n{"a":"oops","b":"y"}\n{broken\n';
  void it("PERMISSIVE keeps good fields, nulls bad ones and fills the corrupt-record column", async () => {
    const r = await readSource("json", file(text), {}, { schema: "a int, b string, _corrupt_record string" });
    assert.deepEqual(r.rows, [
      { a: 1, b: "x", _corrupt_record: null },
      { a: null, b: "y", _corrupt_record: '{"a":"oops","b":"y"}' },
      { a: null, b: null, _corrupt_record: "{broken" },
    ]);
  });
  void it("uses columnNameOfCorruptRecord", async () => {
    const r = await readSource("json", file(text), { columnNameOfCorruptRecord: "bad" }, { schema: "a int, bad string" });
    assert.deepEqual(r.rows.map((x) => x.bad), [null, '{"a":"oops","b":"y"}', "{broken"]);
  });
  void it("DROPMALFORMED drops them", async () => {
    const r = await readSource("json", file(text), { mode: "DROPMALFORMED" }, { schema: "a int, b string" });
    assert.deepEqual(r.rows, [{ a: 1, b: "x" }]);
  });
  void it("FAILFAST throws naming the file and line", async () => {
    const d = file(text, "bad.json");
    await assert.rejects(readSource("json", d, { mode: "FAILFAST" }, { schema: "a int, b string" }), (e: unknown) => {
      assert.ok(e instanceof FileFormatError);
      assert.equal(
        e.message,
        `[MALFORMED_RECORD_IN_PARSING] Malformed records are detected in record parsing at file:${d}/bad.json line 2: {"a":"oops","b":"y"}. ` +
          "Parse Mode: FAILFAST. To process malformed records as null result, try setting the option 'mode' as 'PERMISSIVE'.",
      );
      return true;
    });
  });
});
