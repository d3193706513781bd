import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type RecoveryDecision, recoveryDecision } from "../../src/checkpoint/recovery-decision.js";

// lastOffsets, lastCommit → expected decision kind and batch id
const table: [number | undefined, number | undefined, RecoveryDecision["kind"], number | null][] = [
  [undefined, undefined, "startFresh", 0],
  [0, undefined, "rerunBatch", 0],
  [0, 0, "startNext", 1],
  [5, 5, "startNext", 6],
  [5, 4, "rerunBatch", 5],
  [5, 3, "corrupt", null],
  [5, undefined, "corrupt", null],
  [5, 6, "corrupt", null],
  [undefined, 2, "corrupt", null],
];

void describe("recoveryDecision", () => {
  for (const [offsets, commit, kind, batchId] of table) {
    void it(`offsets ${offsets ?? "none"}, commit ${commit ?? "none"} → ${kind}${batchId !== null ? ` ${batchId}` : ""}`, () => {
      const d = recoveryDecision(offsets, commit);
      assert.equal(d.kind, kind);
      if (batchId !== null) assert.equal((d as { batchId: number }).batchId, batchId);
      else assert.match((d as { reason: string }).reason, /batch|empty/);
    });
  }
});
