/**
 * Crash tests (DESIGN.md "Tests"): a child process runs a file source → transformation → sink
 * query with a checkpoint (Trigger.AvailableNow, maxFilesPerTrigger=1, so one batch per input
 * file) and is killed with SIGKILL — at a named phase of the trigger loop
 * (SLUICE_TEST_CRASH_AT=<phase>:<batchId>, see src/streaming/crash-hook.ts) or at a random
 * wall-clock moment — and restarted until it completes. After every kill, the committed output
 * equals the batch answer over the input files of the committed batches; at the end it equals
 * the batch answer over all the input (as multisets): nothing lost, nothing repeated, nothing
 * from an uncommitted batch.
 *
 * Two sinks: the json file sink (read back with spark.read, which honours `_sluice_metadata`; the
 * child compacts that manifest every 2 batches and deletes covered entries at once) and
 * foreachBatch writing files keyed by batch id (replaced on a re-run).
 *
 * Per sink, the default run has 10 kills at named phases plus SLUICE_CRASH_ITERATIONS (default 3)
 * random runs of up to 9 kills each: ~65 kills in all for both sinks in CI (SLUICE_CRASH_ITERATIONS=20 gives ~350);
 * SLUICE_CRASH_SEED repeats a failing sequence.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { FileSinkLog } from "../../src/checkpoint/file-sink-log.js";
import { CRASH_PHASES } from "../../src/streaming/crash-hook.js";
import { canonicalRow } from "../streaming/stream-test.js";
import { type ChildCommand, lastCommitted, prepareChild, prng, runChild } from "./crash-harness.js";
import { crashTestQuery } from "./fixtures/crash-query.js";

type Row = Record<string, unknown>;
export type Mode = "files" | "foreachBatch";

const ITERATIONS = Number(process.env["SLUICE_CRASH_ITERATIONS"] ?? 3);
const SEED = Number(process.env["SLUICE_CRASH_SEED"] ?? Math.floor(Math.random() * 2 ** 31));
const FILES_PER_RUN = 6;
const KILLS_PER_RUN = 9;
const SCHEMA = "id INT, word STRING, n INT";

const spark = Session.builder().appName("crash-parent").getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-crash-"));
let child: ChildCommand & { dispose(): void };
before(async () => {
  child = await prepareChild();
});
after(() => {
  child.dispose();
  fs.rmSync(root, { recursive: true, force: true });
});

/** K input files of a few random rows each, written atomically, oldest first. */
function writeInput(dir: string, rnd: () => number, files: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const t0 = Date.now() - 100_000;
  let id = 0;
  for (let f = 0; f < files; f++) {
    const rows = Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => ({ id: id++, word: ["a", "b", "c", "d"][Math.floor(rnd() * 4)], n: Math.floor(rnd() * 10) }));
    const file = path.join(dir, `in-${String(f).padStart(3, "0")}.json`);
    fs.writeFileSync(`${file}.tmp`, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    fs.utimesSync(`${file}.tmp`, (t0 + f * 1000) / 1000, (t0 + f * 1000) / 1000);
    fs.renameSync(`${file}.tmp`, file);
  }
}

/**
 * What the sink has committed, as rows, and up to which batch: for the file sink, what spark.read
 * of the output directory returns and the highest `_sluice_metadata` entry; for foreachBatch,
 * the files of the batches that `commits/` records as done (a later batch's files may be
 * half-written: its re-run replaces them).
 */
async function committedOutput(mode: Mode, out: string, ckpt: string): Promise<{ rows: Row[]; lastBatch: number }> {
  if (!fs.existsSync(out)) return { rows: [], lastBatch: -1 };
  if (mode === "files") {
    // The manifest (entries and compactions) reads without gaps, or this throws.
    return { rows: await spark.read.schema("id INT, word STRING, m INT, size STRING").json(out).collect(), lastBatch: new FileSinkLog(out).latestBatchId() };
  }
  const last = lastCommitted(ckpt);
  const rows = fs
    .readdirSync(out)
    .filter((n) => /^batch-\d+-[ab]\.json$/.test(n) && Number(/\d+/.exec(n)![0]) <= last)
    .flatMap((n) => JSON.parse(fs.readFileSync(path.join(out, n), "utf8")) as Row[]);
  return { rows, lastBatch: last };
}

function multiset(rows: readonly Row[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) m.set(canonicalRow(r), (m.get(canonicalRow(r)) ?? 0) + 1);
  return m;
}

function sameMultiset(actual: readonly Row[], expected: readonly Row[], context: string): void {
  assert.deepEqual([...multiset(actual)].sort(), [...multiset(expected)].sort(), context);
}

interface RunStats {
  kills: number;
  phaseKills: number;
  clockKills: number;
}

type Schedule = (attempt: number, nextBatch: number) => { crashAt?: string; killAfterMs?: number };

/**
 * The random schedule: the first KILLS_PER_RUN starts are killed (most at a phase of the next
 * batch or the one after, some at a random moment); later starts run to the end.
 */
const randomSchedule =
  (rnd: () => number): Schedule =>
  (attempt, next) => {
    if (attempt >= KILLS_PER_RUN) return {};
    const pick = (): string => `${CRASH_PHASES[Math.floor(rnd() * CRASH_PHASES.length)]}:${next + Math.floor(rnd() * 2)}`;
    // The first two starts of a run die at a phase of one of its first batches (every run is
    // killed at least twice); later ones at a phase or at a random moment, which a run that
    // finishes first does not reach.
    return attempt < 2 || rnd() < 0.75 ? { crashAt: `${pick()},${pick()}` } : { killAfterMs: 60 + Math.floor(rnd() * 300) };
  };

/** One query run over fresh input, killed and restarted until it completes; then checked. */
async function crashRun(mode: Mode, run: string, rnd: () => number, stats: RunStats, schedule: Schedule): Promise<void> {
  const dir = path.join(root, `${mode}-${run}`);
  const input = path.join(dir, "in"), out = path.join(dir, "out"), ckpt = path.join(dir, "ckpt");
  writeInput(input, rnd, FILES_PER_RUN);
  // Batch i reads input file i (maxFilesPerTrigger=1, oldest first): its answer is the batch
  // query over that file alone; the whole answer is the batch query over the directory.
  const files = fs.readdirSync(input).sort();
  const perBatch = await Promise.all(files.map((f) => crashTestQuery(spark.read.schema(SCHEMA).json(path.join(input, f))).collect()));
  const expected = await crashTestQuery(spark.read.schema(SCHEMA).json(input)).collect();
  assert.equal(expected.length, perBatch.flat().length);
  const log: string[] = [];
  for (let attempt = 0; ; attempt++) {
    assert.ok(attempt < 60, `run ${run} (${mode}) did not complete after 60 starts:\n${log.join("\n")}`);
    const next = lastCommitted(ckpt) + 1;
    const opts = schedule(attempt, next);
    const outcome = await runChild(child, [mode, input, out, ckpt], opts);
    log.push(`start ${attempt}: ${JSON.stringify(opts)} → ${outcome.signal ?? `exit ${outcome.code}`} (last commit ${lastCommitted(ckpt)})`);
    if (outcome.code === 0) {
      assert.match(outcome.stdout, /^done \d+/m);
      break;
    }
    assert.equal(outcome.signal, "SIGKILL", `the child failed instead of being killed:\n${outcome.stderr}\n${log.join("\n")}`);
    stats.kills++;
    if (opts.crashAt !== undefined) stats.phaseKills++;
    else stats.clockKills++;
    const now = await committedOutput(mode, out, ckpt);
    sameMultiset(now.rows, perBatch.slice(0, now.lastBatch + 1).flat(), `after kill ${attempt} of run ${run} (${mode}, seed ${SEED}): the output of batches 0..${now.lastBatch} differs from their batch answer\n${log.join("\n")}`);
  }
  const final = await committedOutput(mode, out, ckpt);
  sameMultiset(final.rows, expected, `run ${run} (${mode}, seed ${SEED}): the committed output differs from the batch answer\n${log.join("\n")}`);
  assert.equal(lastCommitted(ckpt), FILES_PER_RUN - 1, "one batch per input file");
}

/** Registers the crash tests of one sink (each sink has its own test file so they run in parallel). */
export function defineCrashSuite(mode: Mode): void {
  void describe(`crash: file source → ${mode} sink`, () => {
    void it("SIGKILL at every phase of batch 0, then of batch 1, each followed by a restart", async () => {
      const stats: RunStats = { kills: 0, phaseKills: 0, clockKills: 0 };
      for (const phase of CRASH_PHASES) {
        await crashRun(mode, phase, prng(SEED), stats, (attempt) => (attempt < 2 ? { crashAt: `${phase}:${attempt}` } : {}));
      }
      assert.equal(stats.phaseKills, CRASH_PHASES.length * 2, "every crash point was reached");
    });

    void it(`SIGKILL at trigger-loop phases and random moments, restarted until done, equals the batch answer (${ITERATIONS} runs)`, async () => {
      const rnd = prng(SEED + (mode === "files" ? 0 : 1));
      const stats: RunStats = { kills: 0, phaseKills: 0, clockKills: 0 };
      for (let run = 0; run < ITERATIONS; run++) await crashRun(mode, `random-${run}`, rnd, stats, randomSchedule(rnd));
      process.stdout.write(`# crash ${mode}: ${ITERATIONS} runs, ${stats.kills} kills (${stats.phaseKills} at phases, ${stats.clockKills} at random moments), seed ${SEED}\n`);
      assert.ok(stats.kills >= ITERATIONS * 2, `too few kills to mean anything: ${stats.kills}`);
    });
  });
}
