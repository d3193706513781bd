import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Session } from "../../../src/index.js";

const spark = Session.builder().appName("json-exact-numbers").config("sluice.executor.threads", 1).create();

function file(text: string): string {
  const p = join(mkdtempSync(join(tmpdir(), "sluice-json-exact-")), "x.json");
  writeFileSync(p, text);
  return p;
}

describe("JSON numbers beyond 2^53 are read exactly", () => {
  it("into long and string columns, in objects and in top-level arrays of objects, CRLF or LF", async () => {
    const p = file('{"id": 9007199254740993, "s": 12345678901234567890, "x": 1.5}\r\n[{"id": 1, "s": "a", "x": 2}, {"id": -9223372036854775808, "s": null, "x": 3}]\n{"id": 7, "s": "b", "x": 0.25}\n');
    const rows = await spark.read.schema("id BIGINT, s STRING, x DOUBLE").json(p).collect();
    assert.deepEqual(rows, [
      { id: 9007199254740993n, s: "12345678901234567890", x: 1.5 },
      { id: 1, s: "a", x: 2 },
      { id: -9223372036854775808n, s: null, x: 3 },
      { id: 7, s: "b", x: 0.25 },
    ]);
  });

  it("with a decimal column, whose digits JSON.parse would round without a trace", async () => {
    const p = file('{"d": 0.12345678901234567891, "id": 9007199254740993}\n');
    const rows = await spark.read.schema("d DECIMAL(38, 20), id BIGINT").json(p).collect();
    assert.equal(String(rows[0]!.d), "0.12345678901234567891");
    assert.equal(rows[0]!.id, 9007199254740993n);
  });
});
