import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Session } from "../../../src/index.js";
import { valueAt } from "../../../src/batch/vector.js";
import { partitionIds, rowsByPartition } from "../../../src/physical/parallel/hash-partitioner.js";

const spark = Session.builder().appName("hash-partitioner").config("sluice.executor.threads", 1).create();

describe("shuffle partition ids", () => {
  // The partition of a row must be Spark's pmod(hash(keys), n), whatever the key types.
  const cases: [string, string][] = [
    ["int", "CAST(id AS INT) - 50"],
    ["long", "id * 3000000000 - 7"],
    ["string", "concat('key-', CAST(id % 17 AS STRING))"],
    ["double", "CAST(id AS DOUBLE) / 7 - 3"],
    ["date", "date_add(DATE'2024-02-28', CAST(id AS INT))"],
    ["timestamp", "timestamp_micros(id * 1000003 - 5)"],
    ["boolean", "id % 3 = 0"],
    ["nullable int", "CASE WHEN id % 4 = 0 THEN NULL ELSE CAST(id AS INT) END"],
    ["decimal", "CAST(id AS DECIMAL(10, 2)) / 4"],
    ["struct of timestamps (a window), null fields and nulls", "CASE WHEN id % 7 = 0 THEN NULL ELSE named_struct('start', timestamp_micros(id * 1000003), 'end', CASE WHEN id % 5 = 0 THEN NULL ELSE timestamp_micros(id * 1000003 + 10000000) END) END"],
    ["struct of longs past 2^53", "named_struct('a', id * 3000000000000000 - 7, 'b', id)"],
    ["nullable string", "CASE WHEN id % 6 = 0 THEN NULL ELSE concat('k', CAST(id % 5 AS STRING)) END"],
  ];
  for (const n of [1, 3, 8]) {
    for (const [name, e] of cases) {
      it(`${name} keys into ${n} partitions equal pmod(hash(k), ${n})`, async () => {
        const df = spark.range(0, 200).selectExpr(`${e} AS k`, "id", `pmod(hash(${e}), ${n}) AS want`, `pmod(hash(${e}, id), ${n}) AS want2`, `pmod(hash(id, ${e}), ${n}) AS want3`);
        const [b] = await df.collectBatches();
        assert.ok(b);
        const one = partitionIds([b.columns[0]!], b.numRows, n);
        const two = partitionIds([b.columns[0]!, b.columns[1]!], b.numRows, n);
        const second = partitionIds([b.columns[1]!, b.columns[0]!], b.numRows, n);
        for (let i = 0; i < b.numRows; i++) {
          assert.equal(one[i], valueAt(b.columns[2]!, i), `row ${i}: ${String(valueAt(b.columns[0]!, i))}`);
          assert.equal(two[i], valueAt(b.columns[3]!, i), `row ${i} with a second key`);
          assert.equal(second[i], valueAt(b.columns[4]!, i), `row ${i} as the second key`);
        }
      });
    }
  }

  it("rows of each partition keep their input order", () => {
    const ids = Int32Array.from([2, 0, 2, 1, 0, 2]);
    assert.deepEqual(rowsByPartition(ids, 6, 3).map((a) => [...a]), [[1, 4], [3], [0, 2, 5]]);
  });
});
