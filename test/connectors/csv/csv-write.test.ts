import assert from "node:assert/strict";
import * as fs from "node:fs";
import { after, describe, it } from "node:test";
import { AnalysisError } from "../../../src/errors/errors.js";
import { readSource, tempDir, writeSource } from "../helpers.js";

const { dir, cleanup } = tempDir();
after(cleanup);
const content = (d: string): string => fs.readFileSync(`${d}/${fs.readdirSync(d).find((f) => f.startsWith("part-"))}`, "utf8");

void describe("CSV writing", () => {
  void it("round-trips every CSV type", async () => {
    const ddl = "b boolean, y tinyint, sh smallint, i int, l bigint, f float, d double, dec decimal(20,3), s string, dt date, ts timestamp";
    const row = { b: false, y: 1, sh: 2, i: 3, l: 2n ** 62n, f: 0.1, d: 1e300, dec: "-12345678901234567.891", s: 'a,"b"\nc', dt: "1999-12-31", ts: new Date("2024-01-01T00:00:00.5Z") };
    const out = `${dir}/all`;
    await writeSource("csv", out, ddl, [row, {}], { header: "true" });
    const r = await readSource("csv", out, { header: "true", multiLine: "true" }, { schema: ddl });
    assert.deepEqual(r.rows[0], { ...row, f: Math.fround(0.1) });
    assert.ok(Object.values(r.rows[1]!).every((v) => v === null));
  });
  void it("quotes fields holding the separator, quotes or newlines; escapes quotes; nulls empty", async () => {
    const out = `${dir}/quote`;
    await writeSource("csv", out, "a string, b string, c int, d double", [{ a: "x,y", b: 'say "hi"', c: null, d: 1 }, { a: "", b: "plain" }], { header: "true" });
    assert.equal(content(out), 'a,b,c,d\n"x,y","say \\"hi\\"",,1.0\n"",plain,,\n');
  });
  void it("quoteAll, nullValue and a custom separator", async () => {
    const out = `${dir}/all-quoted`;
    await writeSource("csv", out, "a string, b int", [{ a: "x", b: null }], { quoteAll: "true", nullValue: "NULL", sep: "|" });
    assert.equal(content(out), '"x"|"NULL"\n');
  });
  void it("rejects nested types", async () => {
    await assert.rejects(writeSource("csv", `${dir}/nested`, "a array<int>", [{ a: [1] }]), (e: unknown) => {
      assert.ok(e instanceof AnalysisError);
      assert.equal(e.message, "[UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE] The CSV datasource doesn't support the column `a` of the type \"ARRAY<INT>\".");
      return true;
    });
  });
});
