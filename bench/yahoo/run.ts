/**
 * `tsx bench/yahoo/run.ts [--quick] [--events N] [--json-events N] [--runs N] [--warmups N] [--no-duckdb]`
 *
 * The Yahoo streaming benchmark's query: keep `view` events, project (ad_id, event_time), join
 * ad_id to its campaign (1,000 ads -> 100 campaigns), count per campaign per 10-second tumbling
 * event-time window. Run over the same events by:
 *
 * binary path (events generated in process as columnar batches):
 *   - Sluice batch (spark.read.format("yahoo"), DataFrame code) on 1 thread and on every core,
 *     Sluice streaming (readStream.format("yahoo"), watermark, update mode, micro-batches of
 *     250,000 events, with batch latencies), the hand-written JS loop over the same batches,
 *     DuckDB over the same events (loaded before timing);
 * JSON path (the events as JSON lines in a file, 7 string fields, as the original Kafka messages):
 *   - raw JSON.parse loop (read the file, parse every line, nothing else: the parse limit),
 *   - hand-written loop (JSON.parse + the query), Sluice (spark.read.json with the schema + the
 *     query), DuckDB (read_json + the query, timed);
 *   - Sluice streaming on 1 thread and on every core: readStream.json over the same events as
 *     JSON_STREAM_FILES files, one per micro-batch, watermark, update mode (batch latencies).
 * Results (rows and sum of counts) are checked against the hand loop. Writes bench/results.json
 * under "yahoo" (other keys kept).
 */
import { availableParallelism, cpus, tmpdir } from "node:os";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { type DataFrame, Session, col, functions as F } from "../../src/index.js";
import { AD_EVENT_JSON_DDL, DEFAULT_YAHOO_CONFIG, type YahooConfig, generateAdEventJson, yahooIds } from "../../src/connectors/yahoo/yahoo-generator.js";
import { type Digest, compareDigest, digestBatches } from "../nexmark/digest.js";
import { HandThreads, mergeCounts } from "../hand-threads.js";
import { countsDigest, handBinary, handJson, rawParse } from "./hand-loops.js";
import { yahooQuery } from "./query.js";
import { type ResultRow, ceilingLine, acrossThreads, threadRounds, handRows, speedupLine, addRatios, machine, medianRun, mergeResults, percentile, printTable, resultRow, threadCeiling, threadRows, timed } from "../nexmark/measure.js";

interface Options {
  events: number;
  jsonEvents: number;
  runs: number;
  /** Unmeasured rounds before the runs of the engines measured across threads (see acrossThreads). */
  warmups: number;
  duckdb: boolean;
  quick: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { events: 10_000_000, jsonEvents: 2_000_000, runs: 3, warmups: 3, duckdb: true, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") Object.assign(o, { quick: true, events: 2_000_000, jsonEvents: 500_000, runs: 1, warmups: 1 });
    else if (a === "--events") o.events = Number(argv[++i]);
    else if (a === "--json-events") o.jsonEvents = Number(argv[++i]);
    else if (a === "--runs") o.runs = Number(argv[++i]);
    else if (a === "--warmups") o.warmups = Number(argv[++i]);
    else if (a === "--no-duckdb") o.duckdb = false;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const DUCK_QUERY = (events: string, time: string): string => `SELECT c.campaign_id, time_bucket(INTERVAL 10 SECOND, ${time}) AS w, count(*) AS n
  FROM ${events} e JOIN campaigns c ON e.ad_id = c.ad_id WHERE e.event_type = 'view' GROUP BY 1, 2`;

/** Micro-batches of the JSON path's stream: the JSON events as this many files, one per batch. */
const JSON_STREAM_FILES = 8;

/**
 * The query as a stream over `stream` (ad events with a TIMESTAMP event_time) with a 10-second
 * watermark, update mode, Trigger.AvailableNow; foreachBatch keeps each (campaign, window)'s
 * latest count, which at the end is the batch answer. Batch latencies (triggerExecution of
 * batches with input) go to `latencies`.
 */
async function streamRun(stream: DataFrame, campaigns: DataFrame, dir: string, latencies: number[]): Promise<Digest> {
  const latest = new Map<string, number>();
  const query = await yahooQuery(stream.withWatermark("event_time", "10 seconds"), campaigns, col("event_time")).writeStream
    .outputMode("update")
    .option("checkpointLocation", mkdtempSync(join(dir, "ckpt-")))
    .trigger({ availableNow: true })
    .foreachBatch(async (df) => {
      for (const r of await df.collect()) latest.set(`${String(r.campaign_id)}|${(r.window as { start: Date }).start.getTime()}`, Number(r.n));
    })
    .start();
  await query.awaitTermination();
  for (const p of query.recentProgress) if (p.numInputRows > 0) latencies.push(p.durationMs["triggerExecution"] ?? 0);
  let sum = 0;
  for (const n of latest.values()) sum += n;
  return { rows: latest.size, sum };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const spark = Session.builder().appName("yahoo").getOrCreate();
  spark.conf.set("spark.sql.session.timeZone", "UTC");
  const dir = mkdtempSync(join(tmpdir(), "sluice-yahoo-"));
  const cfg: YahooConfig = { ...DEFAULT_YAHOO_CONFIG, eventsNum: o.events };
  const jcfg: YahooConfig = { ...DEFAULT_YAHOO_CONFIG, eventsNum: o.jsonEvents };
  const rows: ResultRow[] = [];
  process.stdout.write(`Yahoo streaming benchmark: binary path ${o.events.toLocaleString("en-US")} events, JSON path ${o.jsonEvents.toLocaleString("en-US")} events, ${o.runs} run(s) after ${o.warmups} warm-up round(s) (across threads: ${threadRounds(o).runs} paired rounds after ${threadRounds(o).warmups}), ${cpus().length} cores\n`);
  const threads = availableParallelism();
  const ceilingBefore = threads > 1 ? await threadCeiling(threads) : null;
  const handThreads = threads > 1 ? HandThreads.start(threads) : null;
  try {
    // JSON lines file (not timed).
    const jsonPath = join(dir, "events.json");
    const fd = openSync(jsonPath, "w");
    let jsonBytes = 0;
    for (let s = 0; s < o.jsonEvents; s += 65536) {
      const buf = generateAdEventJson(jcfg, s, Math.min(o.jsonEvents, s + 65536));
      writeSync(fd, buf);
      jsonBytes += buf.length;
    }
    closeSync(fd);
    // The same events as JSON_STREAM_FILES files for the stream (not timed), oldest first.
    const streamDir = join(dir, "json-stream");
    mkdirSync(streamDir);
    const perFile = Math.ceil(o.jsonEvents / JSON_STREAM_FILES);
    for (let f = 0; f * perFile < o.jsonEvents; f++) {
      const part = openSync(join(streamDir, `part-${String(f).padStart(3, "0")}.json`), "w");
      for (let s = f * perFile; s < Math.min(o.jsonEvents, (f + 1) * perFile); s += 65536) writeSync(part, generateAdEventJson(jcfg, s, Math.min(o.jsonEvents, (f + 1) * perFile, s + 65536)));
      closeSync(part);
    }
    const campaigns = spark.read.format("yahoo").option("table", "campaigns").load();

    // Binary path.
    const events = spark.read.format("yahoo").option("eventsNum", o.events).load();
    const bin = await acrossThreads(spark.conf, threads, threadRounds(o), async () => digestBatches(await yahooQuery(events, campaigns, col("event_time")).collectBatches(), "n"), {
      hand: () => handBinary(cfg),
      ...(handThreads && { handN: async () => countsDigest(mergeCounts(await handThreads.run({ loop: "yahoo binary", cfg }, o.events))) }),
    });
    const hand = bin.others.hand!;
    rows.push(...handRows("yahoo binary", o.events, threads, hand, bin.others.handN));
    const binRows = threadRows("yahoo binary", "Sluice batch", o.events, threads, bin.one.runs, bin.many && bin.many.runs);
    binRows.forEach((r, i) => (r.mismatch = compareDigest(hand.digest, (i === 0 ? bin.one : bin.many!).digest)));
    rows.push(...binRows);
    {
      const lat: number[] = [];
      const stream = (): DataFrame => spark.readStream.format("yahoo").option("eventsNum", o.events).option("maxEventsPerTrigger", 250_000).load();
      const st = await timed(o.runs, () => streamRun(stream(), campaigns, dir, lat));
      rows.push(resultRow("yahoo binary", "Sluice streaming (update mode)", o.events, medianRun(st.runs), {
        mismatch: compareDigest(hand.digest, st.digest),
        batchLatencyMs: { p50: percentile(lat, 50), p99: percentile(lat, 99), batches: lat.length },
      }));
    }

    // JSON path.
    const jsonEvents = spark.read.schema(AD_EVENT_JSON_DDL).json(jsonPath);
    const js = await acrossThreads(spark.conf, threads, threadRounds(o), async () => digestBatches(await yahooQuery(jsonEvents, campaigns, F.timestamp_millis(col("event_time").cast("bigint"))).collectBatches(), "n"), {
      raw: () => rawParse(jsonPath),
      hand: () => handJson(jsonPath, jcfg),
    });
    const raw = js.others.raw!, handJ = js.others.hand!;
    rows.push(resultRow("yahoo JSON", "raw JSON.parse loop", o.jsonEvents, medianRun(raw.runs), { mismatch: raw.digest.rows === o.jsonEvents ? null : `parsed ${raw.digest.rows} lines`, note: `${(jsonBytes / 1e6).toFixed(0)} MB of JSON lines` }));
    rows.push(resultRow("yahoo JSON", "hand-written JS loop", o.jsonEvents, medianRun(handJ.runs)));
    const jsonRows = threadRows("yahoo JSON", "Sluice batch (spark.read.json)", o.jsonEvents, threads, js.one.runs, js.many && js.many.runs);
    jsonRows.forEach((r, i) => (r.mismatch = compareDigest(handJ.digest, (i === 0 ? js.one : js.many!).digest)));
    rows.push(...jsonRows);
    {
      // The JSON path as a stream: a file per micro-batch; workers parse the files, filter, join and
      // pre-aggregate (the watermark measured on the way), the state partitions merge.
      const lat: Record<number, number[][]> = {};
      const jsonStream = (): DataFrame => spark.readStream.schema(AD_EVENT_JSON_DDL).option("maxFilesPerTrigger", 1).json(streamDir).withColumn("event_time", F.timestamp_millis(col("event_time").cast("bigint")));
      const st = await acrossThreads(spark.conf, threads, { warmups: 2, runs: o.runs }, async () => {
        const l: number[] = [];
        const d = await streamRun(jsonStream(), campaigns, dir, l);
        (lat[Number(spark.conf.get("sluice.executor.threads"))] ??= []).push(l);
        return d;
      });
      // The measured runs' batch latencies (the last `runs` runs at each thread count).
      const latencyOf = (n: number): Partial<ResultRow> => {
        const l = (lat[n] ?? []).slice(-o.runs).flat();
        return { batchLatencyMs: { p50: percentile(l, 50), p99: percentile(l, 99), batches: l.length } };
      };
      const streamRows = threadRows("yahoo JSON", "Sluice streaming (readStream.json, update mode)", o.jsonEvents, threads, st.one.runs, st.many && st.many.runs);
      streamRows.forEach((r, i) => Object.assign(r, latencyOf(i === 0 ? 1 : threads), { mismatch: compareDigest(handJ.digest, (i === 0 ? st.one : st.many!).digest), note: `${JSON_STREAM_FILES} files, one per micro-batch` }));
      rows.push(...streamRows);
    }

    if (o.duckdb) {
      const instance = await DuckDBInstance.create(":memory:");
      const conn = await instance.connect();
      try {
        await conn.run("SET TimeZone = 'UTC'");
        const ids = yahooIds(cfg.seed);
        await conn.run(`CREATE TABLE campaigns AS SELECT * FROM (VALUES ${ids.ads.map((ad, i) => `('${ad}', '${ids.campaigns[Math.floor(i / 10)]!}')`).join(", ")}) t(ad_id, campaign_id)`);
        // Binary path: the same events as the columnar generator, loaded from JSON lines before timing.
        const binPath = join(dir, "binary-events.json");
        const bfd = openSync(binPath, "w");
        for (let s = 0; s < o.events; s += 65536) writeSync(bfd, generateAdEventJson(cfg, s, Math.min(o.events, s + 65536)));
        closeSync(bfd);
        await conn.run(`CREATE TABLE events AS SELECT user_id, page_id, ad_id, ad_type, event_type, make_timestamp(CAST(event_time AS BIGINT) * 1000) AS event_time, ip_address FROM read_json('${binPath}', format = 'newline_delimited', columns = {user_id: 'VARCHAR', page_id: 'VARCHAR', ad_id: 'VARCHAR', ad_type: 'VARCHAR', event_type: 'VARCHAR', event_time: 'VARCHAR', ip_address: 'VARCHAR'})`);
        rmSync(binPath);
        const run = async (sql: string): Promise<Digest> => {
          const r = (await conn.runAndReadAll(`SELECT count(*), sum(n) FROM (${sql})`)).getRowsJS()[0]!;
          return { rows: Number(r[0]), sum: Number(r[1]) };
        };
        const db = await timed(o.runs, () => run(DUCK_QUERY("events", "e.event_time")));
        rows.push(resultRow("yahoo binary", "DuckDB", o.events, medianRun(db.runs), { mismatch: compareDigest(hand.digest, db.digest), note: "table in DuckDB's memory" }));
        const jsonSource = `read_json('${jsonPath}', format = 'newline_delimited', columns = {user_id: 'VARCHAR', page_id: 'VARCHAR', ad_id: 'VARCHAR', ad_type: 'VARCHAR', event_type: 'VARCHAR', event_time: 'VARCHAR', ip_address: 'VARCHAR'})`;
        const dj = await timed(o.runs, () => run(DUCK_QUERY(jsonSource, "make_timestamp(CAST(e.event_time AS BIGINT) * 1000)")));
        rows.push(resultRow("yahoo JSON", "DuckDB (read_json)", o.jsonEvents, medianRun(dj.runs), { mismatch: compareDigest(handJ.digest, dj.digest) }));
      } finally {
        conn.closeSync();
        instance.closeSync();
      }
    }
  } finally {
    await handThreads?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  addRatios(rows, (r) => r.engine === "hand-written JS loop", (r) => r.engine.startsWith("DuckDB"));
  rows.sort((a, b) => a.benchmark.localeCompare(b.benchmark));
  process.stdout.write("\n" + printTable(rows));
  const parse = rows.find((r) => r.engine === "raw JSON.parse loop"), sj = rows.find((r) => r.engine.startsWith("Sluice batch (spark.read.json"));
  if (parse && sj) process.stdout.write(`Sluice JSON path / raw JSON.parse loop = ${(sj.eventsPerSecond / parse.eventsPerSecond).toFixed(2)} (target >= 0.80)\n`);
  const ceiling = ceilingBefore && { before: ceilingBefore, after: await threadCeiling(threads) };
  process.stdout.write(speedupLine(rows, "yahoo binary", threads));
  process.stdout.write(speedupLine(rows, "yahoo JSON", threads, "Sluice batch (spark.read.json)", null));
  process.stdout.write(speedupLine(rows, "yahoo JSON", threads, "Sluice streaming", null));
  if (ceiling) process.stdout.write(ceilingLine(threads, ceiling));
  const bad = rows.filter((r) => r.mismatch !== null);
  process.stdout.write(bad.length ? `RESULTS DIFFER: ${bad.map((r) => `${r.benchmark}/${r.engine}: ${r.mismatch}`).join("; ")}\n` : "All engines agree (windows x campaigns, total count).\n");
  const out = mergeResults("yahoo", { ...machine(), cores: cpus().length, cpu: cpus()[0]?.model, events: o.events, jsonEvents: o.jsonEvents, runs: o.runs, threadRuns: threadRounds(o).runs, threadWarmups: threadRounds(o).warmups, warmups: o.warmups, statistic: "median", quick: o.quick, threadCeiling: ceiling, agree: bad.length === 0, results: rows, missing: [] });
  process.stdout.write(`Wrote ${out} (key "yahoo")\n`);
  if (bad.length) process.exitCode = 1;
}

await main();
