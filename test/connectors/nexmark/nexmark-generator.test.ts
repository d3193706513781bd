import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Session } from "../../../src/api/session.js";
import { nexmarkConfig } from "../../../src/connectors/nexmark/nexmark-config.js";
import { HOT_CHANNELS, US_CITIES, US_STATES, countOfKind, eventKind, generateNexmarkColumns, lastBase0AuctionId } from "../../../src/connectors/nexmark/nexmark-generator.js";
import { nexmarkJsonLines } from "../../../src/connectors/nexmark/nexmark-json.js";
import { columnDigest } from "../helpers.js";

const cfg = nexmarkConfig({ eventsPerSecond: 1000 });
const EVENTS = 20_000;

void describe("nexmark generator", () => {
  void it("is deterministic by seed, and any split of the event range gives the same rows", () => {
    for (const table of ["person", "auction", "bid"] as const) {
      const a = generateNexmarkColumns(cfg, table, 0, EVENTS), b = generateNexmarkColumns(cfg, table, 0, EVENTS);
      assert.deepEqual(a, b);
      const p1 = generateNexmarkColumns(cfg, table, 0, 7777), p2 = generateNexmarkColumns(cfg, table, 7777, EVENTS);
      a.columns.forEach((col, c) => assert.deepEqual([...col!], [...p1.columns[c]!, ...p2.columns[c]!], `${table} column ${c}`));
      const other = generateNexmarkColumns(nexmarkConfig({ eventsPerSecond: 1000, seed: 7 }), table, 0, EVENTS);
      assert.notDeepEqual(a.columns[a.columns.length - 1], other.columns[other.columns.length - 1]);
    }
  });

  void it("keeps the 1 : 3 : 46 proportions and numbers people and auctions from 1000", () => {
    assert.deepEqual([eventKind(0), eventKind(1), eventKind(3), eventKind(4), eventKind(49), eventKind(50)], [0, 1, 1, 2, 2, 0]);
    const p = generateNexmarkColumns(cfg, "person", 0, EVENTS), a = generateNexmarkColumns(cfg, "auction", 0, EVENTS), b = generateNexmarkColumns(cfg, "bid", 0, EVENTS);
    assert.deepEqual([p.numRows, a.numRows, b.numRows], [400, 1200, 18400]);
    assert.equal(countOfKind(2, 55), 46 + 1);
    assert.deepEqual([...(p.columns[0] as Float64Array)], Array.from({ length: 400 }, (_, i) => 1000 + i));
    assert.deepEqual([...(a.columns[0] as Float64Array)], Array.from({ length: 1200 }, (_, i) => 1000 + i));
    assert.equal(lastBase0AuctionId(0), -1);
  });

  void it("produces the field contents the benchmark specifies", () => {
    const p = generateNexmarkColumns(cfg, "person", 0, EVENTS);
    const [, names, emails, cards, cities, states, pt] = p.columns as [Float64Array, string[], string[], string[], string[], string[], Float64Array];
    assert.ok(names.every((n) => /^[A-Z][a-z]+ [A-Z][a-z]+$/.test(n)));
    assert.ok(emails.every((e) => /^[a-z ]{3,6}@[a-z ]{3,4}\.com$/.test(e)));
    assert.ok(cards.every((c) => /^\d{4} \d{4} \d{4} \d{4}$/.test(c)));
    assert.ok(cities.every((c) => US_CITIES.includes(c)) && states.every((s) => US_STATES.includes(s)));
    // Event n is at firstEventTime + n / rate: person k is event 50k, at 50k ms with 1000 events/s.
    assert.equal(pt[3], (cfg.firstEventTimeMs + 150) * 1000);

    const a = generateNexmarkColumns(cfg, "auction", 0, EVENTS);
    const [ids, , , initial, reserve, at, expires, seller, category] = a.columns as Float64Array[];
    for (let i = 0; i < a.numRows; i++) {
      assert.ok(reserve![i]! > initial![i]! && initial![i]! >= 100 && initial![i]! <= 100_000_000);
      assert.ok(expires![i]! > at![i]!);
      assert.ok(category![i]! >= 10 && category![i]! <= 14);
      assert.ok(seller![i]! >= 1000 && seller![i]! <= 1000 + Math.floor((ids![i]! - 1000) / 3) + 10);
    }

    const b = generateNexmarkColumns(cfg, "bid", 0, EVENTS);
    const [auction, bidder, price, channel, url, , extra] = b.columns as [Float64Array, Float64Array, Float64Array, string[], string[], Float64Array, string[]];
    let hotAuction = 0, hotChannel = 0, extraLen = 0;
    for (let i = 0; i < b.numRows; i++) {
      if (auction[i]! % 100 === 0) hotAuction++;
      if (HOT_CHANNELS.includes(channel[i]!)) hotChannel++;
      else assert.match(channel[i]!, /^channel-\d+$/);
      assert.match(url[i]!, /^https:\/\/www\.nexmark\.com\/[a-z]+\/[a-z]+\/[a-z]+\/item\.htm\?query=1(&channel_id=\d+)?$/);
      assert.ok(price[i]! >= 100 && bidder[i]! >= 1000);
      extraLen += extra[i]!.length;
    }
    // hotAuctionRatio 2: about half the bids go to the hot auction (plus the few random picks that hit one).
    assert.ok(hotAuction / b.numRows > 0.45 && hotAuction / b.numRows < 0.6, `hot auction share ${hotAuction / b.numRows}`);
    assert.ok(hotChannel / b.numRows > 0.97, `hot channel share ${hotChannel / b.numRows}`);
    // A bid pads to 100 bytes on average: 32 bytes of numbers, 68 of extra.
    assert.ok(Math.abs(extraLen / b.numRows - 68) < 2, `average extra ${extraLen / b.numRows}`);
  });

  void it("gives the events it gave before (golden digests of each column, default config, events 1,000,000 to 1,020,000)", () => {
    const golden = {
      person: ["8479800", "fc9a0bbd", "4f660214", "21466469", "178b76b", "548e4924", "681626920398998700", "72f0ed26"],
      auction: ["73919400", "e2b05e35", "2601df15", "8145098223", "17219752382", "2044880761196999000", "2044880761400234500", "25244908", "14385", "c43a96c5"],
      bid: ["1132580408", "387048192", "132294655053", "7291d421", "52a8d889", "31354838338393997000", "9b6852f2"],
    };
    for (const table of ["person", "auction", "bid"] as const) {
      assert.deepEqual(generateNexmarkColumns(nexmarkConfig({}), table, 1_000_000, 1_020_000).columns.map((c) => columnDigest(c!)), golden[table], table);
    }
  });

  void it("builds only the requested columns, with the same values", () => {
    const all = generateNexmarkColumns(cfg, "bid", 100, 5000), some = generateNexmarkColumns(cfg, "bid", 100, 5000, ["price", "URL"]);
    assert.deepEqual(some.columns.map((c) => c !== null), [false, false, true, false, true, false, false]);
    assert.deepEqual(some.columns[2], all.columns[2]);
    assert.deepEqual(some.columns[4], all.columns[4]);
    // Every subset of the bid columns (the generator skips the draws after the last one wanted).
    const names = ["auction", "bidder", "price", "channel", "url", "dateTime", "extra"];
    for (let mask = 1; mask < 1 << names.length; mask++) {
      const wanted = names.filter((_, i) => (mask >> i) & 1);
      const got = generateNexmarkColumns(cfg, "bid", 100, 1300, wanted), whole = generateNexmarkColumns(cfg, "bid", 100, 1300);
      names.forEach((name, i) => {
        if ((mask >> i) & 1) assert.deepEqual(got.columns[i], whole.columns[i], `${name} among ${wanted.join(", ")}`);
        else assert.equal(got.columns[i], null);
      });
    }
  });

  void it("builds every subset of the auction columns with the values of all (the draws of the others skipped)", () => {
    const names = ["id", "itemName", "description", "initialBid", "reserve", "dateTime", "expires", "seller", "category", "extra"];
    // Also events over the average size (no padding drawn) and mostly cold sellers (a draw for the seller).
    for (const config of [cfg, nexmarkConfig({ eventsPerSecond: 1000, avgAuctionByteSize: 110, hotSellersRatio: 8 })]) {
      const whole = generateNexmarkColumns(config, "auction", 33, 2600);
      const extras = whole.columns[9] as string[];
      if (config !== cfg) assert.ok(extras.some((x) => x === "") && extras.some((x) => x !== ""), "some events get no padding");
      for (let mask = 1; mask < 1 << names.length; mask++) {
        const wanted = names.filter((_, i) => (mask >> i) & 1);
        const got = generateNexmarkColumns(config, "auction", 33, 2600, wanted);
        names.forEach((name, i) => {
          if ((mask >> i) & 1) assert.deepEqual(got.columns[i], whole.columns[i], `${name} among ${wanted.join(", ")}`);
          else assert.equal(got.columns[i], null);
        });
      }
    }
  });

  void it("JSON lines hold the same rows as the nexmark source (times as ISO text)", async () => {
    const spark = Session.builder().getOrCreate();
    const text = nexmarkJsonLines(cfg, "auction", 0, 500).toString("utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const rows = await spark.read.format("nexmark").option("table", "auction").option("eventsNum", 500).option("eventsPerSecond", 1000).load().collect();
    assert.equal(text.length, rows.length);
    rows.forEach((r, i) => {
      assert.equal(r["id"], text[i]!["id"]);
      assert.equal((r["expires"] as Date).toISOString(), text[i]!["expires"]);
      assert.equal(r["description"], text[i]!["description"]);
    });
  });

  void it("spark.read.format('nexmark'): schema, counts, option errors", async () => {
    const spark = Session.builder().getOrCreate();
    const bid = spark.read.format("nexmark").option("table", "bid").option("eventsNum", 1000).load();
    assert.deepEqual(bid.columns, ["auction", "bidder", "price", "channel", "url", "dateTime", "extra"]);
    assert.equal(await bid.count(), 920);
    assert.equal(await spark.read.format("nexmark").option("table", "person").option("eventsNum", 1000).load().count(), 20);
    assert.throws(() => spark.read.format("nexmark").option("table", "bids").load(), /person, auction or bid/);
    assert.throws(() => spark.read.format("nexmark").option("eventsPerSecond", 0).load(), /eventsPerSecond/);
  });
});
