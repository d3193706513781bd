import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { nexmarkConfig } from "../../src/connectors/nexmark/nexmark-config.js";
import { compareDigest, digestBatches } from "../../bench/nexmark/digest.js";
import { type OutputColumns, handQ7, handQ11, handQ11AnyOrder, handQ12, handQ13 } from "../../bench/nexmark/hand-loops-windows.js";
import { nexmarkTables, query } from "../../bench/nexmark/queries.js";

// 30,000 events at 1,000 events/s of event time = 30 s, so windows and sessions have content.
const EVENTS = 30_000;
const spark = Session.builder().getOrCreate();
spark.conf.set("spark.sql.session.timeZone", "UTC");
const HAND = { q7: handQ7, q11: handQ11, q12: handQ12, q13: handQ13 };

/** The named columns' rows as sorted 'a|b|...' lines (a Date as microseconds). */
function lines(rows: readonly Record<string, unknown>[], names: readonly string[]): string[] {
  return rows.map((r) => names.map((c) => (r[c] instanceof Date ? String((r[c] as Date).getTime() * 1000) : String(r[c]))).join("|")).sort();
}

/** The hand columns' rows, the same way. */
function handLines(cols: OutputColumns, names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < cols[names[0]!]!.length; i++) out.push(names.map((c) => String(cols[c]![i])).join("|"));
  return out.sort();
}

void describe("Nexmark q7, q11, q12, q13 hand loops, 30,000 events at 1,000 events/s", () => {
  const cfg = nexmarkConfig({ eventsPerSecond: 1000 });
  for (const [name, hand] of Object.entries(HAND)) {
    void it(`${name}: SQL and DataFrame forms match the hand-written loop`, async () => {
      // Views of these tables, made right before the SQL reads them (other tests use other rates).
      const tables = nexmarkTables(spark, { eventsNum: EVENTS, eventsPerSecond: 1000 });
      const q = query(name);
      const expected = hand(cfg, EVENTS);
      assert.ok(expected.rows > 0, `${name} has rows`);
      assert.equal(compareDigest(expected, digestBatches(await spark.sql(q.sql).collectBatches(), q.checkColumn)), null, `${name} SQL`);
      assert.equal(compareDigest(expected, digestBatches(await q.dataframe(tables).collectBatches(), q.checkColumn)), null, `${name} DataFrame`);
    });
  }

  void it("q7, q11, q12: the hand loops' rows are Sluice's, column by column", async () => {
    const tables = nexmarkTables(spark, { eventsNum: EVENTS, eventsPerSecond: 1000 });
    const q7 = ["auction", "price", "bidder", "dateTime", "extra"];
    assert.deepEqual(lines(await query("q7").dataframe(tables).collect(), q7), handLines(handQ7(cfg, EVENTS).columns, q7));
    const q11 = ["bidder", "bid_count", "starttime", "endtime"], sessions = handLines(handQ11(cfg, EVENTS).columns, q11);
    assert.deepEqual(lines(await query("q11").dataframe(tables).collect(), q11), sessions);
    assert.deepEqual(handLines(handQ11AnyOrder(cfg, EVENTS).columns, q11), sessions);
    // q12's window is the query's own processing time: only the counts compare.
    const q12 = await query("q12").dataframe(tables).collect();
    assert.deepEqual(lines(q12, ["bidder", "bid_count"]), handLines(handQ12(cfg, EVENTS).columns, ["bidder", "bid_count"]));
    for (const r of q12) assert.equal((r["endtime"] as Date).getTime() - (r["starttime"] as Date).getTime(), 10_000);
  });

  void it("q13: every bid's value is its auction mod 10000 as text", async () => {
    const rows = await query("q13").dataframe(nexmarkTables(spark, { eventsNum: EVENTS, eventsPerSecond: 1000 })).collect();
    assert.equal(rows.length, EVENTS * 46 / 50);
    for (const r of rows) assert.equal(r["value"], String(Number(r["auction"]) % 10000));
  });
});

void describe("Nexmark q7 hand loop, 30,000 events at 0.1 events/s (every event on a window boundary)", () => {
  void it("bids matching the window before theirs as well as their own count twice, as in Sluice", async () => {
    const rate = 0.1, cfg = nexmarkConfig({ eventsPerSecond: rate });
    const tables = nexmarkTables(spark, { eventsNum: EVENTS, eventsPerSecond: rate });
    const q = query("q7");
    const expected = handQ7(cfg, EVENTS);
    // One bid per window at most, each its window's maximum; a few also tie the previous window's.
    const bids = EVENTS * 46 / 50;
    assert.ok(expected.rows > bids, `rows ${expected.rows}`);
    assert.equal(compareDigest(expected, digestBatches(await spark.sql(q.sql).collectBatches(), q.checkColumn)), null, "q7 SQL");
    assert.equal(compareDigest(expected, digestBatches(await q.dataframe(tables).collectBatches(), q.checkColumn)), null, "q7 DataFrame");
    const names = ["auction", "price", "bidder", "dateTime", "extra"];
    assert.deepEqual(lines(await q.dataframe(tables).collect(), names), handLines(expected.columns, names));
  });
});
