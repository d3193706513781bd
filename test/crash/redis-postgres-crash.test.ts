/**
 * The connectors' crash test (issue 5): a child process runs Redis Streams source → watermark →
 * windowed count and sum per key (append mode) → exactly-once PostgreSQL sink
 * (fixtures/redis-postgres-child.ts: Trigger.AvailableNow, maxEntriesPerTrigger so the stream is
 * read in several batches) against a real redis-server and PostgreSQL started here, and is killed
 * with SIGKILL at trigger-loop phases (SLUICE_TEST_CRASH_AT=<phase>:<batchId>, including
 * `after-state-commit` and `mid-sink-write`, which for this sink is inside the open transaction
 * before COMMIT) or at random moments, then restarted until it completes.
 *
 * The input: ENTRIES entries with strictly increasing event times (gaps of 0.5-4 s, so no row is
 * ever behind the 5-second watermark and the streaming answer equals the batch answer), keys
 * a/b/c, then one "flush" entry a minute ahead that only moves the watermark, so the no-data batch
 * after it closes every remaining window. Event times end in an odd millisecond, so a watermark
 * never falls on a window boundary.
 *
 * After every kill, the table holds exactly the batch answer's windows closed by the watermark
 * of the last batch PostgreSQL committed (its `_sluice_progress` row); at the end it equals the
 * whole batch answer (the same query over a DataFrame of the same rows); no (window, key) is ever
 * in the table twice.
 *
 * SLUICE_CRASH_ITERATIONS (default 2) random runs; SLUICE_CRASH_SEED repeats one.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { createClient } from "redis";
import { Session } from "../../src/api/session.js";
import { CRASH_PHASES } from "../../src/streaming/crash-hook.js";
import { canonicalRow } from "../streaming/stream-test.js";
import { type PostgresServer, startPostgres } from "../support/postgres-server.js";
import { type RedisServer, startRedisServer } from "../support/redis-server.js";
import { type ChildCommand, lastCommitted, prepareChild, prng, runChild } from "./crash-harness.js";
import { REDIS_FIELDS_SCHEMA, redisPostgresCrashQuery } from "./fixtures/redis-postgres-query.js";
import { FLUSH_KEY } from "./fixtures/stateful-query.js";

type Row = Record<string, unknown>;

const ITERATIONS = Number(process.env["SLUICE_CRASH_ITERATIONS"] ?? 2);
const SEED = Number(process.env["SLUICE_CRASH_SEED"] ?? Math.floor(Math.random() * 2 ** 31));
const ENTRIES = 20;
const MAX_ENTRIES_PER_TRIGGER = 4;
/** ENTRIES data entries and the flush entry in batches of MAX_ENTRIES_PER_TRIGGER, then the no-data batch. */
const LAST_BATCH = Math.ceil((ENTRIES + 1) / MAX_ENTRIES_PER_TRIGGER);
const KILLS_PER_RUN = 6;
/** The phases of one batch in trigger-loop order, with the stateful one. */
// Phases in the order a batch reaches them: the state commits end after the sink ran (crash-hook.ts).
const PHASES: readonly string[] = [...CRASH_PHASES.slice(0, 3), "after-state-commit", ...CRASH_PHASES.slice(3)];
const T0 = Date.UTC(2024, 0, 1);

const here = path.dirname(fileURLToPath(import.meta.url));
const spark = Session.builder().appName("redis-postgres-crash-parent").getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-redis-pg-crash-"));
let child: ChildCommand & { dispose(): void };
let redis: RedisServer;
let pg: PostgresServer;
let client: ReturnType<typeof createClient>;

before(async () => {
  [child, redis, pg] = await Promise.all([prepareChild(path.join(here, "fixtures", "redis-postgres-child.ts")), startRedisServer(), startPostgres()]);
  client = createClient({ url: redis.url });
  client.on("error", () => {});
  await client.connect();
});
after(async () => {
  child?.dispose();
  await client?.close();
  await Promise.all([redis?.stop(), pg?.stop()]);
  fs.rmSync(root, { recursive: true, force: true });
});

const iso = (ms: number): string => new Date(ms).toISOString().replace("T", " ").replace("Z", "");

/** XADDs the run's entries (all there before the child first starts); returns them as rows. */
async function writeInput(stream: string, rnd: () => number): Promise<Row[]> {
  const rows: Row[] = [];
  let t = T0 + 1;
  for (let i = 0; i < ENTRIES; i++) {
    t += 500 + Math.floor(rnd() * 1750) * 2; // even steps keep t odd
    rows.push({ eid: i, key: ["a", "b", "c"][Math.floor(rnd() * 3)], n: Math.floor(rnd() * 10), ts: new Date(t) });
  }
  rows.push({ eid: ENTRIES, key: FLUSH_KEY, n: 0, ts: new Date(t + 60_000) });
  for (const r of rows) await client.xAdd(stream, "*", { eid: String(r["eid"]), key: String(r["key"]), n: String(r["n"]), ts: iso((r["ts"] as Date).getTime()) });
  return rows;
}

/** The watermark batch `batchId` ran with, from `offsets/<batchId>` of the checkpoint. */
function batchWatermarkMs(ckpt: string, batchId: number): number {
  const lines = fs.readFileSync(path.join(ckpt, "offsets", String(batchId)), "utf8").split("\n");
  return (JSON.parse(lines[1]!) as { metadata: { batchWatermarkMs: number } }).metadata.batchWatermarkMs;
}

/** The table's rows (timestamps as Dates) and the last batch PostgreSQL committed for it (-1: none). */
async function committed(table: string): Promise<{ rows: Row[]; lastBatch: number }> {
  const exists = await pg.query<{ t: string | null }>("SELECT to_regclass($1)::text AS t", [table]);
  if (exists[0]?.t == null) return { rows: [], lastBatch: -1 };
  const rows = await pg.query<{ s: string; e: string; key: string; cnt: string; total: string }>(
    `SELECT (extract(epoch FROM start) * 1000)::bigint::text AS s, (extract(epoch FROM "end") * 1000)::bigint::text AS e, key, cnt::text, total::text FROM ${table}`,
  );
  const progress = await pg.query<{ b: string }>("SELECT batch_id::text AS b FROM _sluice_progress WHERE table_name = $1", [table]);
  return {
    rows: rows.map((r) => ({ start: new Date(Number(r.s)), end: new Date(Number(r.e)), key: r.key, cnt: Number(r.cnt), total: Number(r.total) })),
    lastBatch: progress[0] === undefined ? -1 : Number(progress[0].b),
  };
}

const ms = (v: unknown): number => {
  assert.ok(v instanceof Date, `a timestamp, not ${String(v)}`);
  return v.getTime();
};

function sameRows(actual: readonly Row[], expected: readonly Row[], context: string): void {
  const windows = actual.map((r) => `${ms(r["start"])}/${String(r["key"])}`);
  assert.equal(new Set(windows).size, windows.length, `${context}: a window is in the table twice`);
  const norm = (rs: readonly Row[]): string[] => rs.map((r) => canonicalRow({ ...r, cnt: Number(r["cnt"]), total: Number(r["total"]) })).sort();
  assert.deepEqual(norm(actual), norm(expected), context);
}

interface RunStats {
  kills: number;
  phaseKills: number;
  clockKills: number;
}

type Schedule = (attempt: number, nextBatch: number) => { crashAt?: string; killAfterMs?: number };

let runs = 0;

/** One query run over a fresh stream, table and checkpoint, killed and restarted until it completes. */
async function crashRun(rnd: () => number, stats: RunStats, schedule: Schedule): Promise<string[]> {
  const run = runs++;
  const stream = `events_${run}`, table = `windows_${run}`, ckpt = path.join(root, `ckpt-${run}`);
  const input = await writeInput(stream, rnd);
  const expected = await redisPostgresCrashQuery(spark.createDataFrame(input, REDIS_FIELDS_SCHEMA)).collect();
  assert.ok(expected.length >= 5, `enough windows to mean anything: ${expected.length}`);
  const log: string[] = [];
  for (let attempt = 0; ; attempt++) {
    assert.ok(attempt < 60, `run ${run} did not complete after 60 starts:\n${log.join("\n")}`);
    const opts = schedule(attempt, lastCommitted(ckpt) + 1);
    const outcome = await runChild(child, [redis.url, stream, pg.url, table, ckpt, String(MAX_ENTRIES_PER_TRIGGER)], { ...opts, timeoutMs: 60_000 });
    const now = await committed(table);
    log.push(`start ${attempt}: ${JSON.stringify(opts)} → ${outcome.signal ?? `exit ${outcome.code}`} (checkpoint commit ${lastCommitted(ckpt)}, PostgreSQL batch ${now.lastBatch})`);
    if (outcome.code === 0) {
      assert.match(outcome.stdout, /^done \d+/m);
      break;
    }
    assert.equal(outcome.signal, "SIGKILL", `the child failed instead of being killed:\n${outcome.stderr}\n${log.join("\n")}`);
    stats.kills++;
    if (opts.crashAt !== undefined) stats.phaseKills++;
    else stats.clockKills++;
    // Append mode: what PostgreSQL committed through batch L is every window closed by L's watermark.
    const wm = now.lastBatch < 0 ? Number.NEGATIVE_INFINITY : batchWatermarkMs(ckpt, now.lastBatch);
    sameRows(now.rows, expected.filter((r) => ms(r["end"]) <= wm), `after kill ${attempt} of run ${run} (seed ${SEED}): the table after batches 0..${now.lastBatch} (watermark ${wm}) differs from the batch answer's windows closed by then\n${log.join("\n")}`);
  }
  const final = await committed(table);
  sameRows(final.rows, expected, `run ${run} (seed ${SEED}): the table differs from the batch answer\n${log.join("\n")}`);
  assert.equal(lastCommitted(ckpt), LAST_BATCH, `batches of ${MAX_ENTRIES_PER_TRIGGER} entries and one no-data batch\n${log.join("\n")}`);
  assert.equal(final.lastBatch, LAST_BATCH, "PostgreSQL recorded the last batch");
  return log;
}

void describe("crash: Redis Streams → watermark → windowed aggregation (append) → exactly-once PostgreSQL sink", () => {
  void it("SIGKILL at every phase of batches 1 and 2 (in the open transaction too), restarted after each", async () => {
    const stats: RunStats = { kills: 0, phaseKills: 0, clockKills: 0 };
    const points = [1, 2].flatMap((b) => PHASES.map((p) => `${p}:${b}`));
    const log = await crashRun(prng(SEED), stats, (attempt) => (attempt < points.length ? { crashAt: points[attempt]! } : {}));
    process.stdout.write(`# redis→postgres crash: ${stats.phaseKills} kills at phases of batches 1..2, seed ${SEED}\n`);
    assert.equal(stats.phaseKills, points.length, `every crash point was reached:\n${log.join("\n")}`);
  });

  void it(`SIGKILL at random phases and moments, restarted until done, equals the batch answer (${ITERATIONS} runs)`, async () => {
    const rnd = prng(SEED + 11);
    const stats: RunStats = { kills: 0, phaseKills: 0, clockKills: 0 };
    const schedule: Schedule = (attempt, next) => {
      if (attempt >= KILLS_PER_RUN) return {};
      const pick = (): string => `${PHASES[Math.floor(rnd() * PHASES.length)]}:${next + Math.floor(rnd() * 2)}`;
      // The first two starts of a run die at a phase of one of its first batches (every run is
      // killed at least twice); later ones at a phase or at a random moment, which a run that
      // finishes first does not reach.
      return attempt < 2 || rnd() < 0.7 ? { crashAt: `${pick()},${pick()}` } : { killAfterMs: 300 + Math.floor(rnd() * 1500) };
    };
    for (let run = 0; run < ITERATIONS; run++) await crashRun(rnd, stats, schedule);
    process.stdout.write(`# redis→postgres crash: ${ITERATIONS} random runs, ${stats.kills} kills (${stats.phaseKills} at phases, ${stats.clockKills} at random moments), seed ${SEED}\n`);
    assert.ok(stats.kills >= ITERATIONS * 2, `too few kills to mean anything: ${stats.kills}`);
  });
});
