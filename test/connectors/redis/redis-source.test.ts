import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { col } from "../../../src/api/functions.js";
import { Session } from "../../../src/api/session.js";
import type { StreamingQuery } from "../../../src/api/streaming-query.js";
import type { MemorySink } from "../../../src/connectors/memory/memory-sink.js";
import { redisFixture } from "./redis-fixture.js";

const spark = Session.builder().getOrCreate();
const fx = redisFixture("sluice-redis-src-");

/** XADD one entry per object, returning the IDs. */
async function add(stream: string, ...entries: Record<string, string | number>[]): Promise<string[]> {
  const ids: string[] = [];
  for (const e of entries) ids.push(await fx.client.xAdd(stream, "*", Object.fromEntries(Object.entries(e).map(([k, v]) => [k, String(v)]))));
  return ids;
}

function reader(streams: string, opts: Record<string, string | number> = {}) {
  return spark.readStream.format("redis").option("url", fx.redis.url).option("streams", streams).options(opts);
}

const memRows = (q: StreamingQuery): Record<string, unknown>[] => (q.sink as MemorySink).allRows();

void describe("Redis Streams source (real redis-server)", () => {
  void it("stream -> filter -> memory sink, with the base schema and new entries as they arrive", async () => {
    const s = fx.fresh("events");
    await add(s, { user: "a", n: 1 }, { user: "b", n: 2 });
    const df = reader(s, { startingOffsets: "earliest" }).load();
    assert.equal(df.isStreaming, true);
    assert.deepEqual(df.schema.fields.map((f) => `${f.name}:${f.dataType.kind}`), ["id:string", "stream:string", "fields:map"]);
    const q = await df.where(col("fields").getItem("user").notEqual("b")).writeStream.format("memory").queryName(fx.fresh("redis_e2e")).start();
    try {
      await q.processAllAvailable();
      const [idC] = await add(s, { user: "c", n: 3 });
      await q.processAllAvailable();
      const rows = memRows(q);
      assert.deepEqual(rows.map((r) => (r["fields"] as Map<string, string>).get("user")), ["a", "c"]);
      assert.equal(rows[1]!["id"], idC);
      assert.equal(rows[0]!["stream"], s);
      assert.match(q.lastProgress!.sources[0]!.description, /^RedisStreams\[127\.0\.0\.1:\d+, streams=events_\d+\]$/);
    } finally {
      await q.stop();
    }
  });

  void it("startingOffsets latest (the default) skips what is there; a JSON position starts after that ID", async () => {
    const s = fx.fresh("latest");
    const ids = await add(s, { v: 1 }, { v: 2 }, { v: 3 });
    const q1 = await reader(s).load().writeStream.format("memory").queryName(fx.fresh("redis_latest")).start();
    const q2 = await reader(s, { startingOffsets: JSON.stringify({ [s]: ids[1] }) }).load().writeStream.format("memory").queryName(fx.fresh("redis_json")).start();
    try {
      await q1.processAllAvailable();
      await q2.processAllAvailable();
      await add(s, { v: 4 });
      await q1.processAllAvailable();
      await q2.processAllAvailable();
      const vals = (q: StreamingQuery) => memRows(q).map((r) => (r["fields"] as Map<string, string>).get("v"));
      assert.deepEqual(vals(q1), ["4"]);
      assert.deepEqual(vals(q2), ["3", "4"]);
    } finally {
      await q1.stop();
      await q2.stop();
    }
  });

  void it("a listed stream that does not exist yet is read from its first entry once it appears", async () => {
    const a = fx.fresh("present"), b = fx.fresh("later");
    await add(a, { v: "a1" });
    const q = await reader(`${a},${b}`, { startingOffsets: "latest" }).load().writeStream.format("memory").queryName(fx.fresh("redis_new")).start();
    try {
      await q.processAllAvailable();
      await add(b, { v: "b1" }, { v: "b2" });
      await add(a, { v: "a2" });
      await q.processAllAvailable();
      const got = memRows(q).map((r) => `${r["stream"] as string}:${(r["fields"] as Map<string, string>).get("v")}`).sort();
      assert.deepEqual(got, [`${a}:a2`, `${b}:b1`, `${b}:b2`].sort());
    } finally {
      await q.stop();
    }
  });

  void it("schema option: named fields as typed columns, cast as Spark casts (malformed -> null outside ANSI)", async () => {
    const s = fx.fresh("typed");
    await add(s, { amount: "12.5", n: "7", ts: "2024-01-02 03:04:05", ok: "true", extra: "x" }, { amount: "oops", n: "8" });
    const df = reader(s, { startingOffsets: "earliest", schema: "amount DOUBLE, n BIGINT, ts TIMESTAMP, ok BOOLEAN, missing STRING" }).load();
    assert.deepEqual(df.schema.fields.map((f) => `${f.name}:${f.dataType.kind}`), ["id:string", "stream:string", "fields:map", "amount:double", "n:long", "ts:timestamp", "ok:boolean", "missing:string"]);
    const q = await df.select("amount", "n", "ts", "ok", "missing").writeStream.format("memory").queryName(fx.fresh("redis_typed")).start();
    try {
      await q.processAllAvailable();
      assert.deepEqual(memRows(q), [
        { amount: 12.5, n: 7, ts: new Date("2024-01-02T03:04:05Z"), ok: true, missing: null },
        { amount: null, n: 8, ts: null, ok: null, missing: null },
      ]);
    } finally {
      await q.stop();
    }
  });

  void it("maxEntriesPerTrigger splits each batch across streams in proportion to their backlog", async () => {
    const a = fx.fresh("big"), b = fx.fresh("small");
    for (let i = 0; i < 300; i++) await add(a, { i });
    for (let i = 0; i < 100; i++) await add(b, { i });
    const perBatch: Record<string, number>[] = [];
    const q = await reader(`${a},${b}`, { startingOffsets: "earliest", maxEntriesPerTrigger: 100 })
      .load()
      .writeStream.foreachBatch(async (batch) => {
        const counts: Record<string, number> = {};
        for (const r of await batch.collect()) counts[r["stream"] as string] = (counts[r["stream"] as string] ?? 0) + 1;
        perBatch.push(counts);
      })
      .start();
    try {
      await q.processAllAvailable();
      const nonEmpty = perBatch.filter((c) => Object.keys(c).length > 0);
      assert.deepEqual(nonEmpty[0], { [a]: 75, [b]: 25 });
      assert.ok(nonEmpty.every((c) => (c[a] ?? 0) + (c[b] ?? 0) <= 100));
      assert.equal(nonEmpty.reduce((s, c) => s + (c[a] ?? 0), 0), 300);
      assert.equal(nonEmpty.reduce((s, c) => s + (c[b] ?? 0), 0), 100);
      assert.equal(nonEmpty.length, 4);
    } finally {
      await q.stop();
    }
  });

  void it("Trigger.AvailableNow reads what the streams held at start in batches of maxEntriesPerTrigger, and nothing added meanwhile", async () => {
    const a = fx.fresh("now_a"), b = fx.fresh("now_b");
    for (let i = 0; i < 7; i++) await add(a, { i });
    for (let i = 0; i < 3; i++) await add(b, { i });
    const batches: number[] = [];
    const q = await reader(`${a},${b}`, { startingOffsets: "earliest", maxEntriesPerTrigger: 4 })
      .load()
      .writeStream.option("checkpointLocation", path.join(fx.root, fx.fresh("ckpt")))
      .foreachBatch(async (batch) => {
        batches.push((await batch.collect()).length);
        await add(a, { late: 1 }); // arrives after the start: not part of this run
        await add(b, { late: 1 });
      })
      .trigger({ availableNow: true })
      .start();
    await q.awaitTermination();
    assert.deepEqual(batches, [4, 4, 2]);
  });

  void it("restart from the checkpoint re-reads exactly the uncommitted range (getBatch(start, end] replays)", async () => {
    const s = fx.fresh("replay");
    const ckpt = path.join(fx.root, fx.fresh("ckpt"));
    await add(s, { v: 1 }, { v: 2 });
    const seen: { batchId: number; vs: string[] }[] = [];
    let failBatch1 = true;
    const start = () =>
      reader(s, { startingOffsets: "earliest" })
        .load()
        .writeStream.option("checkpointLocation", ckpt)
        .foreachBatch(async (batch, batchId) => {
          const vs = (await batch.collect()).map((r) => (r["fields"] as Map<string, string>).get("v")!);
          seen.push({ batchId, vs });
          if (batchId === 1 && failBatch1) throw new Error("simulated crash in the sink");
        })
        .start();
    const q1 = await start();
    await q1.processAllAvailable();
    // Both entries in one transaction, so the running query cannot plan a batch between them.
    await fx.client.multi().xAdd(s, "*", { v: "3" }).xAdd(s, "*", { v: "4" }).exec();
    await assert.rejects(q1.processAllAvailable(), /simulated crash/);
    await q1.stop();
    // Entries added after batch 1 was planned must not join it on the re-run.
    await add(s, { v: 5 });
    failBatch1 = false;
    const q2 = await start();
    try {
      await q2.processAllAvailable();
      assert.deepEqual(seen, [
        { batchId: 0, vs: ["1", "2"] },
        { batchId: 1, vs: ["3", "4"] },
        { batchId: 1, vs: ["3", "4"] },
        { batchId: 2, vs: ["5"] },
      ]);
    } finally {
      await q2.stop();
    }
  });

  void it("startingOffsets latest is fixed at the first run: a re-run of batch 0 reads the same entries", async () => {
    const s = fx.fresh("latest_rerun");
    const ckpt = path.join(fx.root, fx.fresh("ckpt"));
    await add(s, { v: "old" });
    const seen: string[][] = [];
    let fail = true;
    const start = () =>
      reader(s, { startingOffsets: "latest" })
        .load()
        .writeStream.option("checkpointLocation", ckpt)
        .foreachBatch(async (batch, batchId) => {
          seen.push((await batch.collect()).map((r) => `${batchId}:${(r["fields"] as Map<string, string>).get("v")!}`));
          if (fail) throw new Error("fail batch 0");
        })
        .start();
    const q1 = await start();
    await q1.processAllAvailable();
    await add(s, { v: "new1" });
    await assert.rejects(q1.processAllAvailable(), /fail batch 0/);
    await q1.stop();
    await add(s, { v: "new2" });
    fail = false;
    const q2 = await start();
    try {
      await q2.processAllAvailable();
      assert.deepEqual(seen, [["0:new1"], ["0:new1"], ["1:new2"]]);
    } finally {
      await q2.stop();
    }
  });

  void it("a stream trimmed past the committed offset fails the query (failOnDataLoss=true) naming stream and IDs", async () => {
    const s = fx.fresh("trimmed");
    const ckpt = path.join(fx.root, fx.fresh("ckpt"));
    const ids = await add(s, { v: 1 }, { v: 2 });
    const run = (opts: Record<string, string> = {}) =>
      reader(s, { startingOffsets: "earliest", ...opts }).load().writeStream.format("memory").queryName(fx.fresh("redis_trim")).option("checkpointLocation", ckpt).start();
    const q1 = await run();
    await q1.processAllAvailable();
    await q1.stop();
    const more = await add(s, { v: 3 }, { v: 4 }, { v: 5 });
    await fx.client.xTrim(s, "MAXLEN", 1); // 2, 3 and 4 are gone; 3 and 4 were never read
    const q2 = await run();
    try {
      await assert.rejects(q2.processAllAvailable(), (e: Error) => {
        assert.match(e.message, new RegExp(`stream '${s}' was trimmed past the query's position ${ids[1]}; the first entry now is ${more[2]}`));
        assert.match(e.message, /failOnDataLoss/);
        return true;
      });
    } finally {
      await q2.stop();
    }
    // failOnDataLoss=false: warn and read on from what is left.
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on("warning", onWarning);
    const q3 = await run({ failOnDataLoss: "false" });
    try {
      await q3.processAllAvailable();
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(memRows(q3).map((r) => (r["fields"] as Map<string, string>).get("v")), ["5"]);
      assert.ok(warnings.some((w) => w.includes(`stream '${s}' was trimmed`)), `warnings: ${warnings.join(" | ")}`);
    } finally {
      process.off("warning", onWarning);
      await q3.stop();
    }
  });

  void it("batch read between startingOffsets and endingOffsets", async () => {
    const a = fx.fresh("batch_a"), b = fx.fresh("batch_b");
    const ia = await add(a, { v: 1 }, { v: 2 }, { v: 3 });
    await add(b, { v: 10 });
    const all = await spark.read.format("redis").option("url", fx.redis.url).option("streams", `${a},${b}`).option("schema", "v INT").load().select("stream", "v").collect();
    assert.deepEqual(all, [{ stream: a, v: 1 }, { stream: a, v: 2 }, { stream: a, v: 3 }, { stream: b, v: 10 }]);
    const some = await spark.read
      .format("redis")
      .option("url", fx.redis.url)
      .option("streams", `${a},${b}`)
      .option("startingOffsets", JSON.stringify({ [a]: ia[0], [b]: "latest" }))
      .option("endingOffsets", JSON.stringify({ [a]: ia[1], [b]: "latest" }))
      .load()
      .collect();
    assert.deepEqual(some.map((r) => r["id"]), [ia[1]]);
    // A missing stream read from earliest is empty, not an error.
    assert.deepEqual(await spark.read.format("redis").option("url", fx.redis.url).option("streams", fx.fresh("nothing")).load().collect(), []);
  });

  void it("a missing stream with startingOffsets=earliest is an empty stream until it appears", async () => {
    const s = fx.fresh("missing");
    const q = await reader(s, { startingOffsets: "earliest" }).load().writeStream.format("memory").queryName(fx.fresh("redis_missing")).start();
    try {
      await q.processAllAvailable();
      assert.equal(memRows(q).length, 0);
      assert.equal(q.exception(), null);
      await add(s, { v: 1 });
      await q.processAllAvailable();
      assert.equal(memRows(q).length, 1);
    } finally {
      await q.stop();
    }
  });
});
