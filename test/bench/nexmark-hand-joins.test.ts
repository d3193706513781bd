import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { type NexmarkConfig, nexmarkConfig } from "../../src/connectors/nexmark/nexmark-config.js";
import { type Digest, compareDigest, digestBatches } from "../../bench/nexmark/digest.js";
import { handQ20, handQ3, handQ4, handQ8, handQ9 } from "../../bench/nexmark/hand-loops-joins.js";
import { nexmarkTables, query } from "../../bench/nexmark/queries.js";

// Small inputs: 30,000 events at 1,000 events/s of event time = 30 s, so windows and joins have content.
const EVENTS = 30_000;
const cfg = nexmarkConfig({ eventsPerSecond: 1000 });
const spark = Session.builder().getOrCreate();
spark.conf.set("spark.sql.session.timeZone", "UTC");
const tables = nexmarkTables(spark, { eventsNum: EVENTS, eventsPerSecond: 1000 });

// Each hand loop with the fewest rows its answer must have on these events (they give 140, 5, 150, 1656, 5125).
const HANDS: Record<string, { hand: (c: NexmarkConfig, events: number) => Digest; minRows: number }> = {
  q3: { hand: handQ3, minRows: 50 },
  q4: { hand: handQ4, minRows: 5 },
  q8: { hand: handQ8, minRows: 50 },
  q9: { hand: handQ9, minRows: 1000 },
  q20: { hand: handQ20, minRows: 1000 },
};

void describe("Nexmark join queries against the hand-written loops", () => {
  for (const [name, { hand, minRows }] of Object.entries(HANDS)) {
    void it(`${name}: SQL and DataFrame forms match the hand loop's digest`, async () => {
      const q = query(name);
      const expected = hand(cfg, EVENTS);
      assert.ok(expected.rows >= minRows, `${name}: ${expected.rows} rows`);
      assert.equal(compareDigest(expected, digestBatches(await spark.sql(q.sql).collectBatches(), q.checkColumn)), null, `${name} SQL`);
      assert.equal(compareDigest(expected, digestBatches(await q.dataframe(tables).collectBatches(), q.checkColumn)), null, `${name} DataFrame`);
    });
  }

  void it("q4: the averages per category match too (the digest sums only category)", async () => {
    const expected = new Map(handQ4(cfg, EVENTS).result.map((r) => [r.category, r.avgFinal]));
    assert.equal(expected.size, 5);
    const q = query("q4");
    for (const rows of [await spark.sql(q.sql).collect(), await q.dataframe(tables).collect()]) {
      assert.equal(rows.length, expected.size);
      for (const r of rows) {
        const want = expected.get(Number(r["category"]))!, got = Number(r["avg_final"]);
        assert.ok(Math.abs(got - want) <= 1e-9 * Math.abs(want), `category ${String(r["category"])}: ${got} vs ${want}`);
      }
    }
  });
});
