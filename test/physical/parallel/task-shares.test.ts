import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { splitEventRange } from "../../../src/connectors/split-range.js";
import { batchSource } from "../../../src/connectors/source-registry.js";
import { taskShares } from "../../../src/physical/parallel/stage-fragments.js";
import { Session } from "../../../src/index.js";
import { valueAt } from "../../../src/batch/vector.js";
import type { ResolvedFiles } from "../../../src/connectors/files/resolve-file-source.js";
import type { DataSourceRelation } from "../../../src/plan/logical-plan.js";

describe("map tasks' shares of a stage's rows", () => {
  it("one task per thread: equal shares; more tasks than threads: shares shrinking to a sixth of the first", () => {
    assert.deepEqual(taskShares(2, 2), [0.5, 0.5]);
    fc.assert(fc.property(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 64 }), (threads, parts) => {
      const s = taskShares(parts, threads);
      assert.equal(s.length, parts);
      assert.ok(Math.abs(s.reduce((a, x) => a + x, 0) - 1) < 1e-9);
      if (parts <= threads) assert.ok(s.every((x) => x === s[0]));
      else {
        for (let k = 1; k < parts; k++) assert.ok(s[k]! < s[k - 1]!, `share ${k} not below share ${k - 1}`);
        assert.ok(Math.abs(s[parts - 1]! / s[0]! - 1 / 6) < 1e-9);
      }
    }));
  });

  it("an event range is cut on batch boundaries into contiguous ranges of about each share", () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 2_000_000 }), fc.integer({ min: 1, max: 50_000 }),
      fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 12 }),
      (from, length, batchSize, weights) => {
        const total = weights.reduce((a, x) => a + x, 0);
        const shares = weights.map((w) => w / total);
        const to = from + length;
        const ranges = splitEventRange(from, to, batchSize, shares);
        assert.ok(ranges.length >= 1 && ranges.length <= shares.length);
        assert.equal(ranges[0]![0], from);
        assert.equal(ranges.at(-1)![1], to);
        for (let k = 0; k < ranges.length; k++) {
          const [s, e] = ranges[k]!;
          assert.ok(e > s);
          if (k > 0) assert.equal(s, ranges[k - 1]![1]);
          if (k < ranges.length - 1) assert.equal((e - from) % batchSize, 0, "a cut off a batch boundary");
        }
        // Where every share holds many batches, each range is its share within one batch.
        if (ranges.length === shares.length) {
          let end = 0;
          ranges.forEach(([, e], k) => {
            end += shares[k]!;
            assert.ok(Math.abs(e - (from + end * length)) <= batchSize, `range ${k} ends at ${e}, share ends at ${from + end * length}`);
          });
        }
      },
    ));
  });

  it("a JSON lines file is cut into byte ranges of about each share, and the tasks read every line once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-shares-"));
    const path = join(dir, "rows.json");
    writeFileSync(path, Array.from({ length: 5_000 }, (_, i) => JSON.stringify({ id: i })).join("\n") + "\n");
    const spark = Session.builder().appName("shares").getOrCreate();
    const rel = spark.read.schema("id BIGINT").json(path).plan as DataSourceRelation;
    const shares = taskShares(8, 2);
    const splits = batchSource("json").split!(rel, shares) as ResolvedFiles[];
    assert.equal(splits.length, 8);
    const bytes = splits.map((s) => s.files.reduce((a, f) => a + (f.file.range ? f.file.range[1] - f.file.range[0] : f.file.size), 0));
    const total = bytes.reduce((a, x) => a + x, 0);
    bytes.forEach((b, k) => assert.ok(Math.abs(b / total - shares[k]!) < 0.02, `split ${k}: ${b / total} of the bytes for a share of ${shares[k]}`));
    const ids: number[] = [];
    for (const s of splits) {
      for await (const batch of batchSource("json").scan({ ...rel, resolved: s }, "UTC")) {
        for (let r = 0; r < batch.numRows; r++) ids.push(Number(valueAt(batch.columns[0]!, r)));
      }
    }
    assert.deepEqual(ids, Array.from({ length: 5_000 }, (_, i) => i));
  });
});
