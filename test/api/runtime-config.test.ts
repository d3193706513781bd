import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Session, col, functions as F, lit } from "../../src/index.js";

describe("settings by Spark's names", () => {
  it("reach the Sluice setting of the same name, set from the builder, conf or SQL", async () => {
    const spark = Session.builder().config("sluice.executor.threads", 1).config("spark.sql.session.timeZone", "America/New_York").create();
    assert.equal(spark.conf.get("sluice.sql.session.timeZone"), "America/New_York");
    const noon = spark.range(1).select(F.date_format(lit("2024-01-02 12:00:00").cast("timestamp"), "HH:mm").alias("t"));
    assert.deepEqual(await noon.collect(), [{ t: "12:00" }]);
    const utcNoon = spark.range(1).select(F.date_format(F.timestamp_seconds(lit(1704196800)), "HH:mm").alias("t"));
    assert.deepEqual(await utcNoon.collect(), [{ t: "07:00" }], "12:00 UTC rendered in New York");

    spark.conf.set("spark.sql.ansi.enabled", true);
    assert.equal(spark.conf.get("sluice.sql.ansi.enabled"), "true");
    await assert.rejects(spark.range(3).select(lit(1).divide(col("id")).alias("x")).collect(), /DIVIDE_BY_ZERO/);
    spark.conf.unset("spark.sql.ansi.enabled");
    assert.equal(spark.conf.get("sluice.sql.ansi.enabled"), "false");

    await spark.sql("SET spark.sql.shuffle.partitions = 7").collect();
    assert.equal(spark.conf.get("sluice.sql.shuffle.partitions"), "7");
    assert.equal(spark.conf.get("spark.sql.shuffle.partitions"), "7");
    assert.equal(spark.conf.isModifiable("spark.sql.shuffle.partitions"), true);
  });

  it("keep other keys as they are", () => {
    const spark = Session.builder().config("spark.app.owner", "me").create();
    assert.equal(spark.conf.get("spark.app.owner"), "me");
    assert.equal(spark.conf.getOption("sluice.app.owner"), undefined);
    assert.throws(() => spark.conf.get("spark.sql.noSuchSetting"), /SQL_CONF_NOT_FOUND/);
  });
});
