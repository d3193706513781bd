import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type DataFrame, Session, Window, broadcast, col, functions as F } from "../../src/index.js";

// WindowGroupLimitExec over an inner hash join takes the join's matches as pairs of row numbers
// and makes only the rows it keeps: every case is checked against the same query with no group
// limit inferred (threshold 0: the window sorts every joined row and the filter keeps rownum <= k).
const spark = Session.builder().appName("window-group-limit-join").config("sluice.executor.threads", 1).create();

/** A small deterministic generator: ties in price and time, nulls in keys, prices, times and partitions. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function tables(seed: number, auctions: number, bids: number): { a: DataFrame; b: DataFrame } {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const a = Array.from({ length: auctions }, (_, i) => ({
    id: r() < 0.05 ? null : i % Math.max(1, auctions - 2), // some ids twice, some null (never matched by =)
    start: pick([0, 10, 20, null]),
    end: pick([30, 50, 100, null]),
    tag: pick(["x", "y", null]),
    note: `auction ${i}`,
  }));
  const b = Array.from({ length: bids }, (_, i) => ({
    auction: r() < 0.05 ? null : Math.floor(r() * auctions),
    price: r() < 0.1 ? null : pick([1, 2, 3, 5, 8]),
    t: r() < 0.1 ? null : Math.floor(r() * 110),
    bidder: i,
  }));
  return { a: spark.createDataFrame(a, "id int, start int, end int, tag string, note string").select(col("*")), b: spark.createDataFrame(b, "auction int, price int, t int, bidder int").select(col("*")) };
}

type Query = (a: DataFrame, b: DataFrame) => DataFrame;

async function sameAsSorted(q: Query, a: DataFrame, b: DataFrame): Promise<number> {
  const run = async (threshold: number): Promise<string[]> => {
    spark.conf.set("sluice.sql.optimizer.windowGroupLimitThreshold", threshold);
    try {
      const df = q(a, b);
      if (threshold > 0) assert.match(df.explainString(), /WindowGroupLimit[^\n]*\n\s*\+- \w*HashJoin [^\n]*inner/);
      return (await df.collect()).map((row) => JSON.stringify(row)).sort();
    } finally {
      spark.conf.set("sluice.sql.optimizer.windowGroupLimitThreshold", 1000);
    }
  };
  const [limited, sorted] = [await run(1000), await run(0)];
  assert.deepEqual(limited, sorted);
  return limited.length;
}

const inWindow = () => col("t").between(col("start"), col("end"));
const top = (k: number, by: string, ...order: ReturnType<typeof col>[]): Query => (a, b) =>
  a.join(b, col("id").eq(col("auction")).and(inWindow()))
    .withColumn("rn", F.row_number().over(Window.partitionBy(by).orderBy(...order)))
    .filter(col("rn").leq(k));

describe("WindowGroupLimit over an inner hash join", () => {
  it("keeps per auction the highest price, then the earliest time (nulls last / first), a residual null or false drops the pair", async () => {
    for (const seed of [1, 2, 3]) {
      const { a, b } = tables(seed, 30, 400);
      assert.ok(await sameAsSorted(top(1, "id", col("price").desc(), col("t").asc()), a, b) > 0);
    }
  });

  it("ties of the whole ORDER BY go to the earlier joined row, as the sorting window gives them", async () => {
    const { a, b } = tables(7, 10, 500);
    await sameAsSorted(top(1, "id", col("price").desc()), a, b);
    await sameAsSorted(top(3, "id", col("price").asc_nulls_last()), a, b);
  });

  it("partitions by a nullable column of either side, k > 1, building the left side or the right", async () => {
    const { a, b } = tables(11, 25, 300);
    await sameAsSorted(top(2, "tag", col("price").desc(), col("t").desc(), col("bidder")), a, b);
    await sameAsSorted((x, y) => top(2, "tag", col("price").desc(), col("bidder"))(broadcast(x), y), a, b);
    await sameAsSorted((x, y) => top(1, "price", col("t").asc_nulls_last(), col("bidder"))(x, broadcast(y)), a, b);
    await sameAsSorted((x, y) => top(1, "price", col("t").asc_nulls_last(), col("bidder"))(broadcast(x), y), a, b);
  });

  it("pairs spread over many streamed batches: the best so far carried across batches, ties to the earlier batch", async () => {
    // The streamed side as a union of slices arrives in as many batches, in order.
    const { a, b } = tables(13, 20, 600);
    const rows = await b.collect();
    const slices = Array.from({ length: 12 }, (_, i) => spark.createDataFrame(rows.slice(i * 50, (i + 1) * 50), "auction int, price int, t int, bidder int"));
    const many = slices.reduce((x, y) => x.union(y)).select(col("*"));
    assert.ok(await sameAsSorted(top(1, "id", col("price").desc(), col("t").asc()), a, many) > 0);
    await sameAsSorted(top(1, "id", col("price").desc()), a, many);
    await sameAsSorted(top(3, "id", col("price").asc_nulls_last()), a, many);
    await sameAsSorted((x, y) => top(2, "tag", col("price").desc(), col("t").desc())(broadcast(x), y), a, many);
  });

  it("no match at all, or an empty side: no rows", async () => {
    const { a, b } = tables(5, 10, 50);
    const none = (x: DataFrame, y: DataFrame) => top(1, "id", col("price").desc())(x, y.filter(col("price").gt(100)));
    assert.equal(await sameAsSorted(none, a, b), 0);
    assert.equal(await sameAsSorted((x, y) => top(1, "id", col("price").desc())(x.filter(col("id").lt(0)), y), a, b), 0);
    const late = (x: DataFrame, y: DataFrame) => top(1, "id", col("price").desc())(x, y.filter(col("t").gt(1000).or(col("t").isNull())));
    assert.equal(await sameAsSorted(late, a, b), 0);
  });
});
