import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type RunMeasure, pairedSpeedup, speedupLine, threadRounds, threadRows } from "../../bench/nexmark/measure.js";

const runs = (seconds: number[]): RunMeasure[] => seconds.map((s) => ({ seconds: s, cpuSeconds: s, peakRssBytes: 0 }));

void describe("N threads vs 1 in the benchmarks", () => {
  void it("is the median of each round's ratio, not a ratio of medians across rounds", () => {
    // Round 2 is a busy moment for both runs, round 3 for the 2-thread run: per round 2x, 2x, 1x;
    // the medians (1.1 s, 1.0 s) would say 1.1x.
    const one = runs([1.0, 2.0, 1.1]), many = runs([0.5, 1.0, 1.1]);
    assert.equal(pairedSpeedup(one, many), 2);
    assert.equal(pairedSpeedup(runs([1, 1, 1, 1]), runs([0.5, 1, 0.4, 2])), (1.0 + 2.0) / 2);
  });

  void it("puts the paired ratio on the N-thread row beside the median runs", () => {
    const [r1, r2] = threadRows("q", "Sluice batch", 1000, 2, runs([1.0, 2.0, 1.1]), runs([0.5, 1.0, 1.1]));
    assert.equal(r1!.seconds, 1.1);
    assert.equal(r2!.seconds, 1.0);
    assert.equal(r2!.speedupVs1Thread, 2);
    assert.deepEqual(r2!.speedupRounds, [2, 2, 1]);
  });

  void it("prints the median with the spread of the rounds", () => {
    const rows = threadRows("q5", "Sluice batch", 1000, 2, runs([1.0, 2.0, 1.1]), runs([0.5, 1.0, 1.1]));
    assert.equal(speedupLine(rows, "q5", 2), "q5, 2 threads vs 1: Sluice batch 2.00x (rounds 1.00-2.00) (target >= 1.70x)\n");
  });

  void it("measures at least nine paired rounds after sixteen warm-ups outside --quick, and what is asked with it", () => {
    assert.deepEqual(threadRounds({ warmups: 3, runs: 5, quick: false }), { warmups: 16, runs: 9 });
    assert.deepEqual(threadRounds({ warmups: 20, runs: 11, quick: false }), { warmups: 20, runs: 11 });
    assert.deepEqual(threadRounds({ warmups: 1, runs: 3, quick: true }), { warmups: 1, runs: 3 });
  });
});
