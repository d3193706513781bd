import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { makeBatch } from "../../src/batch/record-batch.js";
import { makeVector, valueAt } from "../../src/batch/vector.js";
import { Expr as E } from "../../src/expr/expression.js";
import { compileProjection } from "../../src/physical/codegen/projection.js";
import { IntegerType, StringType, structField, structType } from "../../src/types/data-type.js";

const fctx = { timeZone: "UTC", ansi: false, currentTimestampMicros: 0 };
const a = E.attr("a", IntegerType), s = E.attr("s", StringType);
const input = makeBatch(structType([structField("a", IntegerType), structField("s", StringType)]), [makeVector(IntegerType, 3, Int32Array.from([1, 2, 3]), null), makeVector(StringType, 3, ["x", null, "z"], Uint8Array.from([0, 1, 0]))], 3);

describe("a compiled projection", () => {
  it("of plain columns (renamed, reordered, repeated) hands the input's vectors on, without a copy", () => {
    const out = structType([structField("t", StringType), structField("b", IntegerType), structField("a", IntegerType)]);
    const project = compileProjection([a, s], null, [E.alias(s, "t"), E.alias(a, "b"), a], out, fctx);
    const b = project(input);
    assert.equal(b.numRows, 3);
    assert.deepEqual(b.schema, out);
    assert.equal(b.columns[0], input.columns[1]);
    assert.equal(b.columns[1], input.columns[0]);
    assert.equal(b.columns[2], input.columns[0]);
    assert.match(project.source, /cols\[1\][\s\S]*for \(let i = 0; i < n; i\+\+\)[\s\S]*o2\[k\]/, "EXPLAIN CODEGEN shows the loop a copy would run");
  });

  it("that computes anything, or filters, runs its generated loop", () => {
    const out = structType([structField("a", IntegerType)]);
    const filtered = compileProjection([a, s], E.binary(">", a, E.literal(1, IntegerType)), [a], out, fctx)(input);
    assert.deepEqual([0, 1].map((i) => valueAt(filtered.columns[0]!, i)), [2, 3]);
    assert.equal(filtered.numRows, 2);
    const plusOne = compileProjection([a, s], null, [E.alias(E.binary("+", a, E.literal(1, IntegerType)), "a1")], structType([structField("a1", IntegerType)]), fctx)(input);
    assert.notEqual(plusOne.columns[0], input.columns[0]);
    assert.deepEqual([0, 1, 2].map((i) => valueAt(plusOne.columns[0]!, i)), [2, 3, 4]);
  });

  it("without a filter, hands plain columns on as they are and computes only the others", () => {
    const out = structType([structField("a", IntegerType), structField("a1", IntegerType), structField("t", StringType)]);
    const project = compileProjection([a, s], null, [a, E.alias(E.binary("+", a, E.literal(1, IntegerType)), "a1"), E.alias(s, "t")], out, fctx);
    const b = project(input);
    assert.equal(b.columns[0], input.columns[0]);
    assert.equal(b.columns[2], input.columns[1]);
    assert.deepEqual([0, 1, 2].map((i) => valueAt(b.columns[1]!, i)), [2, 3, 4]);
    assert.deepEqual([0, 1, 2].map((i) => valueAt(b.columns[2]!, i)), ["x", null, "z"]);
    assert.match(project.source, /cols\[0\]/);
    assert.doesNotMatch(project.source, /cols\[1\]/, "the loop does not read the column it only hands on");
    // With a filter every output is written by the loop (the kept rows only).
    const kept = compileProjection([a, s], E.binary(">", a, E.literal(1, IntegerType)), [a, E.alias(s, "t")], structType([structField("a", IntegerType), structField("t", StringType)]), fctx)(input);
    assert.notEqual(kept.columns[0], input.columns[0]);
    assert.deepEqual([0, 1].map((i) => valueAt(kept.columns[1]!, i)), [null, "z"]);
  });
});

