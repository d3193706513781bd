/**
 * `npm start`: a batch job over generated smart-meter readings, end to end through the engine.
 * It generates readings, writes them as Parquet, reads them back, and reports with the
 * DataFrame API and SQL which homes use the most energy and when. (The streaming demo of the
 * operations issue will replace this.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session, col, functions as F, Window } from "../src/index.js";

const homes = Number(process.env.SLUICE_DEMO_HOMES ?? 500);
const days = Number(process.env.SLUICE_DEMO_DAYS ?? 2);
const spark = Session.builder().appName("energy-report").config("sluice.sql.session.timeZone", "UTC").getOrCreate();
const dir = mkdtempSync(join(tmpdir(), "sluice-demo-"));

try {
  const started = Date.now();
  // One reading per home every 15 minutes: a base load, a daily cycle, and an evening peak that
  // differs by home; about 1% of readings are missing (null).
  const readings = spark
    .range(0, homes * days * 96)
    .select(
      col("id").mod(homes).cast("int").alias("home"),
      F.timestamp_seconds(F.lit(1_767_225_600).plus(col("id").divide(homes).cast("long").multiply(900))).alias("ts"),
      col("id"),
    )
    .withColumn("hour", F.hour(col("ts")))
    .withColumn(
      "kwh",
      F.when(F.pmod(F.hash(col("id")), 100).lt(1), F.lit(null)).otherwise(
        F.round(
          F.lit(0.05)
            .plus(col("home").mod(7).multiply(0.01))
            .plus(F.when(col("hour").between(18, 21), col("home").mod(5).multiply(0.08)).otherwise(0))
            .plus(F.sin(col("hour").multiply(Math.PI / 12)).multiply(0.02)),
          3,
        ),
      ),
    )
    .drop("id", "hour");

  const path = join(dir, "readings");
  const written = await readings.write.mode("overwrite").partitionBy("home").parquet(path);
  console.log(`Generated ${written.rows.toLocaleString()} readings for ${homes} homes over ${days} days into ${written.files.length} Parquet files.\n`);

  const df = spark.read.parquet(path);
  df.printSchema();

  console.log("\nDaily energy per home (kWh), the ten heaviest users:");
  const daily = df
    .groupBy(col("home"), F.to_date(col("ts")).alias("day"))
    .agg(F.round(F.sum("kwh"), 2).alias("kwh"), F.max("kwh").alias("peak"), F.count("kwh").alias("readings"));
  const ranked = daily.withColumn("rank", F.dense_rank().over(Window.partitionBy("day").orderBy(col("kwh").desc())));
  await ranked.filter(col("rank").leq(10)).orderBy("day", "rank", "home").show(10);

  df.createOrReplaceTempView("readings");
  console.log("Share of energy used in the evening peak (18:00-21:59), by home size class:");
  await spark
    .sql(`
      SELECT home % 5 AS class,
             count(DISTINCT home) AS homes,
             round(sum(CASE WHEN hour(ts) BETWEEN 18 AND 21 THEN kwh END) / sum(kwh), 3) AS evening_share,
             round(avg(kwh), 4) AS avg_kwh,
             approx_count_distinct(home) AS approx_homes
      FROM readings
      GROUP BY home % 5
      ORDER BY class`)
    .show();

  console.log("Summary of readings:");
  await df.select("kwh").summary("count", "mean", "min", "50%", "max").show();
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
