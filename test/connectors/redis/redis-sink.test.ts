import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { createClient } from "redis";
import { Session } from "../../../src/api/session.js";
import type { StreamingQuery } from "../../../src/api/streaming-query.js";
import type { MemorySink } from "../../../src/connectors/memory/memory-sink.js";
import type { RedisStreamSink } from "../../../src/connectors/redis/redis-sink.js";
import { ExecutionError } from "../../../src/errors/errors.js";
import { StreamingQueryException } from "../../../src/streaming/streaming-query-exception.js";
import { ExpectFailure, testStream } from "../../streaming/stream-test.js";
import { batchOf } from "../helpers.js";
import { freePort, startRedisServer } from "../../support/redis-server.js";
import { redisFixture } from "./redis-fixture.js";

const spark = Session.builder().getOrCreate();
const fx = redisFixture("sluice-redis-sink-");

async function entries(stream: string): Promise<Record<string, string>[]> {
  const got = (await fx.client.sendCommand(["XRANGE", stream, "-", "+"])) as [string, string[]][];
  return got.map(([, kv]) => {
    const o: Record<string, string> = {};
    for (let i = 0; i + 1 < kv.length; i += 2) o[kv[i]!] = kv[i + 1]!;
    return o;
  });
}

void describe("Redis Streams sink (real redis-server)", () => {
  void it("XADDs every row (all columns as fields, nulls left out), idempotent per batch id", async () => {
    const out = fx.fresh("out");
    const input = spark.memoryStream("user STRING, amount DOUBLE, ts TIMESTAMP");
    const q: StreamingQuery = await input.toDF().writeStream.format("redis").option("url", fx.redis.url).option("stream", out).option("checkpointLocation", path.join(fx.root, fx.fresh("ck"))).start();
    try {
      input.addData([{ user: "a", amount: 1.5, ts: new Date("2024-01-01T00:00:00Z") }, { user: "b", amount: null, ts: null }]);
      await q.processAllAvailable();
      assert.deepEqual(await entries(out), [{ user: "a", amount: "1.5", ts: "2024-01-01 00:00:00" }, { user: "b" }]);
      assert.equal(await fx.client.get(`sluice:sink:${q.id}`), "0");
      // The engine re-runs a batch after a crash between the sink and commits/N: same id, no rows added.
      const sink = q.sink as RedisStreamSink;
      await sink.addBatch(0, [batchOf("user STRING, amount DOUBLE, ts TIMESTAMP", [{ user: "dup", amount: 0, ts: null }])]);
      assert.equal((await entries(out)).length, 2);
      input.addData([{ user: "c", amount: 3, ts: null }]);
      await q.processAllAvailable();
      assert.deepEqual((await entries(out)).map((e) => e["user"]), ["a", "b", "c"]);
      assert.equal(await fx.client.get(`sluice:sink:${q.id}`), "1");
    } finally {
      await q.stop();
    }
  });

  void it("a `stream` column picks each row's stream; `fields` chooses columns; maxlen trims approximately; progressKey names the marker", async () => {
    const s1 = fx.fresh("col"), s2 = fx.fresh("col"), key = fx.fresh("marker");
    const input = spark.memoryStream("stream STRING, k STRING, v INT, skip STRING");
    const q = await input.toDF().writeStream.format("redis").option("url", fx.redis.url).option("fields", "k,v").option("maxlen", 10).option("progressKey", key).start();
    try {
      const rows = Array.from({ length: 500 }, (_, i) => ({ stream: i % 2 === 0 ? s1 : s2, k: `k${i}`, v: i, skip: "x" }));
      input.addData(rows);
      await q.processAllAvailable();
      const e1 = await entries(s1);
      assert.deepEqual(e1[e1.length - 1], { k: "k498", v: "498" });
      assert.ok(e1.length >= 10 && e1.length < 250, `approximately trimmed: ${e1.length}`);
      assert.equal(await fx.client.get(key), "0");
      assert.ok((await entries(s2)).every((e) => Object.keys(e).join() === "k,v"));
    } finally {
      await q.stop();
    }
  });

  void it("redis -> filter -> redis round trip: the `fields` map is written back as fields", async () => {
    const src = fx.fresh("rt_in"), dst = fx.fresh("rt_out");
    await fx.client.xAdd(src, "*", { user: "a", n: "1" });
    await fx.client.xAdd(src, "*", { user: "b", n: "2" });
    const q = await spark.readStream.format("redis").option("url", fx.redis.url).option("streams", src).option("startingOffsets", "earliest").load()
      .where("fields['user'] = 'b'").select("fields")
      .writeStream.format("redis").option("url", fx.redis.url).option("stream", dst).start();
    try {
      await q.processAllAvailable();
      assert.deepEqual(await entries(dst), [{ user: "b", n: "2" }]);
    } finally {
      await q.stop();
    }
  });

  void it("df.write.format('redis') appends rows; unsupported save modes name the allowed ones", async () => {
    const s = fx.fresh("batchw");
    const df = spark.createDataFrame([{ a: 1, b: "x" }, { a: 2, b: "y" }], "a INT, b STRING");
    const r = await df.write.format("redis").option("url", fx.redis.url).option("stream", s).save(s);
    assert.equal(r.rows, 2);
    assert.deepEqual(await entries(s), [{ a: "1", b: "x" }, { a: "2", b: "y" }]);
    await assert.rejects(df.write.format("redis").mode("overwrite").option("url", fx.redis.url).save(s), /Save mode 'overwrite' is not allowed for format\("redis"\); allowed save modes are 'append' and 'errorifexists'/);
  });
});

void describe("Redis connector: bad input and connection loss", () => {
  void it("an unreachable server fails start() of a sink, naming host:port", async () => {
    const port = await freePort();
    const input = spark.memoryStream("v INT");
    await assert.rejects(
      input.toDF().writeStream.format("redis").option("url", `redis://127.0.0.1:${port}`).option("stream", "x").option("retries", 1).option("retryBackoffMs", 1).start(),
      (e: Error) => {
        assert.match(e.message, new RegExp(`could not reach Redis at 127\\.0\\.0\\.1:${port} .*after 2 attempt\\(s\\)`));
        assert.match(e.message, /option 'url'/);
        return true;
      },
    );
  });

  void it("an unreachable server fails start() of a source's query (Source.open), naming host:port", async () => {
    const port = await freePort();
    const name = fx.fresh("unreach");
    const ckpt = path.join(fx.root, name);
    const df = spark.readStream.format("redis").option("url", `redis://127.0.0.1:${port}`).option("streams", "s").option("retries", 1).option("retryBackoffMs", 1).load();
    await assert.rejects(df.writeStream.format("memory").queryName(name).option("checkpointLocation", ckpt).start(), (e: Error) => {
      assert.ok(e instanceof StreamingQueryException, `a StreamingQueryException, not ${e.name}`);
      assert.match(e.message, new RegExp(`The Redis source could not reach Redis at 127\\.0\\.0\\.1:${port} \\(connecting\\) after 2 attempt\\(s\\)`));
      assert.match(e.message, /option 'url'/);
      return true;
    });
    assert.equal(spark.streams.active.some((q) => q.name === name), false, "the query is not left running");
    assert.equal(fs.existsSync(path.join(ckpt, "offsets", "0")), false, "no batch was planned");
    // The same through the streaming test DSL: the query fails before its first batch.
    await testStream(df, "append", [ExpectFailure(ExecutionError, new RegExp(`127\\.0\\.0\\.1:${port}`))]);
  });

  void it("a wrong password is an authentication error naming the server and the option", async () => {
    const secured = await startRedisServer({ password: "right" });
    try {
      const url = `redis://:wrong@127.0.0.1:${secured.port}`;
      const input = spark.memoryStream("v INT");
      await assert.rejects(input.toDF().writeStream.format("redis").option("url", url).option("stream", "x").start(), (e: Error) => {
        assert.match(e.message, new RegExp(`could not authenticate to Redis at 127\\.0\\.0\\.1:${secured.port}: WRONGPASS`));
        assert.match(e.message, /option 'password'/);
        return true;
      });
      const rows = await spark.read.format("redis").option("url", `redis://127.0.0.1:${secured.port}`).option("password", "right").option("streams", "none").load().collect();
      assert.deepEqual(rows, []);
    } finally {
      await secured.stop();
    }
  });

  void it("bad options fail at load()/start() naming the option and allowed values", () => {
    assert.throws(() => spark.readStream.format("redis").option("url", fx.redis.url).load(), /Option 'streams' is required/);
    assert.throws(() => spark.readStream.format("redis").option("url", fx.redis.url).option("streams", "a").option("startingOffsets", "soon").load(), /'earliest', 'latest' or a JSON object/);
    const input = spark.memoryStream("v INT");
    return assert.rejects(input.toDF().writeStream.format("redis").option("url", fx.redis.url).start(), /set option 'stream'.*or give the rows a 'stream' column/);
  });

  void it("a key that is not a stream is named", async () => {
    const k = fx.fresh("plain");
    await fx.client.set(k, "x");
    await assert.rejects(spark.read.format("redis").option("url", fx.redis.url).option("streams", k).load().collect(), new RegExp(`Key '${k}' at Redis 127\\.0\\.0\\.1:\\d+ is not a stream`));
  });

  void it("a lost connection is retried with backoff: the query survives a server restart", async () => {
    const own = await startRedisServer();
    const c = createClient({ url: own.url });
    c.on("error", () => {});
    try {
      await c.connect();
      await c.xAdd("s", "*", { v: "1" });
      const q = await spark.readStream.format("redis").option("url", own.url).option("streams", "s").option("startingOffsets", "earliest").option("retries", 8).option("retryBackoffMs", 20)
        // The restarted server has lost the committed entry too; that is not a loss of unread data.
        .option("failOnDataLoss", "false").load().writeStream.format("memory").queryName(fx.fresh("retry")).start();
      try {
        await q.processAllAvailable();
        await own.kill();
        await new Promise((r) => setTimeout(r, 100));
        await own.restart();
        await c.close().catch(() => undefined);
        const c2 = createClient({ url: own.url });
        c2.on("error", () => {});
        await c2.connect();
        await c2.xAdd("s", "*", { v: "2" });
        await c2.close();
        await q.processAllAvailable();
        assert.equal(q.exception(), null);
        assert.equal((q.sink as MemorySink).allRows().length, 2);
      } finally {
        await q.stop();
      }
    } finally {
      c.destroy();
      await own.stop();
    }
  });
});
