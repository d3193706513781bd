import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { Session } from "../../../src/api/session.js";
import { col, functions as F, window } from "../../../src/index.js";
import { AD_TYPES, DEFAULT_YAHOO_CONFIG, EVENT_TYPES, type YahooConfig, campaignBatch, generateAdEventBatch, generateAdEventCodes, generateAdEventJson, yahooIds } from "../../../src/connectors/yahoo/yahoo-generator.js";
import { columnDigest } from "../helpers.js";
import { ReusableArrays } from "../../../src/batch/reusable-arrays.js";
import type { RecordBatch } from "../../../src/batch/record-batch.js";

const cfg: YahooConfig = { ...DEFAULT_YAHOO_CONFIG, eventsNum: 20_000, eventsPerSecond: 1000 };
const spark = Session.builder().getOrCreate();
spark.conf.set("spark.sql.session.timeZone", "UTC");

void describe("Yahoo streaming benchmark generator", () => {
  void it("is deterministic, and the JSON lines hold the same events as the batches", () => {
    assert.deepEqual(generateAdEventBatch(cfg, 0, 3000), generateAdEventBatch(cfg, 0, 3000));
    const b = generateAdEventBatch(cfg, 100, 600);
    const lines = generateAdEventJson(cfg, 100, 600).toString("utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, string>);
    assert.equal(lines.length, 500);
    lines.forEach((e, i) => {
      assert.deepEqual(Object.keys(e), ["user_id", "page_id", "ad_id", "ad_type", "event_type", "event_time", "ip_address"]);
      assert.ok(Object.values(e).every((v) => typeof v === "string"));
      assert.equal(e["ad_id"], (b.columns[2]!.values as string[])[i]);
      assert.equal(Number(e["event_time"]) * 1000, (b.columns[5]!.values as Float64Array)[i]);
      assert.ok(AD_TYPES.includes(e["ad_type"]!) && EVENT_TYPES.includes(e["event_type"]!));
    });
  });

  void it("builds only the columns asked for, in schema order, with the same values", () => {
    const full = generateAdEventBatch(cfg, 200, 900);
    const some = generateAdEventBatch(cfg, 200, 900, ["event_time", "ad_id"]);
    assert.deepEqual(some.schema.fields.map((f) => f.name), ["ad_id", "event_time"]);
    assert.deepEqual(some.columns[0], full.columns[2]);
    assert.deepEqual(some.columns[1], full.columns[5]);
    assert.equal(some.numRows, 700);
  });

  void it("has 1,000 ads in 100 campaigns of 10", () => {
    const ids = yahooIds(0);
    assert.equal(new Set(ids.ads).size, 1000);
    const c = campaignBatch(0);
    const perCampaign = new Map<string, number>();
    for (const x of c.columns[1]!.values as string[]) perCampaign.set(x, (perCampaign.get(x) ?? 0) + 1);
    assert.equal(perCampaign.size, 100);
    assert.ok([...perCampaign.values()].every((n) => n === 10));
  });

  // V8's own view (natives syntax, in a child process started with the flag): ids built by
  // concatenation were ropes, and a Map lookup that met another id in its bucket compared the two
  // in V8's runtime (~6% of the binary path's time).
  void it("makes its ids interned strings, which Maps compare by identity", () => {
    const script = `
      const { yahooIds } = await import(${JSON.stringify(new URL("../../../src/connectors/yahoo/yahoo-generator.ts", import.meta.url).href)});
      const ids = yahooIds(3);
      const all = [...ids.users, ...ids.pages, ...ids.ads, ...ids.campaigns];
      console.log(JSON.stringify({ ids: all.length, interned: all.filter((s) => %IsInternalizedString(s)).length, rope: %IsInternalizedString("x-" + String(Date.now())) }));`;
    const r = spawnSync(process.execPath, ["--allow-natives-syntax", "--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim()), { ids: 1300, interned: 1300, rope: false });
  });

  void it("the benchmark query on format('yahoo') matches a plain JavaScript count", async () => {
    const ids = yahooIds(0);
    const campaignOf = new Map(ids.ads.map((a, i) => [a, ids.campaigns[Math.floor(i / 10)]!]));
    const expected = new Map<string, number>();
    for (let s = 0; s < cfg.eventsNum; s += 4096) {
      const b = generateAdEventBatch(cfg, s, Math.min(cfg.eventsNum, s + 4096));
      const ad = b.columns[2]!.values as string[], type = b.columns[4]!.values as string[], ts = b.columns[5]!.values as Float64Array;
      for (let i = 0; i < b.numRows; i++) {
        if (type[i] !== "view") continue;
        const k = `${campaignOf.get(ad[i]!)!}|${Math.floor(ts[i]! / 10_000_000) * 10_000}`;
        expected.set(k, (expected.get(k) ?? 0) + 1);
      }
    }
    const events = spark.read.format("yahoo").option("eventsNum", cfg.eventsNum).option("eventsPerSecond", 1000).load();
    const campaigns = spark.read.format("yahoo").option("table", "campaigns").load();
    const rows = await events.filter(col("event_type").eq("view")).select("ad_id", "event_time").join(campaigns, "ad_id")
      .groupBy(col("campaign_id"), window(col("event_time"), "10 seconds")).agg(F.count("*").alias("n"))
      .select(col("campaign_id"), col("window.start").alias("start"), col("n")).collect();
    const got = new Map(rows.map((r) => [`${String(r["campaign_id"])}|${(r["start"] as Date).getTime()}`, Number(r["n"])]));
    assert.deepEqual([...got.entries()].sort(), [...expected.entries()].sort());
  });
});

void describe("Yahoo generator batches", () => {
  void it("hold their own columns while the draws' scratch codes are reused batch after batch", () => {
    const ranges: [number, number][] = [[0, 3000], [5000, 5500], [3000, 6000]];
    const batches = ranges.map(([a, z]) => generateAdEventBatch(cfg, a, z, ["ad_id", "event_type", "event_time"]));
    const ids = yahooIds(cfg.seed);
    ranges.forEach(([a, z], i) => {
      const fresh = generateAdEventCodes(cfg, a, z);
      const b = batches[i]!;
      assert.equal(b.numRows, z - a);
      assert.deepEqual(b.columns[0]!.values, Array.from(fresh.ad, (c) => ids.ads[c]));
      assert.deepEqual(b.columns[1]!.values, Array.from(fresh.eventType, (c) => EVENT_TYPES[c]));
      assert.deepEqual([...(b.columns[2]!.values as Float64Array)], Array.from(fresh.timeMs, (t) => t * 1000));
    });
  });

  void it("refill one array per column when given buffers (a reader done with each batch), with the same values", () => {
    const buffers = new ReusableArrays();
    const values = (b: RecordBatch): unknown[][] => b.columns.map((c) => Array.from(c.values as ArrayLike<unknown>));
    const first = generateAdEventBatch(cfg, 0, 4000, null, buffers);
    const firstValues = values(first);
    const second = generateAdEventBatch(cfg, 4000, 8000, null, buffers);
    assert.equal(second.columns.length, 7);
    second.columns.forEach((c, i) => {
      const a = first.columns[i]!.values, b = c.values;
      if (b instanceof Float64Array) assert.equal(b.buffer, (a as Float64Array).buffer, `column ${i}`);
      else assert.equal(b, a, `column ${i}`);
    });
    assert.deepEqual(firstValues, values(generateAdEventBatch(cfg, 0, 4000)));
    assert.deepEqual(values(second), values(generateAdEventBatch(cfg, 4000, 8000)));
    const shorter = generateAdEventBatch(cfg, 8000, 8100, ["ad_id"], buffers);
    assert.deepEqual(values(shorter), values(generateAdEventBatch(cfg, 8000, 8100, ["ad_id"])), "a shorter batch has only its own rows");
    generateAdEventBatch(cfg, 0, 10, null).columns.forEach((c, i) => assert.notEqual(c.values, generateAdEventBatch(cfg, 0, 10, null).columns[i]!.values, "without buffers: fresh arrays"));
  });
});

void describe("Yahoo generator values", () => {
  void it("gives the events it gave before (golden digests of each column, default config, events 1,000,000 to 1,020,000 and 2^40 on)", () => {
    const at = (from: number): string[] => generateAdEventBatch(DEFAULT_YAHOO_CONFIG, from, from + 20_000).columns.map((c) => columnDigest(c.values as Float64Array | string[]));
    assert.deepEqual({ at1M: at(1_000_000), at2pow40: at(2 ** 40), ads: columnDigest(yahooIds(0).ads) }, GOLDEN);
  });
});

const GOLDEN = {
  at1M: ["4eb349a0", "32eb916", "a2a8f01c", "4c28b348", "3c69b48", "34081344201990830000", "517089c5"],
  at2pow40: ["f96c7ab", "4eec3ad9", "a544408f", "e3a64e7c", "82eaf0c8", "34301246327544426000", "517089c5"],
  ads: "11590662",
};
