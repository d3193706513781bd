/**
 * Redis Streams through Sluice vs the raw node-redis client doing the same I/O alone, in one run
 * (`npx tsx bench/redis.ts [entries]`, default 200 000). Starts its own redis-server (loopback,
 * temporary directory) and stops it.
 *
 * - read: the source's latestOffset + getBatch (XRANGE pages of 10 000 -> columnar batches with
 *   id, stream, fields map and two typed columns) vs raw XRANGE pages of the same size;
 * - write: the sink's addBatch (one MULTI/EXEC with the batch marker) vs raw XADD pipelined in
 *   pages of 10 000 (execAsPipeline), no transaction.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createClient } from "redis";
import { Session } from "../src/api/session.js";
import { parseRedisSinkOptions, parseRedisSourceOptions } from "../src/connectors/redis/redis-options.js";
import { RedisStreamSink } from "../src/connectors/redis/redis-sink.js";
import { RedisStreamSource } from "../src/connectors/redis/redis-stream-source.js";
import { ReadLimit } from "../src/streaming/source.js";
import { SystemClock } from "../src/streaming/clock.js";
import { BatchBuilder } from "../src/batch/record-batch.js";
import { parseSchemaDDL } from "../src/types/ddl.js";
import { startRedisServer } from "../test/support/redis-server.js";

const N = Number(process.argv[2] ?? 200_000);
const PAGE = 10_000;
const spark = Session.builder().getOrCreate();
const redis = await startRedisServer();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-bench-redis-"));
const client = createClient({ url: redis.url, RESP: 2 });
client.on("error", () => {});
await client.connect();

const rate = (rows: number, ms: number): string => `${Math.round(rows / (ms / 1000)).toLocaleString("en-US")} rows/s`;
async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, performance.now() - t0];
}

async function rawXadd(stream: string): Promise<void> {
  for (let i = 0; i < N; i += PAGE) {
    const p = client.multi();
    for (let j = i; j < Math.min(N, i + PAGE); j++) p.addCommand(["XADD", stream, "*", "user", `u${j % 100}`, "amount", String(j * 0.5), "n", String(j)]);
    await p.execAsPipeline();
  }
}

async function rawRead(stream: string): Promise<number> {
  let after = "0-0", total = 0;
  for (;;) {
    const got = (await client.sendCommand(["XRANGE", stream, "(" + after, "+", "COUNT", String(PAGE)])) as [string, string[]][];
    total += got.length;
    if (got.length < PAGE) return total;
    after = got[got.length - 1]![0];
  }
}

async function sluiceRead(stream: string, run: number): Promise<number> {
  const opts = parseRedisSourceOptions({ url: redis.url, streams: stream, startingOffsets: "earliest", schema: "amount DOUBLE, n BIGINT", fetchSize: String(PAGE) }, null, "stream");
  const src = new RedisStreamSource(opts, { session: spark, metadataPath: path.join(tmp, `src${run}`), clock: new SystemClock() });
  try {
    const start = src.initialOffset();
    const end = await src.latestOffset(start, ReadLimit.allAvailable());
    const batches = await src.getBatch(start, end);
    return batches.reduce((s, b) => s + b.numRows, 0);
  } finally {
    await src.stop();
  }
}

try {
  console.log(`Redis Streams, ${N.toLocaleString("en-US")} entries of 3 fields, redis-server ${redis.port} on loopback\n`);
  // write: raw pipelined XADD vs the sink (one transaction per batch, with its marker)
  const [, rawW] = await time(() => rawXadd("bench_in"));
  const schema = parseSchemaDDL("user STRING, amount DOUBLE, n BIGINT");
  const bb = new BatchBuilder(schema, N);
  for (let j = 0; j < N; j++) bb.appendRow([`u${j % 100}`, j * 0.5, j]);
  const batch = bb.finish();
  const sink = new RedisStreamSink(parseRedisSinkOptions({ url: redis.url, stream: "bench_out", progressKey: "bench:marker" }), schema, spark);
  await sink.open();
  const [, sinkW] = await time(() => sink.addBatch(0, [batch], "append"));
  await sink.stop();
  const written = Number(await client.sendCommand(["XLEN", "bench_out"]));
  if (written !== N) throw new Error(`sink wrote ${written} entries, expected ${N}`);

  // read: warm-up once each, then best of 3
  await rawRead("bench_in");
  await sluiceRead("bench_in", 0);
  let rawR = Infinity, sluR = Infinity;
  for (let r = 1; r <= 3; r++) {
    const [a, ta] = await time(() => rawRead("bench_in"));
    const [b, tb] = await time(() => sluiceRead("bench_in", r));
    if (a !== N || b !== N) throw new Error(`read ${a} / ${b} entries, expected ${N}`);
    rawR = Math.min(rawR, ta);
    sluR = Math.min(sluR, tb);
  }
  const row = (what: string, raw: number, slu: number): void =>
    console.log(`${what.padEnd(34)} raw ${rate(N, raw).padStart(18)}   sluice ${rate(N, slu).padStart(18)}   sluice/raw ${(raw / slu).toFixed(2)}`);
  row("read  (XRANGE pages -> batches)", rawR, sluR);
  row("write (XADD; sink = MULTI/EXEC)", rawW, sinkW);
} finally {
  await client.close();
  await redis.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
