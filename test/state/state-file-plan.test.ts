import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planCleanup, planLoad, snapshotDue, type StateFileRef } from "../../src/state/state-file-plan.js";

const files = (spec: string): StateFileRef[] =>
  spec.split(/\s+/).filter(Boolean).map((s) => ({ version: Number(s.slice(0, -1)), kind: s.endsWith("s") ? "snapshot" : "delta" }));

void describe("state file plans", () => {
  void it("loads from the newest usable snapshot, or from version 0", () => {
    assert.deepEqual(planLoad(files("1d 2d 3d"), 3), { ok: true, snapshot: undefined, deltas: [1, 2, 3] });
    assert.deepEqual(planLoad(files("1d 2d 2s 3d 4d"), 4), { ok: true, snapshot: 2, deltas: [3, 4] });
    assert.deepEqual(planLoad(files("1d 2d 2s 3d 4d 4s"), 3), { ok: true, snapshot: 2, deltas: [3] });
    assert.deepEqual(planLoad(files("4s 5d"), 5), { ok: true, snapshot: 4, deltas: [5] });
    assert.deepEqual(planLoad(files("5s"), 5), { ok: true, snapshot: 5, deltas: [] });
    assert.deepEqual(planLoad(files(""), 0), { ok: true, snapshot: undefined, deltas: [] });
    // No snapshot bridges the gap: the first missing delta after the newest snapshot is named.
    assert.deepEqual(planLoad(files("2s 3d 4s 6d"), 6), { ok: false, missing: { version: 5, kind: "delta" } });
    assert.deepEqual(planLoad(files("1d 3d"), 3), { ok: false, missing: { version: 2, kind: "delta" } });
    assert.deepEqual(planLoad(files("1d 2d"), 3), { ok: false, missing: { version: 3, kind: "delta" } });
  });
  void it("says when a snapshot is due", () => {
    assert.equal(snapshotDue(files("1d 2d"), 2, 3), false);
    assert.equal(snapshotDue(files("1d 2d 3d"), 3, 3), true);
    assert.equal(snapshotDue(files("3s 4d 5d"), 5, 3), false);
  });
  void it("deletes only what no retained version needs", () => {
    const all = files("1d 2d 3d 3s 4d 5d 6d 6s 7d 8d");
    const del = planCleanup(all, 8, 3).map((f) => `${f.version}${f.kind[0]}`);
    assert.deepEqual(del.sort(), ["1d", "2d", "3d", "3s", "4d", "5d", "6d"].sort());
    assert.deepEqual(planCleanup(files("1d 2d 3d 4d 5d"), 5, 2), []); // no snapshot: keep everything
    assert.deepEqual(planCleanup(all, 8, 100), []);
  });
});
