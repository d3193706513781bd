import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { nexmarkConfig } from "../../src/connectors/nexmark/nexmark-config.js";
import { compareDigest, digestBatches } from "../../bench/nexmark/digest.js";
import { type DailyColumns, handQ15, handQ16, handQ17 } from "../../bench/nexmark/hand-loops-daily.js";
import { nexmarkTables, query } from "../../bench/nexmark/queries.js";

const EVENTS = 30_000;
const spark = Session.builder().getOrCreate();
spark.conf.set("spark.sql.session.timeZone", "UTC");
const HAND = { q15: handQ15, q16: handQ16, q17: handQ17 };

/** The hand columns' rows as sorted 'a|b|...' lines. */
function handLines(cols: DailyColumns): string[] {
  const names = Object.keys(cols), out: string[] = [];
  for (let i = 0; i < cols[names[0]!]!.length; i++) out.push(names.map((c) => String(cols[c]![i])).join("|"));
  return out.sort();
}

// 1,000 events/s: 30 s of event time, one day. 0.1 events/s: 300,000 s, so the bids span 4 UTC days.
for (const { rate, label, days } of [{ rate: 1000, label: "one day", days: 1 }, { rate: 0.1, label: "several days", days: 4 }]) {
  void describe(`Nexmark q15-q17 hand loops, 30,000 events at ${rate} events/s (${label})`, () => {
    const cfg = nexmarkConfig({ eventsPerSecond: rate });
    for (const [name, hand] of Object.entries(HAND)) {
      void it(`${name}: SQL and DataFrame forms match the hand-written loop`, async () => {
        // Views of this rate's tables, made right before the SQL reads them.
        const tables = nexmarkTables(spark, { eventsNum: EVENTS, eventsPerSecond: rate });
        const q = query(name);
        const expected = hand(cfg, EVENTS);
        assert.ok(expected.rows > 0, `${name} has rows`);
        if (name === "q15") assert.equal(expected.rows, days);
        assert.equal(compareDigest(expected, digestBatches(await spark.sql(q.sql).collectBatches(), q.checkColumn)), null, `${name} SQL`);
        assert.equal(compareDigest(expected, digestBatches(await q.dataframe(tables).collectBatches(), q.checkColumn)), null, `${name} DataFrame`);
        // Every column, row by row.
        const names = Object.keys(expected.columns);
        const rows = (await q.dataframe(tables).collect()).map((r) => names.map((c) => String(r[c])).join("|")).sort();
        assert.deepEqual(rows, handLines(expected.columns));
      });
    }
  });
}
