import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { readTextSplit } from "../../../src/connectors/files/text-file-io.js";

const dir = mkdtempSync(join(tmpdir(), "sluice-text-split-"));
let n = 0;

describe("reading a file as byte-range splits", () => {
  it("gives every line exactly once, in order, wherever the cuts fall", async () => {
    const line = fc.string({ unit: fc.constantFrom("a", "é", "😀", " ", "\r"), maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 30 }), fc.boolean(), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 5 }), async (lines, finalNewline, cutsAt) => {
        const text = lines.join("\n") + (finalNewline && lines.length > 0 ? "\n" : "");
        const path = join(dir, `f${n++}.txt`);
        writeFileSync(path, text);
        const size = Buffer.byteLength(text);
        const cuts = [...new Set([0, ...cutsAt.map((c) => Math.floor(c * size)), size])].sort((a, b) => a - b);
        let joined = "";
        for (let i = 0; i + 1 < cuts.length; i++) joined += (await readTextSplit({ path, range: [cuts[i]!, cuts[i + 1]!] }, "utf8")).text;
        if (cuts.length === 1) joined = (await readTextSplit({ path, range: [0, 0] }, "utf8")).text + (await readTextSplit({ path, range: [0, size] }, "utf8")).text;
        // The splits tile the file at line starts: together they are the text, each byte once.
        assert.equal(joined, text);
      }),
      { numRuns: 200 },
    );
  });

  it("numbers the first line of a split as its line in the file", async () => {
    const path = join(dir, "numbered.txt");
    writeFileSync(path, "one\ntwo\nthree\nfour\n");
    const s = await readTextSplit({ path, range: [5, 19] }, "utf8", true);
    assert.equal(s.text, "three\nfour\n");
    assert.equal(s.firstLine, 3);
  });
});
