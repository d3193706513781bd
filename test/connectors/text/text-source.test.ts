import assert from "node:assert/strict";
import * as fs from "node:fs";
import { after, describe, it } from "node:test";
import { AnalysisError } from "../../../src/errors/errors.js";
import { readSource, tempDir, writeSource, writeText } from "../helpers.js";

const { dir, cleanup } = tempDir();
after(cleanup);

void describe("text source", () => {
  void it("reads one value row per line (\\n, \\r\\n) and round-trips", async () => {
    writeText(`${dir}/in/a.txt`, "one\r\ntwo\n\nthree\n");
    const r = await readSource("text", `${dir}/in`);
    assert.equal(r.ddl, "value string");
    assert.deepEqual(r.rows.map((x) => x.value), ["one", "two", "", "three"]);
    await writeSource("text", `${dir}/out`, "value string", r.rows);
    assert.deepEqual((await readSource("text", `${dir}/out`)).rows, r.rows);
  });
  void it("wholetext and lineSep", async () => {
    writeText(`${dir}/w/a.txt`, "a|b|c");
    assert.deepEqual((await readSource("text", `${dir}/w`, { wholetext: "true" })).rows, [{ value: "a|b|c" }]);
    assert.deepEqual((await readSource("text", `${dir}/w`, { lineSep: "|" })).rows.map((x) => x.value), ["a", "b", "c"]);
  });
  void it("an empty directory has the value schema and no rows", async () => {
    fs.mkdirSync(`${dir}/empty`);
    const r = await readSource("text", `${dir}/empty`);
    assert.equal(r.ddl, "value string");
    assert.equal(r.rows.length, 0);
  });
  void it("writing needs exactly one string column", async () => {
    await assert.rejects(writeSource("text", `${dir}/bad`, "a string, b int", [{ a: "x", b: 1 }]), (e: unknown) => {
      assert.ok(e instanceof AnalysisError);
      assert.equal(e.message, "Text data source supports only a single column of string type, and you have 2 column(s): (a string, b int).");
      return true;
    });
  });
});
