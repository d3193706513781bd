import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { Session, broadcast, col } from "../../src/index.js";
import { hashJoinBuilds } from "../../src/physical/join-probe.js";

const spark = Session.builder().appName("join-build-reuse").config("sluice.executor.threads", 1).create();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-join-reuse-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** A small table, new for each test (a hashed build side stays cached with its vectors). */
const newDim = () => spark.createDataFrame([{ k: 1, name: "one" }, { k: 2, name: "two" }, { k: null, name: "none" }], "k int, name string");

describe("a hash join's build side", () => {
  it("that is the same in-memory table each time is hashed once, and every probe still matches as it should", async () => {
    const dim = newDim();
    const before = hashJoinBuilds.count;
    for (const keys of [[1, 2, 3], [2, 2], [3, 1, null]]) {
      const probe = spark.createDataFrame(keys.map((k) => ({ k })), "k int");
      const rows = await probe.join(broadcast(dim), probe.col("k").equalTo(dim.col("k"))).select(probe.col("k"), col("name")).collect();
      const want = keys.filter((k) => k === 1 || k === 2).map((k) => ({ k, name: k === 1 ? "one" : "two" }));
      assert.deepEqual(rows.sort((a, b) => Number(a["k"]) - Number(b["k"])), want.sort((a, b) => a.k - b.k));
    }
    assert.equal(hashJoinBuilds.count - before, 1);
  });

  it("joined by = and then by <=> over the same vectors: a null key matches only with <=>", async () => {
    const dim = newDim();
    const probe = spark.createDataFrame([{ k: null }, { k: 1 }], "k int");
    const on = (nullSafe: boolean) => probe.join(broadcast(dim), nullSafe ? probe.col("k").eqNullSafe(dim.col("k")) : probe.col("k").equalTo(dim.col("k"))).select(col("name"));
    const names = async (nullSafe: boolean): Promise<string[]> => (await on(nullSafe).collect()).map((r) => String(r["name"])).sort();
    assert.deepEqual(await names(false), ["one"]);
    assert.deepEqual(await names(true), ["none", "one"]);
    assert.deepEqual(await names(false), ["one"]);
  });

  it("of a stream-static join is hashed once for all micro-batches", async () => {
    const dim = newDim();
    const events = spark.memoryStream("k int");
    const q = await events.toDF().join(broadcast(dim), "k").writeStream.format("memory").queryName("reuse_out").outputMode("append").option("checkpointLocation", path.join(root, "ck")).start();
    const before = hashJoinBuilds.count;
    for (const batch of [[1], [2, 3], [1, 2]]) {
      events.addData(batch.map((k) => ({ k })));
      await q.processAllAvailable();
    }
    await q.stop();
    const rows = (await spark.sql("SELECT k, name FROM reuse_out").collect()).map((r) => `${String(r["k"])}:${String(r["name"])}`).sort();
    assert.deepEqual(rows, ["1:one", "1:one", "2:two", "2:two"]);
    assert.equal(hashJoinBuilds.count - before, 1);
  });
});
