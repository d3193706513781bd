import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Session, col, expr } from "../../src/index.js";
import { explainPhysical } from "../../src/physical/planner.js";
import { type JoinHow, type Row, canonicalRows, tableOf, tableArb, withOptimizer } from "./query-gen.js";

const spark = Session.builder().appName("physical-property").create();

const COLS = ["i", "l", "d", "s"] as const;

describe("physical strategies agree", () => {
  it("an equi-join by hash keys equals the same join on a condition the planner cannot split into keys", async () => {
    const howArb = fc.constantFrom<Exclude<JoinHow, "cross">>("inner", "left_outer", "right_outer", "full_outer", "left_semi", "left_anti");
    await fc.assert(
      fc.asyncProperty(tableArb, tableArb, howArb, fc.constantFrom("i", "l", "s"), fc.option(fc.constantFrom("x.i < y.i", "y.d >= 0", "x.s = 'a'"), { nil: null }), async (r0, r1, how, key, extra) => {
        const x = tableOf(spark, r0).alias("x"), y = tableOf(spark, r1).alias("y");
        const withExtra = (c: string): string => (extra ? `${c} AND ${extra}` : c);
        const semi = how === "left_semi" || how === "left_anti";
        const out = semi ? COLS.map((c) => col(`x.${c}`)) : [...COLS.map((c) => col(`x.${c}`).alias(`x${c}`)), ...COLS.map((c) => col(`y.${c}`).alias(`y${c}`))];
        const hashed = x.join(y, expr(withExtra(`x.${key} = y.${key}`)), how).select(...out);
        // coalesce(.., false) is the same test for a join, but not an equality the planner turns into keys.
        const looped = x.join(y, expr(withExtra(`coalesce(x.${key} = y.${key}, false)`)), how).select(...out);
        assert.match(explainPhysical(spark.physicalPlan(looped.plan)), /BroadcastNestedLoopJoin/, "the coalesce join must have no hash keys");
        assert.doesNotMatch(explainPhysical(spark.physicalPlan(hashed.plan)), /BroadcastNestedLoopJoin/, "the equi-join must use hash keys");
        assert.deepEqual(canonicalRows(await looped.collect()), canonicalRows(await hashed.collect()));
      }),
      { numRuns: 100 },
    );
  });

  it("an inner join equals a cross join filtered on the keys (run as a nested loop without the optimizer)", async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, tableArb, fc.constantFrom("i", "l", "s"), async (r0, r1, key) => {
        const x = tableOf(spark, r0).alias("x"), y = tableOf(spark, r1).alias("y");
        const out = [...COLS.map((c) => col(`x.${c}`).alias(`x${c}`)), ...COLS.map((c) => col(`y.${c}`).alias(`y${c}`))];
        const hashed = x.join(y, col(`x.${key}`).equalTo(col(`y.${key}`)), "inner").select(...out);
        const crossed = x.crossJoin(y).where(`x.${key} = y.${key}`).select(...out);
        const nested = await withOptimizer(spark, false, () => crossed.collect());
        assert.deepEqual(canonicalRows(nested), canonicalRows(await hashed.collect()));
      }),
      { numRuns: 100 },
    );
  });

  it("grouped aggregates equal a plain JavaScript reference (nulls skipped, all-null groups null, NaN largest)", async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, fc.constantFrom<"i" | "s">("i", "s"), async (rows, key) => {
        const df = tableOf(spark, rows).groupBy(key).agg(
          expr("count(*)").alias("cnt"), expr("count(d)").alias("cd"), expr("sum(l)").alias("sl"), expr("min(i)").alias("mini"),
          expr("max(i)").alias("maxi"), expr("avg(i)").alias("avgi"), expr("min(d)").alias("mind"), expr("max(d)").alias("maxd"), expr("sum(d)").alias("sd"),
        );
        assert.deepEqual(canonicalRows(await df.collect()), canonicalRows(reference(rows, key)));
      }),
      { numRuns: 100 },
    );
  });
});

/** Spark's double order: NaN above every number. */
const dblLess = (a: number, b: number): boolean => (Number.isNaN(a) ? false : Number.isNaN(b) ? true : a < b);

function reference(rows: readonly Row[], key: "i" | "s"): Record<string, unknown>[] {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const k = JSON.stringify(r[key]);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  return [...groups.values()].map((g) => {
    const is = g.map((r) => r.i).filter((v): v is number => v !== null);
    const ls = g.map((r) => r.l).filter((v): v is number => v !== null);
    const ds = g.map((r) => r.d).filter((v): v is number => v !== null);
    const pick = (xs: number[], better: (a: number, b: number) => boolean): number | null => (xs.length ? xs.reduce((a, b) => (better(b, a) ? b : a)) : null);
    return {
      [key]: g[0]![key],
      cnt: g.length,
      cd: ds.length,
      sl: ls.length ? ls.reduce((a, b) => a + b, 0) : null,
      mini: pick(is, (a, b) => a < b),
      maxi: pick(is, (a, b) => a > b),
      avgi: is.length ? is.reduce((a, b) => a + b, 0) / is.length : null,
      mind: pick(ds, dblLess),
      maxd: pick(ds, (a, b) => dblLess(b, a)),
      sd: ds.length ? ds.reduce((a, b) => a + b, 0) : null,
    };
  });
}
