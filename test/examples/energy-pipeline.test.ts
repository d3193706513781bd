import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { parseArgs } from "../../examples/energy/cli.js";
import { detectedCycles, runEnergyPipeline } from "../../examples/energy/pipeline.js";

const spark = Session.builder().getOrCreate();
spark.conf.set("sluice.sql.session.timeZone", "UTC");
spark.conf.set("sluice.sql.streaming.checkpoint.fsync", "false");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-energy-test-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

void describe("the energy waste checker (examples/energy)", () => {
  void it("finds the generator's cycles and waste, and its summary agrees with the data", async () => {
    const lines: string[] = [];
    const homes = 30, days = 1;
    const s = await runEnergyPipeline(spark, { homes, days, seed: 7, outDir: path.join(root, "run"), alertsPerBatch: 1, log: (l) => lines.push(l) });

    assert.equal(s.homes, homes);
    // Every generated reading went through stage 1 (the stream stops by itself: availableNow).
    const raw = await spark.read.format("smart-meter").options({ homes, days, seed: 7 }).load().count();
    assert.equal(s.rawReadings, raw);
    // Clean readings: no glitches and no (home, ts) twice; a few late ones fall behind the watermark.
    const distinct = await spark.read.format("smart-meter").options({ homes, days, seed: 7 }).load().filter("watts IS NOT NULL AND watts >= 0").dropDuplicates(["home", "ts"]).count();
    assert.ok(s.cleanReadings <= distinct && s.cleanReadings >= distinct - s.droppedLate - 10, `clean ${s.cleanReadings} vs distinct ${distinct}, late ${s.droppedLate}`);
    assert.ok(s.minuteReadings <= s.cleanReadings && s.minuteReadings > 0.99 * s.cleanReadings);
    assert.ok(s.minutes > homes * 1400 * days && s.minutes <= homes * 1440 * days, `minutes ${s.minutes}`);

    // The cycles written to Parquet are the ones counted, and flags agree with the alerts.
    const cycles = detectedCycles(spark, path.join(root, "run"));
    assert.equal(await cycles.count(), s.cycles);
    assert.equal(await cycles.filter("inefficient").count(), s.flagged);
    assert.equal(Object.values(s.byAppliance).reduce((a, b) => a + b, 0), s.cycles);
    assert.ok(lines.some((l) => l.startsWith("ALERT home")));
    assert.ok(s.shareFlagged > 0.05 && s.shareFlagged < 0.6, `share flagged ${s.shareFlagged}`);

    // Against the ground truth.
    assert.ok(s.truthCycles > homes, `truth cycles ${s.truthCycles}`);
    assert.ok(s.precision >= 0.85, `precision ${s.precision}`);
    assert.ok(s.recall >= 0.85, `recall ${s.recall}`);
    assert.ok(s.flagPrecision >= 0.8, `flag precision ${s.flagPrecision}`);
    assert.ok(s.flagRecall >= 0.8, `flag recall ${s.flagRecall}`);
  });

  void it("parses the npm start options", () => {
    assert.deepEqual(parseArgs(["--homes", "50", "--days=3"]), { ...(parseArgs([]) as object), homes: 50, days: 3 });
    assert.equal(parseArgs(["--help"]), "help");
    assert.throws(() => parseArgs(["--homes"]), /--homes needs a number/);
    assert.throws(() => parseArgs(["--nope"]), /unknown option '--nope'/);
  });
});
