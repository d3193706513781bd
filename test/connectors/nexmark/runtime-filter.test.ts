import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Session, col, functions as F, window } from "../../../src/index.js";
import { nexmarkConfig } from "../../../src/connectors/nexmark/nexmark-config.js";
import { generateNexmarkColumns } from "../../../src/connectors/nexmark/nexmark-generator.js";

const spark = Session.builder().appName("runtime-filter").config("sluice.executor.threads", 1).create();

describe("runtime filters into the Nexmark bid scan", () => {
  it("a filtered generation is the unfiltered one's rows whose column holds a kept value, every column equal (property)", () => {
    const cfg = nexmarkConfig({ seed: 7 });
    const columnArb = fc.constantFrom("auction", "bidder", "price", "dateTime") as fc.Arbitrary<"auction" | "bidder" | "price" | "dateTime">;
    fc.assert(fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 600 }), columnArb, fc.double({ min: 0, max: 1, noNaN: true }), (from, len, column, share) => {
      const all = generateNexmarkColumns(cfg, "bid", from, from + len);
      const at = ["auction", "bidder", "price", "channel", "url", "dateTime", "extra"].indexOf(column);
      const tested = all.columns[at] as Float64Array;
      // Keep about `share` of the distinct values, and one value no bid has.
      const values = new Set<unknown>([...new Set(tested)].filter((_, i) => (i * 0.618) % 1 < share));
      values.add(-1);
      const kept = generateNexmarkColumns(cfg, "bid", from, from + len, null, null, { column, values });
      const rows = [...tested.keys()].filter((i) => values.has(tested[i]));
      assert.equal(kept.numRows, rows.length);
      all.columns.forEach((c, j) => assert.deepEqual(Array.from(kept.columns[j]! as ArrayLike<unknown>), rows.map((i) => c![i]), `column ${j}`));
    }), { numRuns: 150 });
  });

  it("a join on the highest price per window (Nexmark q7) sends its keys to the bid scan and gives the rows of the same join over the bids copied into memory", async () => {
    const bids = spark.read.format("nexmark").option("table", "bid").option("eventsNum", 60_000).option("seed", 3).load();
    const q7 = (b: typeof bids) => {
      const maxes = b.groupBy(window(col("dateTime"), "10 seconds")).agg(F.max("price").alias("maxprice")).select(col("maxprice"), col("window.end").alias("wend"));
      return b.join(maxes, col("price").eq(col("maxprice"))).filter(col("dateTime").between(col("wend").minus(F.expr("INTERVAL '10' SECOND")), col("wend"))).select("auction", "price", "bidder", "dateTime", "extra");
    };
    assert.match(q7(bids).explainString(), /HashJoin \[price = maxprice\], inner, Build\w+, .*RuntimeFilter: price/);
    const inMemory = spark.createDataFrame(await bids.collect(), bids.schema);
    assert.doesNotMatch(q7(inMemory).explainString(), /RuntimeFilter/);
    const sorted = async (df: typeof bids): Promise<string[]> => (await df.collect()).map((r) => JSON.stringify(r)).sort();
    const got = await sorted(q7(bids));
    assert.ok(got.length > 0);
    assert.deepEqual(got, await sorted(q7(inMemory)));
  });
});
