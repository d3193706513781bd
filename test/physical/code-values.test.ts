// A key coder's values: numbers in a pooled typed array until a value is not a number, and
// the dictionary (the aggregation's key column) built from them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Session, col, functions as F } from "../../src/index.js";
import { CodeValues } from "../../src/physical/aggregate/code-values.js";
import { KeyCoder } from "../../src/physical/aggregate/key-coder.js";
import { tablePool } from "../../src/physical/aggregate/table-pool.js";
import { valueAt } from "../../src/batch/vector.js";
import { BooleanType, DoubleType, LongType, StringType } from "../../src/types/data-type.js";

const spark = Session.builder().appName("code-values-test").create();
spark.conf.set("sluice.executor.threads", 1);

void describe("key coder values", () => {
  void it("numbers stay typed through growth, with a null among them, and come out as a typed column", () => {
    const v = new CodeValues(true);
    for (let i = 0; i < 10_000; i++) v.push(i === 5000 ? null : i * 1.5);
    assert.ok(v.numbers instanceof Float64Array);
    assert.equal(v.at(5000), null);
    assert.equal(v.at(9999), 9999 * 1.5);
    const d = v.toVector(DoubleType);
    assert.ok(d.values instanceof Float64Array);
    assert.equal(d.length, 10_000);
    assert.equal(valueAt(d, 5000), null);
    assert.equal(valueAt(d, 4999), 4999 * 1.5);
    assert.equal(d.nulls?.reduce((a, b) => a + b, 0), 1);
  });

  void it("a long past 2^53 moves the values to a plain array, keeping the ones before it and the null", () => {
    const coder = new KeyCoder(LongType);
    const big = 2n ** 60n;
    const codes = [coder.code(7), coder.codeNull(), coder.code(-3), coder.code(big), coder.code(7), coder.code(8)];
    assert.deepEqual(codes, [0, 1, 2, 3, 0, 4]);
    assert.equal(coder.values.numbers, null);
    const d = coder.dictionary();
    assert.deepEqual(Array.from({ length: d.length }, (_, i) => valueAt(d, i)), [7, null, -3, big, 8]);
  });

  void it("boolean keys (coded as 0/1) come out as booleans", () => {
    const coder = new KeyCoder(BooleanType);
    coder.codeAll(Uint8Array.of(1, 0, 1, 0), Uint8Array.of(0, 0, 0, 1), 4, new Int32Array(4));
    const d = coder.dictionary();
    assert.deepEqual(Array.from({ length: d.length }, (_, i) => valueAt(d, i)), [true, false, null]);
  });

  void it("string keys are kept as they are", () => {
    const coder = new KeyCoder(StringType);
    coder.codeAll(["b", "a", "b", null], Uint8Array.of(0, 0, 0, 1), 4, new Int32Array(4));
    assert.equal(coder.values.numbers, null);
    const d = coder.dictionary();
    assert.deepEqual(Array.from({ length: d.length }, (_, i) => valueAt(d, i)), ["b", "a", null]);
  });

  void it("an int key column stays right when the next aggregation on the thread reuses the values' pooled array", async () => {
    tablePool.clear();
    // Enough groups that the values' array is pooled (64 KB and up); the second run's keys differ from the first's.
    const keyed = (offset: number, groups: number) => Array.from({ length: groups * 2 }, (_, i) => ({ k: (i % groups) + offset, v: i }));
    const run = async (offset: number, groups: number): Promise<number[]> =>
      (await spark.createDataFrame(keyed(offset, groups), "k INT, v INT").groupBy("k").agg(F.count("*").alias("n")).orderBy(col("k")).collect()).map((r) => r.k as number);
    const range = (offset: number, groups: number): number[] => Array.from({ length: groups }, (_, i) => i + offset);
    assert.deepEqual(await run(0, 20_000), range(0, 20_000));
    assert.ok(tablePool.pooledBytes > 0);
    assert.deepEqual(await run(1_000_000, 15_000), range(1_000_000, 15_000));
    assert.deepEqual(await run(-500, 20_000), range(-500, 20_000));
  });
});

