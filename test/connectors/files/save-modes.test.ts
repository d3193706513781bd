import assert from "node:assert/strict";
import * as fs from "node:fs";
import { after, describe, it } from "node:test";
import { AnalysisError } from "../../../src/errors/errors.js";
import { readSource, tempDir, writeSource } from "../helpers.js";

const { dir, cleanup } = tempDir();
after(cleanup);
const parts = (d: string): string[] => fs.readdirSync(d).filter((f) => f.startsWith("part-"));

void describe("save modes", () => {
  const out = `${dir}/out`;
  void it("errorifexists writes a part file and _SUCCESS, then refuses an existing path", async () => {
    const res = await writeSource("json", out, "a int", [{ a: 1 }]);
    assert.equal(res.rows, 1);
    assert.equal(res.files.length, 1);
    assert.match(parts(out)[0]!, /^part-00000-[0-9a-f-]{36}-c000\.json$/);
    assert.ok(fs.existsSync(`${out}/_SUCCESS`));
    await assert.rejects(writeSource("json", out, "a int", [{ a: 2 }]), (e: unknown) => {
      assert.ok(e instanceof AnalysisError);
      assert.equal(e.message, `[PATH_ALREADY_EXISTS] Path file:${out} already exists. Set mode as "overwrite" to overwrite the existing path.`);
      return true;
    });
  });
  void it("append adds files", async () => {
    await writeSource("json", out, "a int", [{ a: 2 }], {}, "append");
    assert.equal(parts(out).length, 2);
    assert.deepEqual((await readSource("json", out)).rows.map((r) => r.a).sort(), [1, 2]);
  });
  void it("ignore leaves the data alone", async () => {
    const res = await writeSource("json", out, "a int", [{ a: 3 }], {}, "ignore");
    assert.equal(res.rows, 0);
    assert.equal(parts(out).length, 2);
  });
  void it("overwrite replaces everything and leaves no temporary files", async () => {
    await writeSource("json", out, "a int", [{ a: 4 }], {}, "overwrite");
    assert.deepEqual((await readSource("json", out)).rows, [{ a: 4 }]);
    assert.deepEqual(fs.readdirSync(out).filter((f) => !f.startsWith("part-")), ["_SUCCESS"]);
  });
  void it("a failing write leaves the target untouched", async () => {
    await assert.rejects(writeSource("parquet", out, "a void", [{}], {}, "overwrite"));
    assert.deepEqual((await readSource("json", out)).rows, [{ a: 4 }]);
  });
});
