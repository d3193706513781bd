import assert from "node:assert/strict";
import { test } from "node:test";
import { Session, parseSchemaDDL } from "../../src/index.js";

// JavaScript's % yields -0 for a negative dividend; integral SQL types have no negative zero.
test("integral remainder and pmod never produce -0, with or without the optimizer", async () => {
  const spark = Session.builder().create();
  for (const enabled of [true, false]) {
    spark.conf.set("sluice.sql.optimizer.enabled", enabled);
    const [row] = await spark
      .createDataFrame([{ i: -2, l: -4 }], parseSchemaDDL("i INT, l BIGINT"))
      .selectExpr("CAST(i % 2 AS BIGINT) AS a", "CAST(i % 2 AS DOUBLE) AS b", "l % 2 AS c", "pmod(i, 2) AS d", "CAST(pmod(l, 2) AS DOUBLE) AS e")
      .collect();
    for (const [k, v] of Object.entries(row!)) assert.ok(Object.is(v, 0), `${k} should be +0 (optimizer ${enabled}), got ${Object.is(v, -0) ? "-0" : String(v)}`);
  }
});

test("a double remainder keeps Java's sign of zero", async () => {
  const spark = Session.builder().create();
  const [row] = await spark.sql("SELECT CAST(-2.0 AS DOUBLE) % CAST(2.0 AS DOUBLE) AS r").collect();
  assert.ok(Object.is(row!["r"], -0));
});
