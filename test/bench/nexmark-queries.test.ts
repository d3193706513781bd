import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { nexmarkConfig } from "../../src/connectors/nexmark/nexmark-config.js";
import { compareDigest, digestBatches } from "../../bench/nexmark/digest.js";
import { auctionRows, bidRows, handQ0, handQ1, handQ2, handQ5, peopleRows, referenceQ3, referenceQ7, referenceQ8 } from "../../bench/nexmark/hand-loops.js";
import { QUERIES, nexmarkTables, query, streamAnswer } from "../../bench/nexmark/queries.js";

// Small inputs: 30,000 events at 1,000 events/s of event time = 30 s, so windows and joins have content.
const EVENTS = 30_000;
const cfg = nexmarkConfig({ eventsPerSecond: 1000 });
const spark = Session.builder().getOrCreate();
spark.conf.set("spark.sql.session.timeZone", "UTC");
const tables = nexmarkTables(spark, { eventsNum: EVENTS, eventsPerSecond: 1000 });

async function sqlAndDataFrame(name: string): Promise<Record<string, unknown>[][]> {
  const q = query(name);
  return [await spark.sql(q.sql).collect(), await q.dataframe(tables).collect()];
}

const checkpoints = mkdtempSync(join(tmpdir(), "nexmark-stream-"));
after(() => rmSync(checkpoints, { recursive: true, force: true }));

const us = (d: unknown): number => (d as Date).getTime() * 1000;

void describe("Nexmark queries against plain JavaScript", () => {
  void it("q0, q1, q2, q5: SQL and DataFrame forms match the hand-written loops", async () => {
    const hands = { q0: handQ0, q1: handQ1, q2: handQ2, q5: handQ5 };
    for (const [name, hand] of Object.entries(hands)) {
      const q = query(name);
      const expected = hand(cfg, EVENTS);
      assert.ok(expected.rows > 0, name);
      assert.equal(compareDigest(expected, digestBatches(await spark.sql(q.sql).collectBatches(), q.checkColumn)), null, `${name} SQL`);
      assert.equal(compareDigest(expected, digestBatches(await q.dataframe(tables).collectBatches(), q.checkColumn)), null, `${name} DataFrame`);
    }
    // q5 row by row: (auction, count, window start).
    const rows = (await spark.sql(query("q5").sql).collect()).map((r) => `${String(r["auction"])}|${String(r["num"])}|${us(r["starttime"])}`).sort();
    assert.deepEqual(rows, handQ5(cfg, EVENTS).result.map((r) => `${r.auction}|${r.num}|${r.startUs}`).sort());
  });

  void it("q3: local item suggestion", async () => {
    const expected = referenceQ3(peopleRows(cfg, EVENTS), auctionRows(cfg, EVENTS));
    assert.ok(expected.length > 10);
    for (const rows of await sqlAndDataFrame("q3")) assert.deepEqual(rows.map((r) => `${String(r["name"])}|${String(r["city"])}|${String(r["state"])}|${String(r["id"])}`).sort(), expected);
  });

  void it("q7: highest bid per 10-second window", async () => {
    const expected = referenceQ7(bidRows(cfg, EVENTS));
    assert.ok(expected.length >= 3);
    for (const rows of await sqlAndDataFrame("q7")) assert.deepEqual(rows.map((r) => `${String(r["auction"])}|${String(r["price"])}|${String(r["bidder"])}|${us(r["dateTime"])}`).sort(), expected);
  });

  void it("q8: new users who opened an auction in their first window", async () => {
    const expected = referenceQ8(peopleRows(cfg, EVENTS), auctionRows(cfg, EVENTS));
    assert.ok(expected.length > 10);
    for (const rows of await sqlAndDataFrame("q8")) assert.deepEqual(rows.map((r) => `${String(r["id"])}|${String(r["name"])}|${us(r["starttime"])}`).sort(), expected);
  });

  void it("every query runs, and its SQL and DataFrame forms agree", async () => {
    for (const q of QUERIES) {
      const a = digestBatches(await spark.sql(q.sql).collectBatches(), q.checkColumn);
      const b = digestBatches(await q.dataframe(tables).collectBatches(), q.checkColumn);
      assert.equal(compareDigest(a, b), null, q.name);
      assert.ok(a.rows > 0, `${q.name} has rows`);
    }
  });

  void it("q11: the lag and running-sum sessions are session_window's sessions", async () => {
    const bySessionWindow = await spark.sql(`SELECT bidder, count(*) AS bid_count, session_window.start AS starttime, session_window.end AS endtime
      FROM bid GROUP BY bidder, session_window(dateTime, '10 seconds')`).collect();
    const key = (r: Record<string, unknown>): string => `${String(r["bidder"])}|${String(r["bid_count"])}|${us(r["starttime"])}|${us(r["endtime"])}`;
    const sessions = bySessionWindow.map(key).sort();
    assert.ok(sessions.length > 100, `sessions: ${sessions.length}`);
    for (const rows of await sqlAndDataFrame("q11")) assert.deepEqual(rows.map(key).sort(), sessions);
  });

  void it("stream forms end with the batch answer (append: all batches; complete: the last; windowed: the windows the last watermark closed)", async () => {
    const streams = nexmarkTables(spark, { eventsNum: EVENTS, eventsPerSecond: 1000, maxEventsPerTrigger: 5000 }, true);
    for (const q of QUERIES.filter((x) => x.streaming && !x.nondeterministic)) {
      let got = { rows: 0, sum: 0 }, batches = 0;
      const mode = q.streamMode ?? "append";
      const s = await (q.stream?.dataframe(streams) ?? q.dataframe(streams)).writeStream.outputMode(mode).option("checkpointLocation", mkdtempSync(join(checkpoints, `${q.name}-`))).trigger({ availableNow: true })
        .foreachBatch(async (df) => {
          const d = digestBatches(await df.collectBatches(), q.checkColumn);
          got = mode === "complete" ? d : { rows: got.rows + d.rows, sum: got.sum + d.sum };
          batches++;
        }).start();
      await s.awaitTermination();
      const watermark = s.lastProgress?.eventTime["watermark"];
      assert.ok(watermark !== undefined || q.stream === undefined, `${q.name}: a watermark`);
      const want = digestBatches(await streamAnswer(q, tables, new Date(watermark ?? 0)).collectBatches(), q.checkColumn);
      assert.ok(batches >= 6, `${q.name}: ${batches} batches`);
      assert.ok(want.rows > 0, `${q.name}: the stream's answer has rows`);
      assert.equal(compareDigest(want, got), null, `${q.name} (${mode})`);
    }
  });
});
