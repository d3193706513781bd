/**
 * Late rows survive crashes exactly once: a child process (fixtures/late-rows-child.ts) runs a
 * windowed count whose late rows go to a json sink of their own, and kills itself with SIGKILL at
 * every phase of the two batches that drop late rows (offsets written or not, state committed,
 * inside the sinks — the late-rows sink runs first —, after the sinks before `commits/N`, after
 * it), restarted each time until it completes. A re-run batch drops the same rows again; the
 * late-rows directory read back holds each late row once, and the counts equal the batch answer
 * over the on-time rows.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { CRASH_PHASES } from "../../src/streaming/crash-hook.js";
import { type ChildCommand, prepareChild, runChild } from "./crash-harness.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const spark = Session.builder().appName("late-rows-crash-parent").getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-late-rows-crash-"));
let child: ChildCommand & { dispose(): void };

before(async () => {
  child = await prepareChild(path.join(here, "fixtures", "late-rows-child.ts"));
});
after(() => {
  child.dispose();
  fs.rmSync(root, { recursive: true, force: true });
});

const at = (s: number): string => new Date(Date.UTC(2024, 0, 1) + s).toISOString();
/** Batch 0 sets the watermark to 99.001 s; batch 1 drops a@85; batch 2 (watermark 115.001 s) drops c@101 and c@109. */
const FILES: readonly (readonly [string, number][])[] = [
  [["a", 100_001], ["b", 104_001]],
  [["a", 85_001], ["b", 95_001], ["a", 120_001]],
  [["c", 101_001], ["c", 109_001], ["a", 140_001]],
];
const LATE = [["a", at(85_001), at(99_001)], ["c", at(101_001), at(115_001)], ["c", at(109_001), at(115_001)]];
// Phases in the order a batch reaches them: the state commits end after the sink ran (crash-hook.ts).
const PHASES: readonly string[] = [...CRASH_PHASES.slice(0, 3), "after-state-commit", ...CRASH_PHASES.slice(3)];

void describe("late rows across crashes", () => {
  void it("SIGKILL at every phase of the batches that drop rows: each late row once, counts equal the batch answer", async () => {
    const input = path.join(root, "in"), output = path.join(root, "out"), late = path.join(root, "late"), ckpt = path.join(root, "ckpt");
    fs.mkdirSync(input, { recursive: true });
    const mtime0 = Date.now() / 1000 - 100;
    FILES.forEach((rows, f) => {
      const file = path.join(input, `in-${f}.json`);
      fs.writeFileSync(file, rows.map(([key, ms]) => JSON.stringify({ key, ts: at(ms) })).join("\n") + "\n");
      fs.utimesSync(file, mtime0 + f, mtime0 + f);
    });
    const kills = [1, 2].flatMap((b) => PHASES.map((p) => `${p}:${b}`));
    for (const crashAt of kills) {
      const r = await runChild(child, [input, output, late, ckpt], { crashAt });
      // Each run resumes the batch the previous kill interrupted, so it reaches the next phase.
      assert.equal(r.signal, "SIGKILL", `run with ${crashAt} was not killed there: code ${r.code}, ${r.stderr}`);
    }
    const done = await runChild(child, [input, output, late, ckpt]);
    assert.equal(done.code, 0, done.stderr);

    const lateRows = await spark.read.schema("key STRING, ts TIMESTAMP, late_operator_id INT, late_operator STRING, late_watermark TIMESTAMP").json(late).collect();
    assert.deepEqual(
      lateRows.map((r) => [r["key"], (r["ts"] as Date).toISOString(), (r["late_watermark"] as Date).toISOString(), r["late_operator_id"], r["late_operator"]]).sort(),
      LATE.map(([k, ts, wm]) => [k, ts, wm, 0, "stateStoreSave"]).sort(),
    );
    const counts = await spark.read.schema("start TIMESTAMP, key STRING, count LONG").json(output).collect();
    const expected = [["a", 100_000, 1], ["b", 90_000, 1], ["b", 100_000, 1], ["a", 120_000, 1]];
    assert.deepEqual(counts.map((r) => [r["key"], (r["start"] as Date).getTime() - Date.UTC(2024, 0, 1), Number(r["count"])]).sort(), expected.sort());
  });
});
