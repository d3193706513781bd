import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { type DataFrame, Session, col, functions as F } from "../../../src/index.js";
import type { RecordBatch } from "../../../src/batch/record-batch.js";
import { HashJoinExec, copiedBuildKey } from "../../../src/physical/join-exec.js";
import type { ExecContext, PhysicalOp } from "../../../src/physical/physical-op.js";
import { findOp } from "../../support/find-op.js";
import { explainPhysical } from "../../../src/physical/planner.js";
import { stageRuns } from "../../../src/physical/parallel/parallel-stage-exec.js";

const serial = Session.builder().appName("serial").config("sluice.executor.threads", 1).create();
const two = Session.builder().appName("two").config("sluice.executor.threads", 2).config("sluice.executor.minRowsPerTask", 2000).create();
after(() => {
  serial.stop();
  two.stop();
});

const table = (s: Session, name: string, events = 40_000): DataFrame => s.read.format("nexmark").option("table", name).option("eventsNum", events).load();

/** Nexmark q4's join: bids within their auction's lifetime (the auctions are the build side). */
const bidsOfAuctions = (s: Session, auctionEvents = 40_000, bidEvents = 40_000): DataFrame =>
  table(s, "auction", auctionEvents).join(table(s, "bid", bidEvents).select(col("auction"), col("price"), col("dateTime").alias("bidTime")),
    col("id").eq(col("auction")).and(col("bidTime").geq(col("dateTime"))).and(col("bidTime").leq(col("expires"))));

function joinOf(df: DataFrame): { join: HashJoinExec; buildOp: PhysicalOp } {
  const join = findOp(df.session.physicalPlan(df.plan), HashJoinExec);
  assert.ok(join, "a hash join");
  return { join, buildOp: join.buildSide === "left" ? join.left : join.right };
}

/** Runs `op` with `stageBuilds`, returning the rows read from sources and the output rows (sorted, as text). */
async function run(op: PhysicalOp, base: ExecContext, stageBuilds: Map<string, Promise<RecordBatch>>): Promise<{ read: number; rows: string[] }> {
  let read = 0;
  const ctx: ExecContext = { ...base, stageBuilds, progress: { rowsRead: (n) => void (read += n) } };
  const rows: string[] = [];
  for await (const b of op.execute(ctx)) for (let i = 0; i < b.numRows; i++) rows.push(JSON.stringify(b.columns.map((c) => String(c.values[i]))));
  return { read, rows: rows.sort() };
}

void describe("build sides shared by the map tasks of a stage run on one worker", () => {
  void it("a join's scanned build side is read by the first task and reused by the next", async () => {
    const df = bidsOfAuctions(serial);
    const { join, buildOp } = joinOf(df);
    assert.notEqual(copiedBuildKey(buildOp), null, "a scan of a batch source");
    const builds = new Map<string, Promise<RecordBatch>>();
    const auctions = await table(serial, "auction").count(), bids = await table(serial, "bid").count();
    const first = await run(join, serial.execContext(), builds);
    assert.equal(first.read, auctions + bids);
    const second = await run(join, serial.execContext(), builds);
    assert.equal(second.read, bids, "the auctions came from the stage's builds");
    assert.deepEqual(second.rows, first.rows);
    assert.ok(first.rows.length > 0);
    assert.equal((await run(join, serial.execContext(), new Map())).read, auctions + bids, "another stage run reads them again");
  });

  void it("build sides of different scans, projections or filters are kept apart", async () => {
    const keys = [
      bidsOfAuctions(serial),
      bidsOfAuctions(serial, 30_000),
      table(serial, "auction").filter(col("category").eq(10)).join(table(serial, "bid"), col("id").eq(col("auction"))),
      table(serial, "auction").select(col("id"), col("category").plus(1).alias("c")).join(table(serial, "bid"), col("id").eq(col("auction"))),
    ].map((df) => copiedBuildKey(joinOf(df).buildOp));
    assert.ok(keys.every((k) => k !== null), keys.join("; "));
    assert.equal(new Set(keys).size, keys.length);
  });

  void it("in-memory rows and non-deterministic filters are never shared", () => {
    const dim = serial.createDataFrame(Array.from({ length: 50 }, (_, i) => ({ id: i })), "id BIGINT");
    assert.equal(copiedBuildKey(joinOf(dim.join(table(serial, "bid"), col("id").eq(col("auction")))).buildOp), null);
    const sampled = table(serial, "auction").filter(F.rand(1).lt(0.5)).join(table(serial, "bid"), col("id").eq(col("auction")));
    assert.equal(copiedBuildKey(joinOf(sampled).buildOp), null);
  });

  void it("on two threads the stage answers as one thread does", async () => {
    const q = (s: Session): DataFrame => bidsOfAuctions(s, 200_000, 200_000).groupBy("id", "category").agg(F.max("price").alias("final"), F.count("*").alias("n"));
    const canon = (rows: readonly Record<string, unknown>[]): string[] => rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))).sort();
    const want = await q(serial).collect();
    assert.ok(want.length > 100);
    const plan = explainPhysical(two.physicalPlan(q(two).plan));
    assert.match(plan, /ParallelStage \(tasks=[3-8],.*\n(.*\n)*.*HashJoin/, plan);
    const before = stageRuns.onWorkers;
    assert.deepEqual(canon(await q(two).collect()), canon(want));
    assert.ok(stageRuns.onWorkers > before, "the stage ran on the workers");
  });
});
