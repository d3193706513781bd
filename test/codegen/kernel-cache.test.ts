import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { batchKernel } from "../../src/physical/codegen/kernel-cache.js";

test("a batch kernel reads the columns it is given, in order, with its references", () => {
  const k = batchKernel<(cols: readonly { values: number[] }[], n: number) => number[]>(
    "return function sumColumns(cols, n, R) { const out = []; for (const c of cols) { let s = R[0]; for (let i = 0; i < n; i++) s += c.values[i]; out.push(s); } return out; };",
    [100],
  );
  const holey = new Array<{ values: number[] }>(2);
  holey[0] = { values: [1, 2, 3] };
  holey[1] = { values: [10, 20, 30] };
  assert.deepEqual(k(holey, 3), [106, 160]);
  assert.deepEqual(k([{ values: [5, 5] }], 2), [110]);
});

// V8's own view of the array (natives syntax, in a child process started with the flag): a kernel
// that met packed and holey column arrays was deoptimized and compiled again, 20-90 ms each time.
test("a batch kernel is handed a packed column array even when the batch's array is holey", () => {
  const script = `
    const { batchKernel } = await import(${JSON.stringify(new URL("../../src/physical/codegen/kernel-cache.ts", import.meta.url).href)});
    const k = batchKernel("return function kinds(cols, n, R) { return %HasHoleyElements(cols); };", []);
    const holey = new Array(2); holey[0] = { values: null }; holey[1] = { values: null };
    const packed = [{ values: null }, { values: null }];
    console.log(JSON.stringify({ inputHoley: %HasHoleyElements(holey), inputPacked: !%HasHoleyElements(packed), seenHoley: [k(holey, 0), k(packed, 0)] }));`;
  const r = spawnSync(process.execPath, ["--allow-natives-syntax", "--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), { inputHoley: true, inputPacked: true, seenHoley: [false, false] });
});
