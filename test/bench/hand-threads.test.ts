import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { nexmarkConfig } from "../../src/connectors/nexmark/nexmark-config.js";
import { DEFAULT_YAHOO_CONFIG } from "../../src/connectors/yahoo/yahoo-generator.js";
import { HandThreads, mergeCounts, partRange, sumDigests } from "../../bench/hand-threads.js";
import { handQ5, handQ5Part } from "../../bench/nexmark/hand-loops.js";
import { countBinary, countsDigest, handBinary } from "../../bench/yahoo/hand-loops.js";

// 30,000 Nexmark events at 1,000 events/s of event time: 30 s, so 15 sliding windows start in it.
const EVENTS = 30_000;
const nexmark = nexmarkConfig({ eventsPerSecond: 1000, batchSize: 1000 });
const yahoo = { ...DEFAULT_YAHOO_CONFIG, eventsNum: 50_000, eventsPerSecond: 1000, batchSize: 1000 };

void describe("hand loops split across threads (the practical limit for N threads vs 1)", () => {
  void it("part ranges cover the events once, cut at batch boundaries", () => {
    for (const parts of [1, 2, 3, 7]) {
      const ranges = Array.from({ length: parts }, (_, p) => partRange(10_500, 1000, p, parts));
      assert.equal(ranges[0]![0], 0);
      assert.equal(ranges[parts - 1]![1], 10_500);
      for (let p = 1; p < parts; p++) {
        assert.equal(ranges[p]![0], ranges[p - 1]![1]);
        assert.equal(ranges[p]![0] % 1000, 0);
      }
    }
  });

  void it("q5 split by window ownership answers exactly as the one-thread loop", () => {
    const whole = handQ5(nexmark, EVENTS);
    assert.ok(whole.rows > 15);
    for (const parts of [2, 3, 5]) {
      const split = sumDigests(Array.from({ length: parts }, (_, part) => ({ id: part, digest: handQ5Part(nexmark, EVENTS, part, parts) })));
      assert.deepEqual(split, { rows: whole.rows, sum: whole.sum }, `${parts} parts`);
    }
  });

  void it("Yahoo counts of the parts add up to the one-thread loop's", () => {
    const whole = handBinary(yahoo);
    const replies = [0, 1, 2].map((part) => {
      const counts = countBinary(yahoo, ...partRange(yahoo.eventsNum, yahoo.batchSize, part, 3));
      return { id: part, keys: new Float64Array(counts.keys()), counts: new Float64Array(counts.values()) };
    });
    assert.deepEqual(countsDigest(mergeCounts(replies)), whole);
    // Windows straddle the cuts (10 s windows, 16.7 s parts), so the merge adds counts, not just keys.
    assert.ok(replies.reduce((n, r) => n + r.keys.length, 0) > mergeCounts(replies).size);
  });

  const pool = HandThreads.start(2);
  after(() => pool.close());

  void it("runs each part on its own worker thread", async () => {
    assert.deepEqual(countsDigest(mergeCounts(await pool.run({ loop: "yahoo binary", cfg: yahoo }, yahoo.eventsNum))), handBinary(yahoo));
    const q5 = handQ5(nexmark, EVENTS);
    assert.deepEqual(sumDigests(await pool.run({ loop: "nexmark q5", cfg: nexmark }, EVENTS)), { rows: q5.rows, sum: q5.sum });
  });
});
