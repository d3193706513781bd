// count(*) and count(x) per group (agg-slot.ts CountSlot), with and without a FILTER whose
// condition may be null (a null condition drops the row, as WHERE does), over columns with and
// without nulls: the pass for columns without nulls must count what the general one counts
// (beside a distinct count: the fused aggregation loop takes plain counts otherwise).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Session, expr, parseSchemaDDL } from "../../src/index.js";

const spark = Session.builder().appName("count-slots-test").create();
spark.conf.set("sluice.executor.threads", 1);

describe("counts per group", () => {
  it("count(*), count(x) and their FILTERs equal a plain count of the rows they keep", async () => {
    const row = fc.record({ g: fc.integer({ min: 0, max: 4 }), x: fc.integer({ min: 0, max: 9 }), y: fc.option(fc.integer({ min: 0, max: 9 }), { nil: null }), c: fc.option(fc.boolean(), { nil: null }) });
    await fc.assert(fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 80 }), async (rows) => {
      // x never null (the fast pass), y sometimes (the general one).
      const df = spark.createDataFrame(rows, parseSchemaDDL("g INT, x INT NOT NULL, y INT, c BOOLEAN"));
      const got = await df.groupBy("g").agg(
        expr("count(*)").alias("n"), expr("count(*) FILTER (WHERE c)").alias("nc"), expr("count(x) FILTER (WHERE x > 4)").alias("nx"),
        expr("count(y)").alias("ny"), expr("count(y) FILTER (WHERE c)").alias("nyc"),
        // A distinct count keeps the aggregation off the fused loop, on the slots.
        expr("count(DISTINCT x)").alias("dx"),
      ).collect();
      for (const r of got) {
        const mine = rows.filter((x) => x.g === Number(r["g"]));
        assert.equal(Number(r["n"]), mine.length);
        assert.equal(Number(r["nc"]), mine.filter((x) => x.c === true).length);
        assert.equal(Number(r["nx"]), mine.filter((x) => x.x > 4).length);
        assert.equal(Number(r["ny"]), mine.filter((x) => x.y !== null).length);
        assert.equal(Number(r["nyc"]), mine.filter((x) => x.y !== null && x.c === true).length);
        assert.equal(Number(r["dx"]), new Set(mine.map((x) => x.x)).size);
      }
    }), { numRuns: 150 });
  });
});
