import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { getFileFormat } from "../../../src/connectors/file-format.js";
import { listDataFiles } from "../../../src/connectors/files/list-files.js";
import { AnalysisError, FileFormatError, IllegalArgumentError } from "../../../src/errors/errors.js";
import { readSource, tempDir, writeText } from "../helpers.js";

const { dir, cleanup } = tempDir();
after(cleanup);
writeText(`${dir}/t/a.json`, '{"x":1}\n');
writeText(`${dir}/t/b.json`, '{"x":2}\n');
writeText(`${dir}/t/c.txt`, '{"x":3}\n');
writeText(`${dir}/t/sub/d.json`, '{"x":4}\n');
writeText(`${dir}/t/_hidden.json`, '{"x":99}\n');
writeText(`${dir}/t/.dot.json`, '{"x":98}\n');
writeText(`${dir}/t/_SUCCESS`, "");

void describe("file listing", () => {
  void it("walks directories recursively and skips hidden names", () => {
    const names = listDataFiles([`${dir}/t`], {}).files.map((f) => f.path.slice(dir.length));
    assert.deepEqual(names, ["/t/a.json", "/t/b.json", "/t/c.txt", "/t/sub/d.json"]);
  });
  void it("expands globs: *, ?, [..] and {a,b}", () => {
    const list = (g: string): string[] => listDataFiles([`${dir}/${g}`], {}).files.map((f) => f.path.slice(dir.length));
    assert.deepEqual(list("t/*.json"), ["/t/a.json", "/t/b.json"]);
    assert.deepEqual(list("t/?.txt"), ["/t/c.txt"]);
    assert.deepEqual(list("t/[ab].json"), ["/t/a.json", "/t/b.json"]);
    assert.deepEqual(list("t/{a.json,sub}"), ["/t/a.json", "/t/sub/d.json"]);
  });
  void it("pathGlobFilter filters file names", () => {
    assert.equal(listDataFiles([`${dir}/t`], { pathGlobFilter: "*.txt" }).files.length, 1);
  });
  void it("a missing path is PATH_NOT_FOUND naming it", () => {
    assert.throws(() => listDataFiles([`${dir}/nope`], {}), (e: unknown) => {
      assert.ok(e instanceof FileFormatError);
      assert.equal(e.errorClass, "PATH_NOT_FOUND");
      assert.equal(e.message, `[PATH_NOT_FOUND] Path does not exist: file:${dir}/nope.`);
      return true;
    });
  });
  void it("an empty directory without a schema cannot be inferred", async () => {
    writeText(`${dir}/empty/_SUCCESS`, "");
    await assert.rejects(readSource("json", `${dir}/empty`), (e: unknown) => {
      assert.ok(e instanceof AnalysisError);
      assert.equal(e.message, `[UNABLE_TO_INFER_SCHEMA] Unable to infer schema for JSON at ${dir}/empty. It must be specified manually.`);
      return true;
    });
    const r = await readSource("json", `${dir}/empty`, {}, { schema: "x int" });
    assert.equal(r.rows.length, 0);
  });
  void it("the registry names the supported formats", () => {
    assert.equal(getFileFormat("JSON").name, "json");
    assert.throws(() => getFileFormat("avro"), (e: unknown) => e instanceof IllegalArgumentError && e.message === "Unsupported file format 'avro'. Supported formats: json, csv, text, parquet.");
  });
});
