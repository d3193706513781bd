import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Session } from "../../../src/index.js";
import { valueAt } from "../../../src/batch/vector.js";
import { type RecordBatch, makeBatch } from "../../../src/batch/record-batch.js";
import { LongType, StringType, arrayType, structField, structType } from "../../../src/types/data-type.js";
import { decodeBatches, encodeBatches, transferListOf } from "../../../src/physical/parallel/batch-transfer.js";
import { decodeTree, encodeTree } from "../../../src/physical/parallel/plan-codec.js";
import { type LocalRelation, Plan, children } from "../../../src/plan/logical-plan.js";
import { planOutput } from "../../../src/analyzer/plan-output.js";
import { Expr as E, newExprId } from "../../../src/expr/expression.js";

const spark = Session.builder().appName("batch-transfer").config("sluice.executor.threads", 1).create();

const rowsOf = (bs: readonly RecordBatch[]): unknown[][] => bs.flatMap((b) => Array.from({ length: b.numRows }, (_, i) => b.columns.map((c) => valueAt(c, i))));

/** Through postMessage's algorithm (structured clone with the transfer list), as a worker receives it. */
function sendAndReceive(batches: readonly RecordBatch[], owned = false): RecordBatch[] {
  const enc = encodeBatches(batches, { owned });
  const received = structuredClone(enc.batches, { transfer: enc.transfer });
  return decodeBatches(received);
}

describe("batches crossing threads", () => {
  it("keep every value and null of every column type", async () => {
    const rowArb = fc.record({
      i: fc.option(fc.integer(), { nil: null }),
      l: fc.option(fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })), { nil: null }),
      d: fc.option(fc.double({ noNaN: true }), { nil: null }),
      s: fc.option(fc.oneof(fc.constantFrom("a", "b", "ü"), fc.string()), { nil: null }),
      b: fc.option(fc.boolean(), { nil: null }),
      a: fc.option(fc.array(fc.option(fc.integer(), { nil: null }), { maxLength: 3 }), { nil: null }),
      m: fc.option(fc.dictionary(fc.constantFrom("x", "y"), fc.integer()), { nil: null }),
      bin: fc.option(fc.uint8Array({ maxLength: 4 }), { nil: null }),
      st: fc.option(fc.record({ x: fc.option(fc.integer(), { nil: null }), y: fc.option(fc.double(), { nil: null }) }), { nil: null }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 60 }), async (rows) => {
        const df = spark.createDataFrame(rows.map((r) => ({ ...r, m: r.m ? new Map(Object.entries(r.m)) : null })), "i INT, l LONG, d DOUBLE, s STRING, b BOOLEAN, a ARRAY<INT>, m MAP<STRING, INT>, bin BINARY, st STRUCT<x: INT, y: DOUBLE>");
        const batches = await df.collectBatches();
        assert.deepEqual(rowsOf(sendAndReceive(batches)), rowsOf(batches));
      }),
      { numRuns: 60 },
    );
  });

  it("copy the sender's buffers unless told they are owned, so the sender's batches stay usable", async () => {
    const [b] = await spark.range(0, 1000).selectExpr("id", "CAST(id AS INT) AS i", "concat('k', CAST(id % 3 AS STRING)) AS s").collectBatches();
    assert.ok(b);
    const before = rowsOf([b]);
    sendAndReceive([b]);
    assert.deepEqual(rowsOf([b]), before, "copied: the sender still reads its batch");
    const moved = sendAndReceive([b], true);
    assert.deepEqual(rowsOf(moved), before);
    assert.equal((b.columns[0]!.values as Float64Array).length, 0, "owned: the buffer moved (detached on the sender)");
  });

  it("send structs of numbers (the window struct) as one typed array per field", async () => {
    const [b] = await spark.range(0, 3000).selectExpr("CASE WHEN id % 10 = 0 THEN NULL ELSE window(timestamp_seconds(id), '10 seconds') END AS w").collectBatches();
    assert.ok(b);
    const enc = encodeBatches([b]);
    assert.equal(enc.batches[0]!.columns[0]!.enc, "numberStruct");
    assert.deepEqual(rowsOf(sendAndReceive([b])), rowsOf([b]));
  });

  it("send arrays of numbers (count(DISTINCT) partial sets) as one typed array, and arrays holding bigints as they are", () => {
    const type = arrayType(LongType);
    const batchOf = (values: unknown[]): RecordBatch[] => [makeBatch(structType([structField("set", type)]), [{ type, length: values.length, values, nulls: null }], values.length)];
    const sets = [Array.from({ length: 5000 }, (_, i) => 1000 + i * 3), null, [], [7, null, -0, 2 ** 53 - 1], [NaN, 1.5]];
    const enc = encodeBatches(batchOf(sets));
    assert.equal(enc.batches[0]!.columns[0]!.enc, "numberLists");
    const received = rowsOf(sendAndReceive(batchOf(sets)));
    assert.deepEqual(received, sets.map((s) => [s]));
    assert.ok(Object.is((received[3]![0] as number[])[2], -0));
    const forwarded = structuredClone(enc.batches, { transfer: transferListOf(enc.batches) });
    assert.deepEqual(rowsOf(decodeBatches(forwarded)), sets.map((s) => [s]));
    const big = [[1, 2n ** 60n], [3]];
    assert.equal(encodeBatches(batchOf(big)).batches[0]!.columns[0]!.enc, "plain");
    assert.deepEqual(rowsOf(sendAndReceive(batchOf(big))), big.map((s) => [s]));
  });

  it("send repetitive strings as a dictionary and forward encoded batches without decoding", async () => {
    const [b] = await spark.range(0, 5000).selectExpr("concat('campaign-', CAST(id % 10 AS STRING)) AS c").collectBatches();
    assert.ok(b);
    const enc = encodeBatches([b]);
    assert.equal(enc.batches[0]!.columns[0]!.enc, "dict");
    const forwarded = structuredClone(enc.batches, { transfer: transferListOf(enc.batches) });
    assert.deepEqual(rowsOf(decodeBatches(forwarded)), rowsOf([b]));
  });
});

describe("string columns of many values crossing threads", () => {
  const stringBatch = (values: readonly (string | null)[]): RecordBatch[] => [
    makeBatch(structType([structField("s", StringType)]), [{ type: StringType, length: values.length, values: [...values], nulls: null }], values.length),
  ];

  it("a column that starts with mostly distinct values is sent joined without building a dictionary, and comes back exactly", () => {
    // 5,000 distinct values, then 45,000 repeats of 10: few enough distinct values overall for a
    // dictionary, but the first 4,096 decide.
    const values = Array.from({ length: 50_000 }, (_, i) => (i < 5_000 ? `distinct-${i}` : `repeat-${i % 10}`));
    const batches = stringBatch(values);
    assert.equal(encodeBatches(batches).batches[0]!.columns[0]!.enc, "joined");
    assert.deepEqual(rowsOf(sendAndReceive(batches)), rowsOf(batches));
    const repetitive = stringBatch(Array.from({ length: 50_000 }, (_, i) => `repeat-${i % 10}`));
    assert.equal(encodeBatches(repetitive).batches[0]!.columns[0]!.enc, "dict");
  });

  it("travel as one buffer of UTF-8 and come back exactly: empty strings, nulls, a leading byte order mark", () => {
    const values = Array.from({ length: 100 }, (_, i) => (i % 7 === 0 ? null : i % 5 === 0 ? "" : `\ufeffv${i}-é-😀`));
    const batches = stringBatch(values);
    const enc = encodeBatches(batches);
    const col = enc.batches[0]!.columns[0]!;
    assert.equal(col.enc, "joined");
    assert.ok(col.enc === "joined" && col.text instanceof Uint8Array, "UTF-8 bytes, transferred");
    assert.ok(enc.transfer.length >= 2);
    assert.deepEqual(rowsOf(sendAndReceive(batches)), values.map((v) => [v]));
  });

  it("keep lone surrogates (sent as a string, which UTF-8 could not hold)", () => {
    const values = Array.from({ length: 40 }, (_, i) => (i === 3 ? "a\ud800b" : `x${i}`));
    const enc = encodeBatches(stringBatch(values));
    const col = enc.batches[0]!.columns[0]!;
    assert.ok(col.enc === "joined" && typeof col.text === "string");
    assert.deepEqual(rowsOf(sendAndReceive(stringBatch(values))), values.map((v) => [v]));
  });

  it("round-trip any UTF-16 code units (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ unit: "binary", maxLength: 8 }), { nil: null }), { minLength: 20, maxLength: 80 }), (values) => {
        assert.deepEqual(rowsOf(sendAndReceive(stringBatch(values))), values.map((v) => [v]));
      }),
      { numRuns: 200 },
    );
  });
});

describe("plans crossing threads", () => {
  it("a relation of shuffled rows used twice in a plan is decoded once", async () => {
    const batches = await spark.range(0, 100).selectExpr("id", "concat('s', id) AS s").collectBatches();
    const attrs = planOutput(spark.range(0, 100).selectExpr("id", "concat('s', id) AS s").plan);
    const rel = Plan.localRelation(attrs, [], "rows");
    const enc = encodeBatches(batches);
    const tree = encodeTree(Plan.union([rel, rel]), { rows: enc.batches });
    const received = structuredClone(tree.encoded, { transfer: enc.transfer });
    const plan = decodeTree(received, () => assert.fail("no udf"));
    assert.equal(plan.kind, "Union");
    const [a, b] = children(plan) as [LocalRelation, LocalRelation];
    assert.equal(a.batches, b.batches);
    assert.deepEqual(rowsOf(a.batches), rowsOf(batches));
  });

  it("a decoded plan's column ids are never handed out again by the receiving thread", () => {
    // The sender's counter ran ahead of this thread's: a column the receiver names while planning
    // (eager aggregation) must not take an id the plan already uses.
    const far = newExprId() + 100_000;
    const attr = E.attr("x", { kind: "long" }, true, [], far);
    const tree = encodeTree(Plan.project([E.alias(attr, "y", far + 1)], Plan.localRelation([attr], [], "rows")));
    decodeTree(structuredClone(tree.encoded), () => assert.fail("no udf"));
    assert.ok(newExprId() > far + 1);
  });
});
