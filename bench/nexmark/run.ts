/**
 * `tsx bench/nexmark/run.ts [--quick] [--events N] [--runs N] [--warmups N] [--queries q0,q5,...] [--no-duckdb] [--no-stream]`
 *
 * The Nexmark queries over the in-process generator (`spark.read.format("nexmark")`), per query:
 * - Sluice batch (the DataFrame form; the SQL form is run once and must give the same digest),
 *   on one executor thread and on every core (`sluice.executor.threads`), with the speedup,
 * - Sluice streaming (queries whose stream form ends with the batch answer: stateless ones,
 *   stream-stream joins, complete-mode aggregations; or, windowed ones in append mode (q5, q8),
 *   with the batch answer's windows the last watermark closed; readStream.format("nexmark") ->
 *   foreachBatch, Trigger availableNow, maxEventsPerTrigger 100,000; with batch latency p50/p99),
 * - the hand-written JavaScript loop of every query (hand-loops*.ts), reading the same generator,
 * - DuckDB (where the query is written for it) over the same events, loaded from JSON lines
 *   before timing (its time is the query materialized into a temp table),
 * - "generator only": producing the bids, as the floor under every in-process engine.
 * Events = events of all kinds behind the run (the tables share one event sequence). Sluice and
 * the hand loops warm up for --warmups rounds (default 3), the other engines once, then each runs
 * --runs times; the median run is reported. Results are
 * checked (row count + a column sum) against the hand loop, else DuckDB, else Sluice SQL.
 * Writes bench/results.json under "nexmark" (other keys kept).
 */
import { availableParallelism, cpus, tmpdir } from "node:os";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { Session } from "../../src/index.js";
import { type NexmarkConfig, nexmarkConfig } from "../../src/connectors/nexmark/nexmark-config.js";
import { generateNexmarkColumns } from "../../src/connectors/nexmark/nexmark-generator.js";
import { NEXMARK_DDL } from "../../src/connectors/nexmark/nexmark-schema.js";
import { type Digest, compareDigest, digestBatches } from "./digest.js";
import { handQ0, handQ1, handQ2, handQ5 } from "./hand-loops.js";
import { handQ15, handQ16, handQ17 } from "./hand-loops-daily.js";
import { handQ20, handQ3, handQ4, handQ8, handQ9 } from "./hand-loops-joins.js";
import { handQ14, handQ18, handQ19, handQ21, handQ22 } from "./hand-loops-rows.js";
import { handQ11, handQ12, handQ13, handQ7 } from "./hand-loops-windows.js";
import { HandThreads, sumDigests } from "../hand-threads.js";
import { type ResultRow, ceilingLine, acrossThreads, threadRounds, handRows, speedupLine, addRatios, machine, medianRun, mergeResults, percentile, printTable, resultRow, threadCeiling, threadRows, timed } from "./measure.js";
import { type NexmarkQuery, type NexmarkTables, QUERIES, nexmarkTables, streamAnswer } from "./queries.js";
import { writeNexmarkJson } from "./write-json.js";

interface Options {
  events: number;
  runs: number;
  /** Unmeasured rounds before the runs of the engines measured across threads (see acrossThreads). */
  warmups: number;
  queries: string[] | null;
  duckdb: boolean;
  stream: boolean;
  quick: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { events: 2_000_000, runs: 3, warmups: 3, queries: null, duckdb: true, stream: true, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") {
      o.quick = true;
      o.events = 200_000;
      o.runs = 1;
      o.warmups = 1;
    } else if (a === "--events") o.events = Number(argv[++i]);
    else if (a === "--runs") o.runs = Number(argv[++i]);
    else if (a === "--warmups") o.warmups = Number(argv[++i]);
    else if (a === "--queries") o.queries = argv[++i]!.split(",");
    else if (a === "--no-duckdb") o.duckdb = false;
    else if (a === "--no-stream") o.stream = false;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

/** Every query's hand-written loop (q12's windows are of processing time: its answer is not cross-checked). */
const HAND: Record<string, (cfg: NexmarkConfig, events: number) => Digest> = {
  q0: handQ0, q1: handQ1, q2: handQ2, q3: handQ3, q4: handQ4, q5: handQ5, q7: handQ7, q8: handQ8, q9: handQ9, q11: handQ11, q12: handQ12, q13: handQ13,
  q14: handQ14, q15: handQ15, q16: handQ16, q17: handQ17, q18: handQ18, q19: handQ19, q20: handQ20, q21: handQ21, q22: handQ22,
};

async function loadDuckDB(dir: string, cfg: NexmarkConfig, events: number): Promise<{ conn: DuckDBConnection; close(): void }> {
  const files = writeNexmarkJson(dir, cfg, events);
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  for (const table of ["person", "auction", "bid"] as const) {
    const cols = NEXMARK_DDL[table].split(", ").map((c) => {
      const [name, type] = c.split(" ");
      return `${name}: '${type === "STRING" ? "VARCHAR" : type!}'`;
    });
    await conn.run(`CREATE TABLE ${table} AS SELECT * FROM read_json('${files[table]!.path}', format = 'newline_delimited', columns = {${cols.join(", ")}})`);
  }
  await conn.run("CREATE TABLE side_input AS SELECT range AS key, CAST(range AS VARCHAR) AS value FROM range(10000)");
  return { conn, close: () => (conn.closeSync(), instance.closeSync()) };
}

async function duckRun(conn: DuckDBConnection, q: NexmarkQuery): Promise<Digest> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE r AS ${q.duckdb!}`);
  const sumExpr = q.checkColumn === null ? "0" : `coalesce(sum(CAST("${q.checkColumn}" AS DOUBLE)), 0)`;
  const row = (await conn.runAndReadAll(`SELECT count(*), ${sumExpr} FROM r`)).getRowsJS()[0]!;
  return { rows: Number(row[0]), sum: Number(row[1]) };
}

/** One streaming run of `q` into foreachBatch: the digest of its output, and its last batch watermark. */
async function streamRun(spark: Session, q: NexmarkQuery, events: number, dir: string, latencies: number[]): Promise<{ digest: Digest; watermark: Date | null }> {
  const t = nexmarkTables(spark, { eventsNum: events, maxEventsPerTrigger: 100_000 }, true);
  let d: Digest = { rows: 0, sum: 0 };
  const mode = q.streamMode ?? "append";
  const query = await (q.stream?.dataframe(t) ?? q.dataframe(t)).writeStream
    .outputMode(mode)
    .option("checkpointLocation", mkdtempSync(join(dir, "ckpt-")))
    .trigger({ availableNow: true })
    .foreachBatch(async (df) => {
      const x = digestBatches(await df.collectBatches(), q.checkColumn);
      // Complete mode: each batch is the whole answer so far.
      d = mode === "complete" ? x : { rows: d.rows + x.rows, sum: d.sum + x.sum };
    })
    .start();
  await query.awaitTermination();
  for (const p of query.recentProgress) if (p.numInputRows > 0) latencies.push(p.durationMs["triggerExecution"] ?? 0);
  const watermark = query.lastProgress?.eventTime["watermark"];
  return { digest: d, watermark: watermark === undefined ? null : new Date(watermark) };
}

/** What a stream of `q` must end with (streamAnswer): for a query without a stream form, the digest the batch runs were checked against. */
async function streamReference(q: NexmarkQuery, batch: NexmarkTables, batchDigest: Digest, watermark: Date | null): Promise<Digest | string> {
  if (q.stream === undefined) return batchDigest;
  if (watermark === null) return "the stream reported no watermark";
  return digestBatches(await streamAnswer(q, batch, watermark).collectBatches(), q.checkColumn);
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const cfg = nexmarkConfig();
  const spark = Session.builder().appName("nexmark").getOrCreate();
  const threads = availableParallelism();
  spark.conf.set("spark.sql.session.timeZone", "UTC");
  const dir = mkdtempSync(join(tmpdir(), "sluice-nexmark-"));
  const rows: ResultRow[] = [];
  const selected = QUERIES.filter((q) => o.queries === null || o.queries.includes(q.name));
  process.stdout.write(`Nexmark: ${o.events.toLocaleString("en-US")} events (rate ${cfg.eventsPerSecond}/s of event time, seed ${cfg.seed}), ${o.runs} run(s) after ${o.warmups} warm-up round(s) (across threads: ${threadRounds(o).runs} paired rounds after ${threadRounds(o).warmups}), ${cpus().length} cores\n`);
  const ceilingBefore = threads > 1 ? await threadCeiling(threads) : null;
  const handThreads = threads > 1 ? HandThreads.start(threads) : null;
  let duck: Awaited<ReturnType<typeof loadDuckDB>> | null = null;
  try {
    if (o.duckdb && selected.some((q) => q.duckdb)) {
      process.stdout.write("Loading the same events into DuckDB (JSON lines, not timed)...\n");
      duck = await loadDuckDB(dir, cfg, o.events);
    }
    {
      const gen = await timed(o.runs, () => {
        let n = 0;
        for (let s = 0; s < o.events; s += cfg.batchSize) n += generateNexmarkColumns(cfg, "bid", s, Math.min(o.events, s + cfg.batchSize)).numRows;
        return { rows: n, sum: 0 };
      });
      rows.push(resultRow("generator", "bids, all columns", o.events, medianRun(gen.runs)));
    }
    const tables = nexmarkTables(spark, { eventsNum: o.events });
    for (const q of selected) {
      process.stdout.write(`${q.name} (${q.title})...\n`);
      const before = rows.length;
      const hand = q.name in HAND ? HAND[q.name] : undefined;
      const alongside: Partial<Record<"hand" | "handN", () => Promise<Digest> | Digest>> = {};
      if (hand) alongside.hand = () => hand(cfg, o.events);
      if (q.name === "q5" && handThreads) alongside.handN = async () => sumDigests(await handThreads.run({ loop: "nexmark q5", cfg }, o.events));
      const { one: sluice, many: sluiceN, others } = await acrossThreads(spark.conf, threads, threadRounds(o), async () => digestBatches(await q.dataframe(tables).collectBatches(), q.checkColumn), alongside);
      const sqlDigest = digestBatches(await spark.sql(q.sql).collectBatches(), q.checkColumn);
      const sqlMismatch = q.nondeterministic ? null : compareDigest(sluice.digest, sqlDigest);
      const reference: { name: string; digest: Digest }[] = [];
      const h = others.hand;
      if (h) {
        rows.push(...handRows(q.name, o.events, threads, h, others.handN));
        reference.push({ name: "hand loop", digest: h.digest });
      }
      if (duck && q.duckdb) {
        const conn = duck.conn;
        const dd = await timed(o.runs, () => duckRun(conn, q));
        rows.push(resultRow(q.name, "DuckDB", o.events, medianRun(dd.runs)));
        reference.push({ name: "DuckDB", digest: dd.digest });
      }
      const ref = reference[0];
      const check = (d: Digest): string | null => (q.nondeterministic ? null : ref ? compareDigest(ref.digest, d) : null);
      const batchRows = threadRows(q.name, "Sluice batch", o.events, threads, sluice.runs, sluiceN && sluiceN.runs);
      batchRows.forEach((r, i) => (r.mismatch = sqlMismatch ? `SQL vs DataFrame: ${sqlMismatch}` : check((i === 0 ? sluice : sluiceN!).digest)));
      rows.push(...batchRows);
      const duckRow = rows.slice(before).find((r) => r.engine === "DuckDB"), duckRef = reference.find((r) => r.name === "DuckDB");
      if (duckRow && duckRef && ref && ref !== duckRef && !q.nondeterministic) duckRow.mismatch = compareDigest(ref.digest, duckRef.digest);
      if (o.stream && q.streaming) {
        const lat: number[] = [];
        let watermark: Date | null = null;
        const s = await timed(o.runs, async () => {
          const r = await streamRun(spark, q, o.events, dir, lat);
          watermark = r.watermark;
          return r.digest;
        });
        const expected = await streamReference(q, tables, ref?.digest ?? sluice.digest, watermark);
        rows.push(resultRow(q.name, "Sluice streaming", o.events, medianRun(s.runs), {
          mismatch: typeof expected === "string" ? expected : compareDigest(expected, s.digest),
          batchLatencyMs: { p50: percentile(lat, 50), p99: percentile(lat, 99), batches: lat.length },
        }));
      }
      const batchRow = rows.slice(before).find((r) => r.engine.startsWith("Sluice batch"));
      if (q.missing && batchRow) batchRow.note = q.missing;
      const added = rows.slice(before);
      addRatios(added, (r) => r.engine === "hand-written JS loop", (r) => r.engine === "DuckDB");
      process.stdout.write(printTable(added));
    }
  } finally {
    await handThreads?.close();
    duck?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write("\n" + printTable(rows));
  const ceiling = ceilingBefore && { before: ceilingBefore, after: await threadCeiling(threads) };
  process.stdout.write(speedupLine(rows, "q5", threads));
  if (ceiling) process.stdout.write(ceilingLine(threads, ceiling));
  const bad = rows.filter((r) => r.mismatch !== null);
  process.stdout.write(bad.length ? `RESULTS DIFFER: ${bad.map((r) => `${r.benchmark}/${r.engine}: ${r.mismatch}`).join("; ")}\n` : "All checked engines agree (row counts and column sums).\n");
  const missing = QUERIES.filter((q) => q.missing).map((q) => `${q.name}: ${q.missing}`);
  const out = mergeResults("nexmark", {
    ...machine(), cores: cpus().length, cpu: cpus()[0]?.model, events: o.events, runs: o.runs, threadRuns: threadRounds(o).runs, threadWarmups: threadRounds(o).warmups, warmups: o.warmups, statistic: "median", quick: o.quick,
    generator: { eventsPerSecond: cfg.eventsPerSecond, seed: cfg.seed }, threadCeiling: ceiling, agree: bad.length === 0, results: rows, missing,
  });
  process.stdout.write(`Wrote ${out} (key "nexmark")\n`);
  if (bad.length) process.exitCode = 1;
}

await main();
