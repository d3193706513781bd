import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Session } from "../../src/index.js";
import { type LogicalPlan, children } from "../../src/plan/logical-plan.js";
import { sameResult } from "../../src/plan/same-result.js";

const spark = Session.builder().appName("same-result").config("sluice.executor.threads", 1).create();
after(() => spark.stop());

/** The Aggregate nodes of a SQL query's analyzed plan, in tree order. */
function aggregates(sql: string): LogicalPlan[] {
  const out: LogicalPlan[] = [];
  const visit = (p: LogicalPlan): void => {
    if (p.kind === "Aggregate") out.push(p);
    children(p).forEach(visit);
  };
  visit(spark.sql(sql).plan);
  return out;
}

const ROWS = Array.from({ length: 50 }, (_, i) => ({ k: i % 5, t: new Date(Date.UTC(2024, 0, 1, 0, 0, i)) }));
spark.createDataFrame(ROWS, "k INT, t TIMESTAMP").createOrReplaceTempView("events");
spark.createDataFrame(ROWS, "k INT, t TIMESTAMP").createOrReplaceTempView("copy");
spark.read.format("nexmark").option("eventsNum", 1000).load().createOrReplaceTempView("bids");
spark.read.format("nexmark").option("eventsNum", 2000).load().createOrReplaceTempView("more_bids");

void describe("sameResult: plans that compute the same rows under other column ids", () => {
  void it("a CTE referenced twice: two analyses, other ids, the same rows", () => {
    const [a, b] = aggregates(`WITH c AS (SELECT k, count(*) AS n FROM events GROUP BY k) SELECT * FROM c x JOIN c y ON x.k = y.k`);
    assert.ok(a && b && a !== b);
    assert.notEqual(JSON.stringify(a), JSON.stringify(b), "the two copies differ in their ids");
    assert.ok(sameResult(a, b));
  });

  void it("window durations, literals and functions are compared", () => {
    const [w10, w5] = aggregates(`SELECT * FROM (SELECT window(t, '10 seconds') AS w, count(*) AS n FROM events GROUP BY window(t, '10 seconds')) a
      JOIN (SELECT window(t, '5 seconds') AS w, count(*) AS n FROM events GROUP BY window(t, '5 seconds')) b ON a.n = b.n`);
    assert.equal(sameResult(w10!, w5!), false, "10 s vs 5 s windows");
    const [gt1, gt2] = aggregates(`SELECT * FROM (SELECT k, count(*) AS n FROM events WHERE k > 1 GROUP BY k) a JOIN (SELECT k, count(*) AS n FROM events WHERE k > 2 GROUP BY k) b ON a.k = b.k`);
    assert.equal(sameResult(gt1!, gt2!), false, "k > 1 vs k > 2");
    const [cnt, mx] = aggregates(`SELECT * FROM (SELECT k, count(t) AS n FROM events GROUP BY k) a JOIN (SELECT k, max(t) AS n FROM events GROUP BY k) b ON a.k = b.k`);
    assert.equal(sameResult(cnt!, mx!), false, "count vs max");
  });

  void it("sources are compared by their options, rows in memory by identity", () => {
    const [few, many] = aggregates(`SELECT * FROM (SELECT auction, count(*) AS n FROM bids GROUP BY auction) a JOIN (SELECT auction, count(*) AS n FROM more_bids GROUP BY auction) b ON a.auction = b.auction`);
    assert.equal(sameResult(few!, many!), false, "eventsNum 1000 vs 2000");
    const [ev, cp] = aggregates(`SELECT * FROM (SELECT k, count(*) AS n FROM events GROUP BY k) a JOIN (SELECT k, count(*) AS n FROM copy GROUP BY k) b ON a.k = b.k`);
    assert.equal(sameResult(ev!, cp!), false, "equal rows in two DataFrames are two inputs");
  });

  void it("columns are matched by where they come from, not by name and type", () => {
    // Both group by a column `k` of type INT: the left input's in one, the right input's in the other.
    const [left, right] = aggregates(`SELECT * FROM (SELECT x.k, count(*) AS n FROM events x JOIN events y ON x.t < y.t GROUP BY x.k) a
      JOIN (SELECT y.k, count(*) AS n FROM events x JOIN events y ON x.t < y.t GROUP BY y.k) b ON a.k = b.k`);
    assert.equal(sameResult(left!, right!), false);
    const [kk, kt] = aggregates(`SELECT * FROM (SELECT k, max(k) AS m FROM events GROUP BY k) a JOIN (SELECT k, max(t) AS m FROM events GROUP BY k) b ON a.k = b.k`);
    assert.equal(sameResult(kk!, kt!), false);
  });
});
