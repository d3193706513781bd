/**
 * `npx tsx bench/postgres.ts [--rows N] [--runs R]`
 *
 * PostgreSQL connector throughput against the raw client library doing the same I/O alone, in
 * the same run, on a throwaway server (Debian postgresql-15, started on loopback with fsync off):
 *
 * 1. exactly-once streaming write: `PostgresSink.addBatch` of N rows (one transaction: progress
 *    row upsert + COPY from columnar batches) vs raw `pg` + `pg-copy-streams` COPY of the same
 *    rows (plain JS objects, hand-formatted TSV, BEGIN/COMMIT) — the practical limit;
 * 2. batch read: `spark.read.format("postgres").load()` to columnar batches (exact decoding:
 *    int8 as number/bigint, timestamps in microseconds), with and without a cursor (fetchsize),
 *    vs raw `pg` `SELECT` with its default row parsing.
 * Best of R runs each. Not a test: timings are never asserted.
 */
import { performance } from "node:perf_hooks";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import { BatchBuilder, type RecordBatch } from "../src/batch/record-batch.js";
import { PostgresSink } from "../src/connectors/postgres/postgres-sink.js";
import { Session } from "../src/index.js";
import { parseSchemaDDL } from "../src/types/ddl.js";
import { startPostgres } from "../test/support/postgres-server.js";

const args = process.argv.slice(2);
const flag = (name: string, dflt: number): number => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const ROWS = flag("--rows", 200_000);
const RUNS = flag("--runs", 3);

const DDL = "id BIGINT, name STRING, amount DOUBLE, at TIMESTAMP";
const schema = parseSchemaDDL(DDL);
const T0 = Date.UTC(2024, 0, 1) * 1000;
const plain = Array.from({ length: ROWS }, (_, i) => ({ id: i, name: `name-${i % 1000}`, amount: i * 0.25, at: new Date((T0 + i * 1_000_123) / 1000) }));
const batches: RecordBatch[] = [];
for (let start = 0; start < ROWS; start += 8192) {
  const b = new BatchBuilder(schema, 8192);
  for (let i = start; i < Math.min(ROWS, start + 8192); i++) b.appendRow([i, `name-${i % 1000}`, i * 0.25, T0 + i * 1_000_123]);
  batches.push(b.finish());
}

const server = await startPostgres();
const spark = Session.builder().getOrCreate();
const best = async (name: string, fn: (run: number) => Promise<void>, setup?: () => Promise<unknown>): Promise<number> => {
  let min = Infinity;
  for (let r = 0; r < RUNS; r++) {
    await setup?.();
    const t = performance.now();
    await fn(r);
    min = Math.min(min, performance.now() - t);
  }
  const rate = ROWS / (min / 1000);
  console.log(`${name.padEnd(48)} ${min.toFixed(0).padStart(6)} ms  ${Math.round(rate).toLocaleString("en-US").padStart(12)} rows/s`);
  return rate;
};

try {
  await server.query(`CREATE TABLE raw_copy (id bigint, name text, amount double precision, at timestamptz)`);
  const client = await server.client();
  const pad = (n: number, w = 2): string => String(n).padStart(w, "0");
  const raw = await best("write: raw pg + pg-copy-streams COPY", async () => {
    await client.query("BEGIN");
    async function* text(): AsyncIterable<string> {
      let chunk = "";
      for (const r of plain) {
        const d = r.at;
        const ts = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+00`;
        chunk += `${r.id}\t${r.name}\t${r.amount}\t${ts}\n`;
        if (chunk.length > 1 << 18) {
          yield chunk;
          chunk = "";
        }
      }
      if (chunk) yield chunk;
    }
    await pipeline(Readable.from(text()), client.query(copyFrom("COPY raw_copy (id, name, amount, at) FROM STDIN")));
    await client.query("COMMIT");
  }, () => client.query("TRUNCATE raw_copy"));
  const sink = await PostgresSink.open({ options: { url: server.url, dbtable: "sluice_sink" }, schema, outputMode: "append", timeZone: "UTC", queryId: "bench" });
  let batchId = 0;
  const ours = await best("write: Sluice exactly-once sink (txn + COPY)", async () => {
    await sink.addBatch(batchId++, batches, "append");
  }, () => server.query("TRUNCATE sluice_sink"));
  await sink.stop();
  const n = (await server.query<{ n: number }>("SELECT count(*)::int AS n FROM sluice_sink"))[0]!.n;
  if (n !== ROWS) throw new Error(`sink wrote ${n} rows, expected ${ROWS}`);
  console.log(`  ratio sink / raw: ${(ours / raw).toFixed(2)}\n`);

  const rawRead = await best("read: raw pg SELECT (default parsers)", async () => {
    const r = await client.query("SELECT id, name, amount, at FROM raw_copy");
    if (r.rows.length !== ROWS) throw new Error("short read");
  });
  const df = () => spark.read.format("postgres").option("url", server.url).option("dbtable", "raw_copy");
  const read = await best("read: Sluice load() → columnar batches", async () => {
    const got = (await df().load().collectBatches()).reduce((s, b) => s + b.numRows, 0);
    if (got !== ROWS) throw new Error("short read");
  });
  const cursor = await best("read: Sluice load() with fetchsize 10000 (cursor)", async () => {
    const got = (await df().option("fetchsize", 10_000).load().collectBatches()).reduce((s, b) => s + b.numRows, 0);
    if (got !== ROWS) throw new Error("short read");
  });
  const parted = await best("read: Sluice load() 4 partitions on id", async () => {
    const got = (await df().option("partitionColumn", "id").option("lowerBound", 0).option("upperBound", ROWS).option("numPartitions", 4).load().collectBatches()).reduce((s, b) => s + b.numRows, 0);
    if (got !== ROWS) throw new Error("short read");
  });
  console.log(`  ratio read / raw: ${(read / rawRead).toFixed(2)} (cursor ${(cursor / rawRead).toFixed(2)}, partitioned ${(parted / rawRead).toFixed(2)})`);
  await client.end();
} finally {
  await server.stop();
}
