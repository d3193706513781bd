import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { slideRemainder, windowStart } from "../../src/expr/time-window.js";
import { Session, col, functions as F, window } from "../../src/index.js";

/** The remainder as `%` computes it (fmod: exact), moved into [0, slide). */
const fmodRemainder = (x: number, slide: number): number => {
  const r = x % slide;
  return r < 0 ? r + slide : r;
};

test("slideRemainder equals the exact remainder for any time and slide, including near 2^53 and below the epoch", () => {
  const big = fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 });
  const slide = fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 86_400_000_000 }), fc.constantFrom(1_000_000, 2_000_000, 10_000_000, 3_600_000_000));
  fc.assert(fc.property(fc.oneof(big, fc.integer({ min: -1e7, max: 1e7 }), fc.double({ min: -1e15, max: 1e15, noNaN: true })), slide, (x, s) => {
    const r = slideRemainder(x, s);
    // (A negative fraction tinier than the slide's ulp rounds up to the slide, with `%` too.)
    if (Number.isInteger(x)) assert.ok(r >= 0 && r < s, `${x} mod ${s} = ${r}`);
    assert.ok(r === fmodRemainder(x, s), `${x} mod ${s}: ${r}, exactly ${fmodRemainder(x, s)}`); // -0 and 0 alike
  }), { numRuns: 20_000 });
  assert.ok(Number.isNaN(slideRemainder(NaN, 5)));
  // Just below a multiple of the slide, where a rounded quotient may land on the multiple.
  for (const s of [3, 7, 2_000_000, 999_999_937]) for (const q of [1, 1e6, Math.floor((2 ** 53 - 1) / s)]) for (const d of [-1, 0, 1]) {
    const x = q * s + d;
    if (Math.abs(x) < 2 ** 53) assert.ok(slideRemainder(x, s) === fmodRemainder(x, s), `${x} mod ${s}`);
  }
});

test("windowStart: windows start at multiples of the slide from startTime, k slides back", () => {
  const spec = { durationMicros: 10_000_000, slideMicros: 2_000_000, startMicros: 500_000 };
  assert.equal(windowStart(7_400_000, spec, 0), 6_500_000);
  assert.equal(windowStart(7_400_000, spec, 2), 2_500_000);
  assert.equal(windowStart(-1, spec, 0), -1_500_000);
  assert.equal(windowStart(500_000, spec, 0), 500_000);
});

test("sliding and tumbling window aggregations (generated loops) put each time in the windows the exact remainder gives", async () => {
  const spark = Session.builder().appName("time-window-test").config("sluice.executor.threads", 1).create();
  try {
    // Times around the epoch, before it, just off slide boundaries, and far from it (microseconds).
    const times = [-7_300_001, -2_000_000, -1_500_001, -1, 0, 1, 499_999, 500_000, 1_999_999, 2_000_000, 9_999_999, 1_700_000_000_123_457, 4_000_000_000_500_000];
    const df = spark.createDataFrame(times.map((us, i) => ({ k: i % 3, us })), "k INT, us LONG").selectExpr("k", "timestamp_micros(us) AS t");
    const key = (k: number, startMs: number): string => `${k}@${startMs}`;
    const got = new Map<string, number>();
    for (const r of await df.groupBy(col("k"), window(col("t"), "10 seconds", "2 seconds", "500 milliseconds")).agg(F.count("*").alias("n")).collect()) {
      const w = r.window as { start: Date; end: Date };
      assert.equal(w.end.getTime() - w.start.getTime(), 10_000);
      got.set(key(r.k as number, w.start.getTime()), r.n as number);
    }
    const want = new Map<string, number>();
    times.forEach((us, i) => {
      const latest = us - fmodRemainder(us - 500_000, 2_000_000);
      for (let j = 0; j < 5; j++) want.set(key(i % 3, (latest - j * 2_000_000) / 1000), (want.get(key(i % 3, (latest - j * 2_000_000) / 1000)) ?? 0) + 1);
    });
    assert.deepEqual(new Map([...got].sort()), new Map([...want].sort()));
    const tumbling = new Map<number, number>();
    for (const r of await df.groupBy(window(col("t"), "2 seconds")).agg(F.count("*").alias("n")).collect()) tumbling.set((r.window as { start: Date }).start.getTime(), r.n as number);
    const wantTumbling = new Map<number, number>();
    for (const us of times) {
      const s = (us - fmodRemainder(us, 2_000_000)) / 1000;
      wantTumbling.set(s, (wantTumbling.get(s) ?? 0) + 1);
    }
    assert.deepEqual(new Map([...tumbling].sort((a, b) => a[0] - b[0])), new Map([...wantTumbling].sort((a, b) => a[0] - b[0])));
  } finally {
    spark.stop();
  }
});
