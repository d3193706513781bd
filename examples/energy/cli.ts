/**
 * `npm start [-- options]`: the energy waste checker over generated smart-meter readings.
 *
 *   npm start                          # default size, processes the days and stops (availableNow)
 *   npm start -- --homes 500 --days 3  # bigger
 *   npm start -- --follow              # real time (sped up --rate times), web UI, Ctrl-C stops
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session } from "../../src/index.js";
import { type EnergySummary, REFERENCE, runEnergyPipeline, showWorstHomes } from "./pipeline.js";

export interface CliOptions {
  homes: number;
  days: number;
  seed: number;
  follow: boolean;
  rate: number;
  out: string | null;
  alerts: number;
}

export const DEFAULTS: CliOptions = { homes: 2000, days: 1, seed: 42, follow: false, rate: 600, out: null, alerts: 2 };

const USAGE = `Usage: npm start -- [options]

The energy waste checker: a Sluice streaming pipeline over generated 10-second smart-meter
readings (appliance cycles embedded, some inefficient; gaps, duplicates, late readings). It
cleans and deduplicates the readings, resamples them to 1-minute windows, detects appliance
cycles per home, compares them with peers and an industry reference, flags waste, writes the
cycles to Parquet and prints alerts, then checks itself against the generator's ground truth.

Options:
  --homes N     homes to simulate (default ${DEFAULTS.homes})
  --days N      days of readings (default ${DEFAULTS.days}; ignored with --follow)
  --seed N      generator seed (default ${DEFAULTS.seed})
  --follow      run in real time until Ctrl-C, with the web UI
  --rate N      with --follow: meter seconds per second (default ${DEFAULTS.rate})
  --out DIR     keep results (Parquet, checkpoints) in DIR (default: a temporary directory)
  --alerts N    alerts printed per micro-batch (default ${DEFAULTS.alerts})
  -h, --help    this help`;

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): CliOptions | "help" {
  const o: CliOptions = { ...DEFAULTS };
  const num = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || v.startsWith("--") || !Number.isFinite(n) || n < min) throw new UsageError(`${flag} needs a number >= ${min}${v === undefined ? "" : ` (got '${v}')`}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case "-h":
      case "--help":
        return "help";
      case "--homes":
        o.homes = Math.floor(num(flag, value(), 1));
        break;
      case "--days":
        o.days = num(flag, value(), 0.01);
        break;
      case "--seed":
        o.seed = Math.floor(num(flag, value(), 0));
        break;
      case "--rate":
        o.rate = num(flag, value(), 0.001);
        break;
      case "--alerts":
        o.alerts = Math.floor(num(flag, value(), 0));
        break;
      case "--out": {
        const v = value();
        if (v === undefined) throw new UsageError("--out needs a directory");
        o.out = v;
        break;
      }
      case "--follow":
        o.follow = true;
        break;
      default:
        throw new UsageError(`unknown option '${a}'`);
    }
  }
  return o;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

export function formatSummary(s: EnergySummary): string {
  const apps = Object.entries(s.byAppliance).map(([k, v]) => `${k} ${v}`).join(", ");
  return [
    "Summary",
    `  homes                 ${s.homes}`,
    `  readings (raw)        ${s.rawReadings.toLocaleString("en-US")} in ${s.batches} micro-batches`,
    `  readings (clean)      ${s.cleanReadings.toLocaleString("en-US")} after dropping glitches, duplicates and ${s.droppedLate} readings too late for the watermark`,
    `  1-minute windows      ${s.minutes.toLocaleString("en-US")} (${s.minuteReadings.toLocaleString("en-US")} readings)`,
    `  cycles detected       ${s.cycles} (${apps})`,
    `  flagged inefficient   ${s.flagged} (${pct(s.shareFlagged)})`,
    `  ground truth          ${s.truthCycles} cycles, ${s.truthFlagged} inefficient`,
    `  cycle detection       precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)} (same home and appliance, overlapping time)`,
    `  waste flags           precision ${s.flagPrecision.toFixed(3)}, recall ${s.flagRecall.toFixed(3)} (on matched cycles)`,
    `  results               ${s.cyclesPath} (Parquet)`,
    `  time                  ${s.seconds.toFixed(1)} s${s.stage1Seconds > 0 ? ` (clean + dedup ${s.stage1Seconds.toFixed(1)} s, resample + detect ${(s.seconds - s.stage1Seconds).toFixed(1)} s of which detection ${s.detectSeconds.toFixed(1)} s)` : ""}`,
  ].join("\n");
}

export async function main(argv: readonly string[]): Promise<number> {
  let opts: CliOptions | "help";
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (opts === "help") {
    console.log(USAGE);
    return 0;
  }
  const spark = Session.builder()
    .appName("energy-waste-checker")
    .config("sluice.sql.session.timeZone", "UTC")
    .config("sluice.sql.streaming.checkpoint.fsync", "false")
    .getOrCreate();
  const tmp = opts.out === null ? mkdtempSync(join(tmpdir(), "sluice-energy-")) : null;
  const outDir = opts.out ?? join(tmp!, "energy");
  const abort = new AbortController();
  const onSigint = (): void => {
    console.log("\nStopping after the current micro-batch...");
    abort.abort();
  };
  try {
    console.log(
      opts.follow
        ? `Energy waste checker: ${opts.homes} homes in real time, ${opts.rate}x (Ctrl-C stops)`
        : `Energy waste checker: ${opts.homes} homes, ${opts.days} day${opts.days === 1 ? "" : "s"} of 10-second readings (${Math.round(opts.homes * opts.days * 8640).toLocaleString("en-US")} meter ticks)`,
    );
    console.log(`Reference per cycle: ${REFERENCE.map((r) => `${r.appliance} ≤ ${r.max_kwh} kWh`).join(", ")}; boilers not in 17:00–20:00, dish/washing machines not twice within 16 h.\n`);
    if (opts.follow) {
      process.once("SIGINT", onSigint);
      try {
        const url = await spark.monitoring.startUi();
        console.log(`Web UI: ${url}\n`);
      } catch (e) {
        console.log(`(web UI not started: ${(e as Error).message})\n`);
      }
    }
    const summary = await runEnergyPipeline(spark, {
      homes: opts.homes,
      days: opts.days,
      seed: opts.seed,
      outDir,
      alertsPerBatch: opts.alerts,
      follow: opts.follow ? { rate: opts.rate, signal: abort.signal } : undefined,
    });
    spark.createDataFrame(REFERENCE, "appliance STRING, typical_kwh DOUBLE, max_kwh DOUBLE, max_minutes DOUBLE").createOrReplaceTempView("reference");
    if (summary.cycles > 0) {
      console.log("\nHomes whose cycles use the most energy relative to their peers:");
      await showWorstHomes(spark, outDir, 8);
    }
    console.log(formatSummary(summary));
    return 0;
  } finally {
    process.removeListener("SIGINT", onSigint);
    await spark.monitoring.close();
    if (tmp !== null) rmSync(tmp, { recursive: true, force: true });
  }
}
