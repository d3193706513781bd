import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { FileFormatError } from "../../../src/errors/errors.js";
import { readSource, tempDir, writeText } from "../helpers.js";

const { dir, cleanup } = tempDir();
after(cleanup);
let n = 0;
function file(text: string, name = "a.csv"): string {
  const d = `${dir}/case${n++}`;
  writeText(`${d}/${name}`, text);
  return d;
}

void describe("CSV schema", () => {
  void it("names columns _c0.. without a header and reads strings", async () => {
    const r = await readSource("csv", file("1,a\n2,b\n"));
    assert.equal(r.ddl, "_c0 string, _c1 string");
    assert.deepEqual(r.rows, [{ _c0: "1", _c1: "a" }, { _c0: "2", _c1: "b" }]);
  });
  void it("takes names from the header", async () => {
    const r = await readSource("csv", file("x,y\n1,a\n"), { header: "true" });
    assert.equal(r.ddl, "x string, y string");
    assert.deepEqual(r.rows, [{ x: "1", y: "a" }]);
  });
  void it("inferSchema tries int, long, decimal, double, date, timestamp, boolean, string", async () => {
    const r = await readSource(
      "csv",
      file("i,l,dec,d,dt,ts,b,s,mix\n1,3000000000,123456789012345678901,1.5,2024-01-02,2024-01-02 03:04:05,true,x,1\n2,4,5,NaN,2024-01-03,2024-01-02T00:00:00Z,FALSE,y,2.5\n"),
      { header: "true", inferSchema: "true" },
    );
    assert.equal(r.ddl, "i int, l bigint, dec decimal(21,0), d double, dt date, ts timestamp, b boolean, s string, mix double");
    assert.deepEqual(r.rows[0], {
      i: 1, l: 3000000000, dec: "123456789012345678901", d: 1.5, dt: "2024-01-02", ts: new Date("2024-01-02T03:04:05Z"), b: true, s: "x", mix: 1,
    });
    assert.ok(Number.isNaN(r.rows[1]!.d as number));
  });
  void it("widens date and timestamp to timestamp, and anything else to string", async () => {
    const r = await readSource("csv", file("2024-01-01,1\n2024-01-01 10:00:00,x\n,\n"), { inferSchema: "true" });
    assert.equal(r.ddl, "_c0 timestamp, _c1 string");
  });
  void it("dedups and fills header names as Spark does", async () => {
    const r = await readSource("csv", file("a,,a\n1,2,3\n"), { header: "true" });
    assert.equal(r.ddl, "a0 string, _c1 string, a2 string");
  });
});

void describe("CSV options", () => {
  void it("sep, quote, escape and quoted separators and newlines (multiLine)", async () => {
    const d = file("a;'b;c';'it\\'s'\n'x\ny';2;3\n");
    const one = await readSource("csv", d, { sep: ";", quote: "'", multiLine: "true" });
    assert.deepEqual(one.rows, [{ _c0: "a", _c1: "b;c", _c2: "it's" }, { _c0: "x\ny", _c1: "2", _c2: "3" }]);
  });
  void it("doubled quotes inside a quoted field", async () => {
    const r = await readSource("csv", file('"say ""hi""",2\n'));
    assert.deepEqual(r.rows, [{ _c0: 'say "hi"', _c1: "2" }]);
  });
  void it("delimiter alias, tab separator and comments", async () => {
    const r = await readSource("csv", file("# note\na\tb\n#x\tq\nc\td\n"), { delimiter: "\\t", comment: "#" });
    assert.deepEqual(r.rows, [{ _c0: "a", _c1: "b" }, { _c0: "c", _c1: "d" }]);
  });
  void it("nullValue, emptyValue and quoted empty strings", async () => {
    const r = await readSource("csv", file('NA,,""\n'), { nullValue: "NA", emptyValue: "E" }, { schema: "a string, b string, c string" });
    assert.deepEqual(r.rows, [{ a: null, b: "", c: "E" }]);
    const d = await readSource("csv", file('x,,""\n'), {}, { schema: "a string, b string, c string" });
    assert.deepEqual(d.rows, [{ a: "x", b: null, c: "" }]);
  });
  void it("nanValue, positiveInf and negativeInf", async () => {
    const r = await readSource("csv", file("nan,+inf,-inf\n"), { nanValue: "nan", positiveInf: "+inf", negativeInf: "-inf" }, { schema: "a double, b double, c double" });
    assert.ok(Number.isNaN(r.rows[0]!.a as number));
    assert.equal(r.rows[0]!.b, Infinity);
    assert.equal(r.rows[0]!.c, -Infinity);
  });
  void it("ignoreLeadingWhiteSpace and ignoreTrailingWhiteSpace", async () => {
    const d = file(" a , b \n");
    assert.deepEqual((await readSource("csv", d)).rows, [{ _c0: " a ", _c1: " b " }]);
    const r = await readSource("csv", d, { ignoreLeadingWhiteSpace: "true", ignoreTrailingWhiteSpace: "true" });
    assert.deepEqual(r.rows, [{ _c0: "a", _c1: "b" }]);
  });
  void it("dateFormat and timestampFormat", async () => {
    const r = await readSource("csv", file("31/12/2023,01/02/2024 10:20\n"), { dateFormat: "dd/MM/yyyy", timestampFormat: "dd/MM/yyyy HH:mm" }, { schema: "d date, t timestamp" });
    assert.deepEqual(r.rows, [{ d: "2023-12-31", t: new Date("2024-02-01T10:20:00Z") }]);
  });
  void it("enforceSchema=false checks the header against the schema", async () => {
    const d = file("x,y\n1,2\n", "h.csv");
    await assert.rejects(readSource("csv", d, { header: "true", enforceSchema: "false" }, { schema: "a int, b int" }), (e: unknown) => {
      assert.ok(e instanceof FileFormatError);
      assert.match(e.message, /CSV header does not conform to the schema\.\n Header: x, y\n Schema: a, b/);
      return true;
    });
    const ok = await readSource("csv", d, { header: "true" }, { schema: "a int, b int" });
    assert.deepEqual(ok.rows, [{ a: 1, b: 2 }]);
  });
});

void describe("CSV malformed records", () => {
  const text = "1,x\nbad,y\n3\n4,z,extra\n";
  void it("PERMISSIVE nulls bad fields, pads short rows and fills the corrupt-record column", async () => {
    const r = await readSource("csv", file(text), {}, { schema: "a int, b string, _corrupt_record string" });
    assert.deepEqual(r.rows, [
      { a: 1, b: "x", _corrupt_record: null },
      { a: null, b: "y", _corrupt_record: "bad,y" },
      { a: 3, b: null, _corrupt_record: "3" },
      { a: 4, b: "z", _corrupt_record: "4,z,extra" },
    ]);
  });
  void it("DROPMALFORMED drops them", async () => {
    const r = await readSource("csv", file(text), { mode: "DROPMALFORMED" }, { schema: "a int, b string" });
    assert.deepEqual(r.rows, [{ a: 1, b: "x" }]);
  });
  void it("FAILFAST throws naming the file and line", async () => {
    const d = file(text, "bad.csv");
    await assert.rejects(readSource("csv", d, { mode: "FAILFAST" }, { schema: "a int, b string" }), (e: unknown) => {
      assert.ok(e instanceof FileFormatError);
      assert.equal(
        e.message,
        `[MALFORMED_RECORD_IN_PARSING] Malformed records are detected in record parsing at file:${d}/bad.csv line 2: bad,y. ` +
          "Parse Mode: FAILFAST. To process malformed records as null result, try setting the option 'mode' as 'PERMISSIVE'.",
      );
      return true;
    });
  });
});
