import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { readSource, tempDir, writeSource } from "../helpers.js";

const { dir, cleanup } = tempDir();
after(cleanup);
const out = `${dir}/groups`;

before(async () => {
  // 10 row groups of 1000 rows: id 0..9999 ascending, name "n<group>", half-null column per group.
  const rows = Array.from({ length: 10000 }, (_, i) => ({ id: i, name: `n${Math.floor(i / 1000)}`, maybe: Math.floor(i / 1000) % 2 === 0 ? null : i, ts: new Date(i * 1000) }));
  await writeSource("parquet", out, "id bigint, name string, maybe int, ts timestamp", rows, { rowGroupSize: "1000" });
});

void describe("Parquet row-group skipping with statistics", () => {
  void it("decodes only groups whose min/max can match a range", async () => {
    const r = await readSource("parquet", out, {}, { filters: [{ op: ">=", column: "id", value: 8500 }] });
    assert.equal(r.metrics.rowGroupsRead, 2);
    assert.equal(r.metrics.rowGroupsSkipped, 8);
    assert.equal(r.metrics.rowsDecoded, 2000);
    assert.equal(r.rows.length, 2000); // the scan skips groups; rows are filtered above it
  });
  void it("equality, IN, strings, timestamps, AND/OR", async () => {
    const read = async (f: Parameters<typeof readSource>[3]): Promise<number> => (await readSource("parquet", out, {}, f)).metrics.rowGroupsRead;
    assert.equal(await read({ filters: [{ op: "=", column: "id", value: 4321 }] }), 1);
    assert.equal(await read({ filters: [{ op: "in", column: "id", values: [5, 9999] }] }), 2);
    assert.equal(await read({ filters: [{ op: "=", column: "name", value: "n3" }] }), 1);
    assert.equal(await read({ filters: [{ op: "startsWith", column: "name", prefix: "n7" }] }), 1);
    assert.equal(await read({ filters: [{ op: "<", column: "ts", value: 1500 * 1_000_000 }] }), 2);
    assert.equal(await read({ filters: [{ op: "or", left: { op: "=", column: "id", value: 1 }, right: { op: "=", column: "id", value: 9001 } }] }), 2);
    assert.equal(await read({ filters: [{ op: "and", left: { op: ">", column: "id", value: 100 }, right: { op: "<", column: "id", value: 1100 } }] }), 2);
  });
  void it("null counts: isNull and isNotNull", async () => {
    const isNull = await readSource("parquet", out, {}, { filters: [{ op: "isNull", column: "maybe" }] });
    assert.equal(isNull.metrics.rowGroupsRead, 5);
    const notNull = await readSource("parquet", out, {}, { filters: [{ op: "isNotNull", column: "maybe" }] });
    assert.equal(notNull.metrics.rowGroupsRead, 5);
  });
  void it("filters on unknown columns or NOT never skip", async () => {
    const r = await readSource("parquet", out, {}, { filters: [{ op: "not", child: { op: "=", column: "id", value: 1 } }] });
    assert.equal(r.metrics.rowGroupsRead, 10);
  });
});
