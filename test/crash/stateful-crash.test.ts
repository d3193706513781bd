/**
 * The crash test of a stateful query (issue 4, "a crash test as in the streaming-engine issue,
 * with a stateful query"): a child process runs json file source → withWatermark → windowed
 * count and sum per key (append mode) → json file sink (fixtures/stateful-child.ts, with
 * Trigger.AvailableNow and maxFilesPerTrigger=1) and is killed with SIGKILL — at a named phase
 * of the trigger loop (SLUICE_TEST_CRASH_AT=<phase>:<batchId>, including `after-state-commit`,
 * the moment the aggregation's state store has committed version N+1 and the sink has run but
 * `commits/N` is not written; the state files are written beside the sink, so a random moment may
 * also fall between the two in either order) or at a random wall-clock moment — and restarted
 * until it completes.
 *
 * The input: FILES data files whose event times advance (file f covers [15 f s, 15 f + 15 s),
 * the last row of each near the end of its span), so with 10-second windows and a 2-second
 * watermark delay windows close in batch 1 and every batch after it, and a window's rows often
 * come from two files (state carried across batches); then a file with one "flush" row far
 * ahead, which the query filters out after the watermark has measured it, so the no-data batch
 * after it closes every remaining window. Event times end in an odd millisecond, so a watermark
 * (max event time - 2 s) never falls on a window boundary. No row is late, so the whole output
 * equals the batch answer (the same query on spark.read of the input: every window).
 *
 * After every kill, the output committed so far (spark.read of the sink directory, which honours
 * `_sluice_metadata`) equals the batch answer's windows closed by the watermark of the last batch
 * the sink committed; at the end it equals the whole batch answer; no (window, key) ever appears
 * twice.
 *
 * Two tests: one run killed at each of the six phases of batch 0, then of batch 1, then of batch
 * 2 in trigger-loop order (18 kills, each restart re-running or resuming the batch the previous
 * kill interrupted); and SLUICE_CRASH_ITERATIONS (default 2) runs over fresh random input with up
 * to KILLS_PER_RUN kills each at random phases and random moments (SLUICE_CRASH_SEED repeats one).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { FileSinkLog } from "../../src/checkpoint/file-sink-log.js";
import { CRASH_PHASES } from "../../src/streaming/crash-hook.js";
import { canonicalRow } from "../streaming/stream-test.js";
import { type ChildCommand, lastCommitted, prng, runChild } from "./crash-harness.js";
import { FLUSH_KEY, STATEFUL_INPUT_SCHEMA, STATEFUL_OUTPUT_SCHEMA, statefulCrashQuery } from "./fixtures/stateful-query.js";

type Row = Record<string, unknown>;

const ITERATIONS = Number(process.env["SLUICE_CRASH_ITERATIONS"] ?? 2);
const SEED = Number(process.env["SLUICE_CRASH_SEED"] ?? Math.floor(Math.random() * 2 ** 31));
const FILES = 5;
const KILLS_PER_RUN = 6;
const SPAN_MS = 15_000;
/** FILES data batches, the flush file's batch, then the no-data batch that closes the last windows. */
const LAST_BATCH = FILES + 1;
/** The phases of one batch in the order the trigger loop passes them, with the stateful one. */
// Phases in the order a batch reaches them: the state commits end after the sink ran (crash-hook.ts).
const PHASES: readonly string[] = [...CRASH_PHASES.slice(0, 3), "after-state-commit", ...CRASH_PHASES.slice(3)];
const T0 = Date.UTC(2024, 0, 1);

const here = path.dirname(fileURLToPath(import.meta.url));
const spark = Session.builder().appName("stateful-crash-parent").getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-stateful-crash-"));
let child: ChildCommand & { dispose(): void };

/** Bundles fixtures/stateful-child.ts as crash-harness.ts's prepareChild does its child (tsx when esbuild is missing). */
async function prepareStatefulChild(): Promise<ChildCommand & { dispose(): void }> {
  const source = path.join(here, "fixtures", "stateful-child.ts");
  const repo = path.resolve(here, "../..");
  const outfile = path.join(repo, "node_modules", ".cache", "sluice-crash-tests", `stateful-child-${process.pid}-${Date.now()}.mjs`);
  const dispose = (): void => fs.rmSync(outfile, { force: true });
  try {
    const esbuild = await import("esbuild");
    await esbuild.build({ entryPoints: [source], bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", outfile, logLevel: "silent", absWorkingDir: repo });
    return { argv0: process.execPath, args: [outfile], dispose };
  } catch {
    return { argv0: process.execPath, args: ["--import", "tsx", source], dispose };
  }
}

before(async () => {
  child = await prepareStatefulChild();
});
after(() => {
  child.dispose();
  fs.rmSync(root, { recursive: true, force: true });
});

/** FILES data files with advancing event times and the flush file, written atomically, oldest first. */
function writeInput(dir: string, rnd: () => number): void {
  fs.mkdirSync(dir, { recursive: true });
  const mtime0 = Date.now() - 100_000;
  const write = (f: number, rows: readonly Row[]): void => {
    const file = path.join(dir, `in-${String(f).padStart(3, "0")}.json`);
    fs.writeFileSync(`${file}.tmp`, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    fs.utimesSync(`${file}.tmp`, (mtime0 + f * 1000) / 1000, (mtime0 + f * 1000) / 1000);
    fs.renameSync(`${file}.tmp`, file);
  };
  const odd = (ms: number): number => Math.floor(ms / 2) * 2 + 1;
  let id = 0;
  for (let f = 0; f < FILES; f++) {
    const base = T0 + f * SPAN_MS;
    // Random times in the span, and a last one in its final second so the watermark advances by ~a span per batch.
    const times = Array.from({ length: 2 + Math.floor(rnd() * 6) }, () => odd(base + rnd() * (SPAN_MS - 1000)));
    times.push(odd(base + SPAN_MS - 1000 + rnd() * 998));
    write(f, times.map((t) => ({ id: id++, key: ["a", "b", "c"][Math.floor(rnd() * 3)], n: Math.floor(rnd() * 10), ts: new Date(t).toISOString() })));
  }
  write(FILES, [{ id: id++, key: FLUSH_KEY, n: 0, ts: new Date(odd(T0 + FILES * SPAN_MS + 60_000)).toISOString() }]);
}

const ms = (v: unknown): number => {
  assert.ok(v instanceof Date, `a timestamp, not ${String(v)}`);
  return v.getTime();
};

/** The watermark batch `batchId` ran with, from `offsets/<batchId>` of the checkpoint. */
function batchWatermarkMs(ckpt: string, batchId: number): number {
  const lines = fs.readFileSync(path.join(ckpt, "offsets", String(batchId)), "utf8").split("\n");
  const entry = JSON.parse(lines[1]!) as { metadata: { batchWatermarkMs: number } };
  return entry.metadata.batchWatermarkMs;
}

/** What spark.read returns of the sink directory, and the highest `_sluice_metadata` entry. */
async function committedOutput(out: string): Promise<{ rows: Row[]; lastBatch: number }> {
  if (!fs.existsSync(out)) return { rows: [], lastBatch: -1 };
  // The manifest (entries and compactions: the child compacts every 3 batches) reads without gaps, or this throws.
  return { rows: await spark.read.schema(STATEFUL_OUTPUT_SCHEMA).json(out).collect(), lastBatch: new FileSinkLog(out).latestBatchId() };
}

function sameRows(actual: readonly Row[], expected: readonly Row[], context: string): void {
  const windows = actual.map((r) => `${ms(r["start"])}/${String(r["key"])}`);
  assert.equal(new Set(windows).size, windows.length, `${context}: a window was emitted twice`);
  assert.deepEqual(actual.map(canonicalRow).sort(), expected.map(canonicalRow).sort(), context);
}

interface RunStats {
  kills: number;
  phaseKills: number;
  clockKills: number;
}

type Schedule = (attempt: number, nextBatch: number) => { crashAt?: string; killAfterMs?: number };

/** One query run over fresh input, killed and restarted until it completes; checked after every kill and at the end. */
async function crashRun(run: string, rnd: () => number, stats: RunStats, schedule: Schedule): Promise<string[]> {
  const dir = path.join(root, run);
  const input = path.join(dir, "in"), out = path.join(dir, "out"), ckpt = path.join(dir, "ckpt");
  writeInput(input, rnd);
  const expected = await statefulCrashQuery(spark.read.schema(STATEFUL_INPUT_SCHEMA).json(input)).collect();
  assert.ok(expected.length >= FILES, `enough windows to mean anything: ${expected.length}`);
  const log: string[] = [];
  for (let attempt = 0; ; attempt++) {
    assert.ok(attempt < 60, `run ${run} did not complete after 60 starts:\n${log.join("\n")}`);
    const opts = schedule(attempt, lastCommitted(ckpt) + 1);
    const outcome = await runChild(child, [input, out, ckpt], opts);
    log.push(`start ${attempt}: ${JSON.stringify(opts)} → ${outcome.signal ?? `exit ${outcome.code}`} (last commit ${lastCommitted(ckpt)})`);
    if (outcome.code === 0) {
      assert.match(outcome.stdout, /^done \d+/m);
      break;
    }
    assert.equal(outcome.signal, "SIGKILL", `the child failed instead of being killed:\n${outcome.stderr}\n${log.join("\n")}`);
    stats.kills++;
    if (opts.crashAt !== undefined) stats.phaseKills++;
    else stats.clockKills++;
    // Append mode: what the sink has committed through batch L is every window closed by L's watermark.
    const now = await committedOutput(out);
    const wm = now.lastBatch < 0 ? Number.NEGATIVE_INFINITY : batchWatermarkMs(ckpt, now.lastBatch);
    sameRows(now.rows, expected.filter((r) => ms(r["end"]) <= wm), `after kill ${attempt} of run ${run} (seed ${SEED}): the output of batches 0..${now.lastBatch} (watermark ${wm}) differs from the batch answer's windows closed by then\n${log.join("\n")}`);
  }
  const final = await committedOutput(out);
  sameRows(final.rows, expected, `run ${run} (seed ${SEED}): the committed output differs from the batch answer\n${log.join("\n")}`);
  assert.equal(lastCommitted(ckpt), LAST_BATCH, `one batch per input file and one no-data batch\n${log.join("\n")}`);
  assert.equal(final.lastBatch, LAST_BATCH);
  return log;
}

// The two tests run side by side (their children are separate processes with separate directories).
void describe("crash: json file source → watermark → windowed count (append) → json file sink", { concurrency: true }, () => {
  void it("SIGKILL at every phase of batches 0, 1 and 2 (after-state-commit too), restarted after each", async () => {
    const stats: RunStats = { kills: 0, phaseKills: 0, clockKills: 0 };
    const points = [0, 1, 2].flatMap((b) => PHASES.map((p) => `${p}:${b}`));
    const log = await crashRun("phases", prng(SEED), stats, (attempt) => (attempt < points.length ? { crashAt: points[attempt]! } : {}));
    process.stdout.write(`# stateful crash: ${stats.phaseKills} kills at phases of batches 0..2, seed ${SEED}\n`);
    assert.equal(stats.phaseKills, points.length, `every crash point was reached:\n${log.join("\n")}`);
  });

  void it(`SIGKILL at random phases and moments, restarted until done, equals the batch answer (${ITERATIONS} runs)`, async () => {
    const rnd = prng(SEED + 7);
    const stats: RunStats = { kills: 0, phaseKills: 0, clockKills: 0 };
    const schedule: Schedule = (attempt, next) => {
      if (attempt >= KILLS_PER_RUN) return {};
      const pick = (): string => `${PHASES[Math.floor(rnd() * PHASES.length)]}:${next + Math.floor(rnd() * 2)}`;
      // As in crash-suite.ts: the first two starts of a run die at a phase of its first batches.
      return attempt < 2 || rnd() < 0.7 ? { crashAt: `${pick()},${pick()}` } : { killAfterMs: 150 + Math.floor(rnd() * 1200) };
    };
    for (let run = 0; run < ITERATIONS; run++) await crashRun(`random-${run}`, rnd, stats, schedule);
    process.stdout.write(`# stateful crash: ${ITERATIONS} random runs, ${stats.kills} kills (${stats.phaseKills} at phases, ${stats.clockKills} at random moments), seed ${SEED}\n`);
    assert.ok(stats.kills >= ITERATIONS * 2, `too few kills to mean anything: ${stats.kills}`);
  });
});
