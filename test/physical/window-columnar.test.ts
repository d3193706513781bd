import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Session, Window, col, functions as F, lit } from "../../src/index.js";

const spark = Session.builder().create();

type Row = { id: number; p: number | null; o: number | null; v: number | null; d: number | null };

/** How the input arrives: as generated, sorted by o, grouped by p (runs of a key), or each row repeated in a run. */
const arrangements = ["as-is", "by-o", "grouped", "runs"] as const;

function arrange(rows: Omit<Row, "id">[], how: (typeof arrangements)[number]): Row[] {
  let rs = rows;
  if (how === "by-o") rs = [...rows].sort((a, b) => (a.o ?? -1) - (b.o ?? -1));
  if (how === "grouped") rs = [...rows].sort((a, b) => (a.p ?? -1) - (b.p ?? -1));
  if (how === "runs") rs = rows.flatMap((r) => [r, { ...r, o: r.o === null ? null : r.o + 1 }, r]);
  return rs.map((r, id) => ({ id, ...r }));
}

const rowArbWith = (orderNulls: boolean) => fc.record({
  p: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 3 })),
  o: orderNulls ? fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 5 })) : fc.integer({ min: 0, max: 5 }),
  v: fc.oneof(fc.constant(null), fc.integer({ min: -5, max: 9 })),
  d: fc.oneof(fc.constant(null), fc.constant(Number.NaN), fc.constantFrom(-2, 0.5, 1.5, 4)),
});
const rowArb = rowArbWith(true);

const nums = (xs: readonly (number | null)[]): number[] => xs.filter((x): x is number => x !== null);
const sum = (xs: readonly (number | null)[]): number | null => (nums(xs).length === 0 ? null : nums(xs).reduce((t, x) => t + x, 0));
// Spark orders NaN above every number.
const max = (xs: readonly (number | null)[]): number | null => (nums(xs).length === 0 ? null : nums(xs).some(Number.isNaN) ? Number.NaN : Math.max(...nums(xs)));
const min = (xs: readonly (number | null)[]): number | null => {
  const ns = nums(xs), real = ns.filter((x) => !Number.isNaN(x));
  return ns.length === 0 ? null : real.length === 0 ? Number.NaN : Math.min(...real);
};

/** Every function below over `rows`, checked row by row against the reference; returns the ids in output order. */
async function checkAgainstReference(rows: Row[], how: string, asc: boolean): Promise<number[]> {
  const df = spark.createDataFrame(rows, "id INT, p INT, o INT, v INT, d DOUBLE");
  const w = Window.partitionBy("p").orderBy(asc ? col("o").asc() : col("o").desc());
  const running = w.rowsBetween(Window.unboundedPreceding, Window.currentRow);
  const whole = w.rowsBetween(Window.unboundedPreceding, Window.unboundedFollowing);
  const got = await df.select(
    col("id"),
    F.lag("v").over(w).alias("lag1"), F.lead("d", 2).over(w).alias("lead2"), F.lag("v", 1, lit(-1)).over(w).alias("lagDefault"),
    F.sum("v").over(running).alias("runSum"), F.max("d").over(running).alias("runMax"), F.count("v").over(running).alias("runCount"),
    F.sum("d").over(w).alias("peerSum"), F.min("d").over(w).alias("peerMin"), F.avg("v").over(w).alias("peerAvg"), F.count("*").over(w).alias("peerCount"),
    F.min("v").over(whole).alias("allMin"), F.max("v").over(Window.partitionBy("p")).alias("partMax"),
    F.row_number().over(w).alias("rn"), F.rank().over(w).alias("rk"), F.dense_rank().over(w).alias("drk"),
  ).collect();
  // Window order: ascending puts nulls first, descending last; peers keep their input order.
  const key = (o: number | null): number => (o === null ? (asc ? -Infinity : Infinity) : asc ? o : -o);
  assert.equal(got.length, rows.length);
  for (const g of got) {
    const r = rows[Number(g["id"])]!;
    const part = rows.filter((x) => x.p === r.p).sort((a, b) => key(a.o) - key(b.o) || a.id - b.id);
    const at = part.indexOf(r);
    const upTo = part.slice(0, at + 1), peers = part.filter((x) => key(x.o) <= key(r.o));
    const want = {
      lag1: at >= 1 ? part[at - 1]!.v : null,
      lead2: at + 2 < part.length ? part[at + 2]!.d : null,
      lagDefault: at >= 1 ? part[at - 1]!.v : -1,
      runSum: sum(upTo.map((x) => x.v)), runMax: max(upTo.map((x) => x.d)), runCount: nums(upTo.map((x) => x.v)).length,
      peerSum: sum(peers.map((x) => x.d)), peerMin: min(peers.map((x) => x.d)),
      peerAvg: nums(peers.map((x) => x.v)).length === 0 ? null : sum(peers.map((x) => x.v))! / nums(peers.map((x) => x.v)).length,
      peerCount: peers.length,
      allMin: min(part.map((x) => x.v)), partMax: max(part.map((x) => x.v)),
      rn: at + 1, rk: part.filter((x) => key(x.o) < key(r.o)).length + 1,
      drk: new Set(part.filter((x) => key(x.o) <= key(r.o)).map((x) => key(x.o))).size,
    };
    const gotRow = Object.fromEntries(Object.keys(want).map((k) => [k, g[k] === null ? null : Number(g[k])]));
    assert.deepStrictEqual(gotRow, want, `row ${r.id} (${how}, ${asc ? "asc" : "desc"})`);
  }
  return got.map((g) => Number(g["id"]));
}

test("lag, lead and running, peer and whole-partition aggregates equal a per-row reference, for input in any arrangement (property)", async () => {
  // window-columnar.ts computes these in one pass over window order; window-order.ts skips the
  // hashing for input grouped by partition and sorts only partitions out of order.
  await fc.assert(fc.asyncProperty(fc.array(rowArb, { maxLength: 30 }), fc.constantFrom(...arrangements), fc.boolean(), async (input, how, asc) => {
    await checkAgainstReference(arrange(input, how), how, asc);
  }), { numRuns: 300 });
});

test("partitions whose rows each come in ORDER BY order are computed where they are: same answers, rows in input order (property)", async () => {
  // window-in-place.ts: time-ordered events of interleaved users, with ties, no null ORDER BY key.
  await fc.assert(fc.asyncProperty(fc.array(rowArbWith(false), { maxLength: 30 }), fc.boolean(), async (input, asc) => {
    const rows = [...input].sort((a, b) => (asc ? a.o! - b.o! : b.o! - a.o!)).map((r, id) => ({ id, ...r }));
    const ids = await checkAgainstReference(rows, "in order", asc);
    assert.deepEqual(ids, rows.map((r) => r.id));
  }), { numRuns: 300 });
});

test("a running BIGINT sum past 2^53 stays exact (the columnar pass hands it to the accumulators)", async () => {
  const big = 2 ** 53 - 1;
  const df = spark.createDataFrame([{ id: 0, v: big }, { id: 1, v: 2 }, { id: 2, v: 3 }], "id INT, v BIGINT");
  const got = await df.select(col("id"), F.sum("v").over(Window.orderBy("id").rowsBetween(Window.unboundedPreceding, Window.currentRow)).alias("s")).collect();
  assert.deepEqual(got.map((r) => BigInt(r["s"] as number | bigint)), [BigInt(big), BigInt(big) + 2n, BigInt(big) + 5n]);
});

test("a window over another window's output, same or other PARTITION BY and ORDER BY: sessions from lag and a running sum, as Nexmark q11 (property)", async () => {
  // With rows kept where they are, the second window reads the first's key columns unchanged and
  // reuses its partitions (window-order.ts); a different ORDER BY direction must not.
  await fc.assert(fc.asyncProperty(fc.array(rowArbWith(false), { maxLength: 30 }), fc.boolean(), async (input, sorted) => {
    const rows = (sorted ? [...input].sort((a, b) => a.o! - b.o!) : input).map((r, id) => ({ id, ...r }));
    const df = spark.createDataFrame(rows, "id INT, p INT, o INT, v INT, d DOUBLE");
    const w = Window.partitionBy("p").orderBy("o");
    const prev = F.lag("o").over(w);
    const got = await df.withColumn("fresh", F.when(prev.isNull().or(prev.lt(col("o").minus(lit(1)))), lit(1)).otherwise(lit(0)))
      .withColumn("session", F.sum("fresh").over(w.rowsBetween(Window.unboundedPreceding, Window.currentRow)))
      .withColumn("down", F.row_number().over(Window.partitionBy("p").orderBy(col("o").desc())))
      .withColumn("all", F.count("*").over(Window.partitionBy("v").orderBy("o")))
      .collect();
    assert.equal(got.length, rows.length);
    for (const g of got) {
      const r = rows[Number(g["id"])]!;
      const part = rows.filter((x) => x.p === r.p).sort((a, b) => a.o! - b.o! || a.id - b.id);
      let session = 0;
      for (let i = 0; i <= part.indexOf(r); i++) if (i === 0 || part[i - 1]!.o! < part[i]!.o! - 1) session++;
      const down = [...part].sort((a, b) => b.o! - a.o! || a.id - b.id).indexOf(r) + 1;
      const all = rows.filter((x) => x.v === r.v && x.o! <= r.o!).length;
      assert.deepStrictEqual([Number(g["session"]), Number(g["down"]), Number(g["all"])], [session, down, all], `row ${r.id}`);
    }
  }), { numRuns: 300 });
});
