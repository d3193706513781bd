import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { Session } from "../../../src/api/session.js";
import { col, functions as F } from "../../../src/index.js";

const spark = Session.builder().getOrCreate();
spark.conf.set("sluice.sql.session.timeZone", "UTC");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-smart-meter-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const opts = { homes: 20, days: 1, seed: 3 };
const key = (r: Record<string, unknown>): string => JSON.stringify(r);

void describe("format('smart-meter')", () => {
  void it("reads 10-second readings with gaps, duplicates and glitches, the same for the same seed", async () => {
    const df = spark.read.format("smart-meter").options(opts).load();
    assert.deepEqual(df.schema.fields.map((f) => `${f.name}:${f.dataType.kind}`), ["home:int", "ts:timestamp", "watts:double"]);
    const [s] = await df
      .agg(F.count("*").alias("n"), F.countDistinct("home", "ts").alias("distinct"), F.sum(F.when(col("watts").isNull().or(col("watts").lt(0)), 1).otherwise(0)).alias("glitches"), F.min("ts").alias("first"), F.max("ts").alias("last"))
      .collect();
    const ticks = opts.homes * 8640;
    assert.ok(Number(s!["distinct"]) > 0.95 * ticks && Number(s!["distinct"]) < 0.995 * ticks, `distinct ${String(s!["distinct"])}`);
    assert.ok(Number(s!["n"]) > Number(s!["distinct"]), "duplicates");
    assert.ok(Number(s!["glitches"]) > 0);
    assert.equal((s!["first"] as Date).toISOString(), "2026-01-05T00:00:00.000Z");
    assert.equal((s!["last"] as Date).toISOString(), "2026-01-05T23:59:50.000Z");
    const again = await spark.read.format("smart-meter").options(opts).load().filter("home = 3").collect();
    const first = await df.filter("home = 3").collect();
    assert.deepEqual(again.map(key), first.map(key));
    const other = await spark.read.format("smart-meter").options({ ...opts, seed: 4 }).load().filter("home = 3").collect();
    assert.notDeepEqual(other.map(key), first.map(key));
  });

  void it("has a truth table of appliance cycles with realistic energy and durations", async () => {
    const truth = spark.read.format("smart-meter").options({ ...opts, homes: 200, table: "truth" }).load();
    const rows = await truth
      .groupBy("appliance", "inefficient")
      .agg(F.count("*").alias("n"), F.min("energy_kwh").alias("lo"), F.max("energy_kwh").alias("hi"), F.min(col("end_ts").cast("long").minus(col("start_ts").cast("long"))).alias("dmin"), F.max(col("end_ts").cast("long").minus(col("start_ts").cast("long"))).alias("dmax"))
      .collect();
    const get = (a: string, ineff: boolean): Record<string, unknown> => rows.find((r) => r["appliance"] === a && r["inefficient"] === ineff)!;
    for (const a of ["dishwasher", "washing_machine", "boiler"]) for (const f of [false, true]) assert.ok(Number(get(a, f)["n"]) > 3, `${a} ${f}`);
    const normal = { dishwasher: [0.8, 1.5], washing_machine: [0.5, 1.0], boiler: [2.4, 5.1] } as const;
    for (const [a, [lo, hi]] of Object.entries(normal)) {
      const r = get(a, false);
      assert.ok(Number(r["lo"]) >= lo && Number(r["hi"]) <= hi, `${a}: ${String(r["lo"])}..${String(r["hi"])} kWh`);
      assert.ok(Number(r["dmin"]) >= 55 * 60 && Number(r["dmax"]) <= 3 * 3600, `${a} duration`);
    }
    const reasons = (await truth.filter("inefficient").select("reason").distinct().collect()).map((r) => r["reason"]).sort();
    assert.deepEqual(reasons, ["half-empty-frequent", "peak-time", "too-hot", "too-long"]);
  });

  void it("streams the same readings as the batch read, in micro-batches of maxTicksPerTrigger, and stops with availableNow", async () => {
    const small = { homes: 5, days: 0.25, seed: 9 };
    const q = await spark.readStream.format("smart-meter").options({ ...small, maxTicksPerTrigger: 720 }).load()
      .writeStream.format("memory").queryName("sm_stream").option("checkpointLocation", path.join(root, "stream")).trigger({ availableNow: true }).start();
    await q.awaitTermination();
    const batches = q.recentProgress.filter((p) => p.numInputRows > 0).map((p) => p.numInputRows);
    assert.ok(batches.length >= 3 && batches[0]! > 5 * 700, `2160 ticks (+ late ones) in batches of 720: ${batches.join(", ")}`);
    const got = (await spark.table("sm_stream").collect()).map(key).sort();
    const expected = (await spark.read.format("smart-meter").options(small).load().collect()).map(key).sort();
    assert.deepEqual(got, expected);
  });

  void it("rejects bad options", () => {
    assert.throws(() => spark.read.format("smart-meter").option("homes", 0).load(), /homes/);
    assert.throws(() => spark.read.format("smart-meter").option("table", "x").load(), /readings or truth/);
    assert.throws(() => spark.readStream.format("smart-meter").option("table", "truth").load(), /truth/);
  });
});
