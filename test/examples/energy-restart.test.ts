import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { detectedCycles, runEnergyPipeline } from "../../examples/energy/pipeline.js";

const spark = Session.builder().getOrCreate();
spark.conf.set("sluice.sql.session.timeZone", "UTC");
spark.conf.set("sluice.sql.streaming.checkpoint.fsync", "false");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-energy-restart-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const cyclesOf = async (dir: string): Promise<string[]> =>
  (await detectedCycles(spark, dir).collect())
    .map((r) => [r["home"], r["appliance"], (r["start_ts"] as Date).toISOString(), (r["end_ts"] as Date).toISOString(), r["energy_kwh"], r["heat_phases"], r["peer_pctl"], r["inefficient"], r["reason"]].map(String).join(" "))
    .sort();

void describe("the energy waste checker restarts from its checkpoint", () => {
  void it("stopped in the middle of the cycle query (its last batch uncommitted) and resumed, it finds the same cycles as an uninterrupted run, each once (open segments are in checkpointed state)", async () => {
    const base = { homes: 12, days: 1, seed: 11, ticksPerBatch: 180, alertsPerBatch: 0, log: () => {} };
    const whole = path.join(root, "whole"), split = path.join(root, "split");
    const full = await runEnergyPipeline(spark, { ...base, outDir: whole });
    const first = await runEnergyPipeline(spark, { ...base, outDir: split, stopCyclesAfterBatches: 20 });
    // The first run stopped with cycles still to come, and segments open in the segmenter's state.
    const partial = await cyclesOf(split);
    assert.ok(partial.length > 0 && partial.length < full.cycles, `cycles after the stop: ${partial.length} of ${full.cycles}`);
    assert.ok(first.seconds > 0);
    const open = await spark.read.format("state").load(path.join(split, "checkpoint", "cycles")).collect();
    assert.ok(open.some((r) => /"carry":\[\d/.test(String((r["value"] as Record<string, unknown>)["groupState"]))), "some home has an open segment in state at the stop");
    // As after a SIGKILL between the sink and the commit: the last batch's commit is gone, so
    // the resumed run runs that batch again. Its cycles must not be written twice.
    const commits = path.join(split, "checkpoint", "cycles", "commits");
    const last = fs.readdirSync(commits).filter((f) => /^\d+$/.test(f)).sort((a, b) => Number(a) - Number(b)).at(-1)!;
    fs.rmSync(path.join(commits, last));
    const resumed = await runEnergyPipeline(spark, { ...base, outDir: split, resume: true });
    const expected = await cyclesOf(whole);
    assert.ok(expected.length >= 10, `cycles: ${expected.length}`);
    assert.deepEqual(await cyclesOf(split), expected);
    assert.equal(resumed.cycles, full.cycles);
    assert.equal(resumed.precision, full.precision);
    assert.equal(resumed.recall, full.recall);
  });
});
