import assert from "node:assert/strict";
import { test } from "node:test";
import { Session, col, functions as F, Window } from "../../src/index.js";

// The example in README.md, checked: if this test changes, the README must too.
test("the README example prints and returns what the README says", async () => {
  const spark = Session.builder().appName("app").create();
  const sales = spark.createDataFrame(
    [
      { region: "north", item: "tea", amount: 3.5, ts: new Date("2026-01-01T10:00:00Z") },
      { region: "north", item: "cake", amount: 4.0, ts: new Date("2026-01-01T11:00:00Z") },
      { region: "south", item: "tea", amount: 2.5, ts: new Date("2026-01-02T09:30:00Z") },
    ],
    "region STRING, item STRING, amount DOUBLE, ts TIMESTAMP",
  );
  const table = await sales
    .groupBy("region")
    .agg(F.sum("amount").alias("total"), F.count("*").alias("n"))
    .orderBy(col("total").desc())
    .showString();
  assert.equal(table, ["+------+-----+---+", "|region|total|  n|", "+------+-----+---+", "| north|  7.5|  2|", "| south|  2.5|  1|", "+------+-----+---+", ""].join("\n"));

  sales.createOrReplaceTempView("sales");
  const rows = await spark.sql("SELECT item, sum(amount) AS total FROM sales GROUP BY item ORDER BY item").collect();
  assert.deepEqual(rows, [{ item: "cake", total: 4 }, { item: "tea", total: 6 }]);

  const w = Window.partitionBy("region").orderBy("ts");
  const running = await sales.withColumn("running", F.sum("amount").over(w)).orderBy("region", "ts").collect();
  assert.deepEqual(running.map((r) => r["running"]), [3.5, 7.5, 2.5]);
});
