import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { nexmarkConfig } from "../../src/connectors/nexmark/nexmark-config.js";
import { compareDigest, digestBatches } from "../../bench/nexmark/digest.js";
import { type HandRows, handQ14, handQ18, handQ19, handQ21, handQ22 } from "../../bench/nexmark/hand-loops-rows.js";
import { nexmarkTables, query } from "../../bench/nexmark/queries.js";

// Small inputs: 30,000 events at 1,000 events/s of event time = 30 s.
const EVENTS = 30_000;
const cfg = nexmarkConfig({ eventsPerSecond: 1000 });
const spark = Session.builder().getOrCreate();
spark.conf.set("spark.sql.session.timeZone", "UTC");
const tables = nexmarkTables(spark, { eventsNum: EVENTS, eventsPerSecond: 1000 });

/** A string column of the hand loop's output (by position): total length and number of non-null values. */
function handStrings(h: HandRows, column: number): { length: number; values: number } {
  let length = 0, values = 0;
  for (const batch of h.out) {
    for (const v of batch[column] as ReadonlyArray<string | null>) {
      if (v === null) continue;
      length += v.length;
      values++;
    }
  }
  return { length, values };
}

function sluiceStrings(rows: readonly Record<string, unknown>[], column: string): { length: number; values: number } {
  let length = 0, values = 0;
  for (const r of rows) {
    const v = r[column];
    if (v === null) continue;
    length += (v as string).length;
    values++;
  }
  return { length, values };
}

void describe("Nexmark q14, q18, q19, q21, q22 against hand-written loops", () => {
  const hands = { q14: handQ14, q18: handQ18, q19: handQ19, q21: handQ21, q22: handQ22 };
  for (const [name, hand] of Object.entries(hands)) {
    void it(`${name}: SQL and DataFrame forms match the hand loop`, async () => {
      const q = query(name);
      const expected = hand(cfg, EVENTS);
      assert.ok(expected.rows > 0, name);
      assert.equal(compareDigest(expected, digestBatches(await spark.sql(q.sql).collectBatches(), q.checkColumn)), null, `${name} SQL`);
      assert.equal(compareDigest(expected, digestBatches(await q.dataframe(tables).collectBatches(), q.checkColumn)), null, `${name} DataFrame`);
    });
  }

  void it("q21 and q22: the string columns match (total length, non-null values)", async () => {
    const cases: [string, HandRows, Record<string, number>][] = [
      ["q21", handQ21(cfg, EVENTS), { channel: 3, channel_id: 4 }],
      ["q22", handQ22(cfg, EVENTS), { channel: 3, dir1: 4, dir2: 5, dir3: 6 }],
    ];
    for (const [name, h, columns] of cases) {
      const rows = await query(name).dataframe(tables).collect();
      for (const [column, i] of Object.entries(columns)) {
        const mine = handStrings(h, i);
        assert.ok(mine.length > 0, `${name} ${column}`);
        assert.deepEqual(mine, sluiceStrings(rows, column), `${name} ${column}`);
      }
    }
  });

  void it("q14: time-of-day classes over 16 hours of event time", async () => {
    // 3,000 events at one per 20 s from 05:00 UTC reach 21:40: every class and its boundary hours.
    const first = Date.UTC(2024, 0, 1, 5);
    const small = nexmarkConfig({ eventsPerSecond: 0.05, firstEventTimeMs: first });
    // Not nexmarkTables: that would re-register the temp views the SQL tests read.
    const t = { ...tables, bid: spark.read.format("nexmark").options({ table: "bid", eventsNum: 3000, eventsPerSecond: 0.05, firstEventTime: first }).load() };
    const h = handQ14(small, 3000);
    const counts = (values: Iterable<string>): Record<string, number> => {
      const c: Record<string, number> = {};
      for (const v of values) c[v] = (c[v] ?? 0) + 1;
      return c;
    };
    const mine = counts(h.out.flatMap((b) => b[3] as string[]));
    assert.deepEqual(Object.keys(mine).sort(), ["dayTime", "nightTime", "otherTime"]);
    assert.deepEqual(counts((await query("q14").dataframe(t).collect()).map((r) => r["bidTimeType"] as string)), mine);
    assert.equal(compareDigest(h, digestBatches(await query("q14").dataframe(t).collectBatches(), "c_counts")), null);
  });
});
