import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createClient } from "redis";
import { Session, col, functions as F } from "../../../src/index.js";
import { type PostgresServer, startPostgres } from "../../support/postgres-server.js";
import { type RedisServer, startRedisServer } from "../../support/redis-server.js";

// The Redis → PostgreSQL example in README.md, run against real servers: if this changes, the README must too.
let redis: RedisServer, pg: PostgresServer;
const dir = mkdtempSync(join(tmpdir(), "sluice-readme-pipeline-"));
before(async () => {
  [redis, pg] = await Promise.all([startRedisServer(), startPostgres()]);
});
after(async () => {
  await Promise.all([redis?.stop(), pg?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

test("README: Redis Streams → typed rows → PostgreSQL, exactly once across a restart", async () => {
  const producer = createClient({ url: redis.url });
  await producer.connect();
  const add = (user: string, amount: string): Promise<string> => producer.xAdd("payments", "*", { user, amount });

  const spark = Session.builder().create();
  const start = () =>
    spark.readStream
      .format("redis")
      .option("url", redis.url)
      .option("streams", "payments")
      .option("startingOffsets", "earliest")
      .option("schema", "user STRING, amount DOUBLE")
      .load()
      .filter(col("amount").gt(0))
      .select(col("id"), col("user"), F.round(col("amount"), 2).alias("amount"))
      .writeStream.format("postgres")
      .option("url", pg.url)
      .option("dbtable", "payments")
      .option("checkpointLocation", join(dir, "ckpt"))
      .start();

  await add("ann", "12.5");
  await add("bob", "-3");
  let q = await start();
  await q.processAllAvailable();
  await q.stop();
  await add("cy", "7.25");
  q = await start(); // restarted from the checkpoint: nothing written twice
  await q.processAllAvailable();
  await q.stop();
  await producer.quit();

  const rows = await pg.query<{ user: string; amount: number }>("SELECT \"user\", amount FROM payments ORDER BY \"user\"");
  assert.deepEqual(rows.map((r) => [r.user, Number(r.amount)]), [["ann", 12.5], ["cy", 7.25]]);
});
