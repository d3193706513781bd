import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { makeBatch } from "../../src/batch/record-batch.js";
import { makeVector } from "../../src/batch/vector.js";
import { LongType, structField, structType } from "../../src/types/data-type.js";

const schema = structType([structField("a", LongType, true), structField("b", LongType, true)]);

test("a batch keeps its columns in order and counts its rows", () => {
  const a = makeVector(LongType, 3, new Float64Array([1, 2, 3]), null), b = makeVector(LongType, 3, new Float64Array([4, 5, 6]), null);
  const batch = makeBatch(schema, [a, b]);
  assert.deepEqual(batch.columns, [a, b]);
  assert.equal(batch.numRows, 3);
  assert.equal(makeBatch(schema, [a, b], 2).numRows, 2);
});

// V8's own view of the batch (natives syntax, in a child process started with the flag): generated
// loops and operators that met holey column arrays or a row count stored as a heap number besides
// the usual kind were deoptimized, an aggregation kernel compiled again for 20-90 ms.
test("every batch has a packed column array and a small-integer row count, whatever it was made from", () => {
  const script = `
    const { makeBatch } = await import(${JSON.stringify(new URL("../../src/batch/record-batch.ts", import.meta.url).href)});
    const { structType } = await import(${JSON.stringify(new URL("../../src/types/data-type.ts", import.meta.url).href)});
    const holey = new Array(2); holey[0] = { length: 3 }; holey[1] = { length: 3 };
    let rows = 0.5; rows += 2.5;
    const batch = makeBatch(structType([]), holey, rows);
    const fromSpread = makeBatch(structType([]), [...holey]);
    console.log(JSON.stringify({
      inputs: [%HasHoleyElements(holey), %IsSmi(rows)],
      batch: [%HasHoleyElements(batch.columns), %IsSmi(batch.numRows), batch.numRows],
      sameMap: %HaveSameMap(batch, fromSpread) && %HaveSameMap(batch.columns, fromSpread.columns),
    }));`;
  const r = spawnSync(process.execPath, ["--allow-natives-syntax", "--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), { inputs: [true, false], batch: [false, true, 3], sameMap: true });
});
