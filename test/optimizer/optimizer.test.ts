import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { col, functions as F } from "../../src/index.js";
import { optimize } from "../../src/optimizer/optimizer.js";
import { planText, spark, table } from "./rule-harness.js";

describe("optimize (all rules to a fixed point)", () => {
  it("pushes filters and prunes columns down to a partitioned Parquet scan", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "sluice-opt-")), "data");
    await spark.createDataFrame([{ p: 1, s: "a", v: 10 }, { p: 2, s: "b", v: 20 }, { p: 1, s: "c", v: 30 }], "p INT, s STRING, v INT").write.partitionBy("p").parquet(dir);
    const df = spark.read.parquet(dir).where("p = 1").select(F.upper(col("s")).alias("u"), col("v").plus(1 + 1).alias("w")).where("w > 0");
    const optimized = optimize(df.plan);
    assert.equal(planText(optimized), `Project [upper(s#1) AS u#2, (v#3 + 2) AS w#4]
+- Filter ((p#5 = 1) AND ((v#3 + 2) > 0))
   +- Relation [s#1, v#3, p#5] parquet, PushedFilters: [EqualTo(p,1)]`);
    assert.equal(optimize(optimized), optimized, "a second run changes nothing");
    assert.deepEqual(await df.collect(), [{ u: "A", w: 12 }, { u: "C", w: 32 }]);
  });

  it("moves filters into join inputs and drops unused columns under an aggregate", async () => {
    const a = table([{ k: 1, v: 1 }, { k: 2, v: 0 }], "k INT, v INT").alias("a");
    const b = table([{ k: 1, w: 2 }, { k: 2, w: 5 }], "k INT, w INT").alias("b");
    const q = a.join(b, "k").where("v > 0 AND w > 1 AND 1 = 1").groupBy("k").agg(F.max("w").alias("mw")).orderBy("k").limit(10);
    const optimized = optimize(q.plan);
    assert.equal(planText(optimized), `Limit 10
+- Sort [k#1 ASC NULLS FIRST], true
   +- Aggregate [k#1], [k#1, max(w#2) AS mw#3]
      +- Project [k#1, w#2]
         +- Join Inner, (k#1 = k#4)
            :- Project [k#1]
            :  +- Filter (v#5 > 0)
            :     +- LocalRelation [k#1, v#5]
            +- Filter (w#2 > 1)
               +- LocalRelation [k#4, w#2]`);
    assert.equal(optimize(optimized), optimized);
    assert.deepEqual(await q.collect(), [{ k: 1, mw: 2 }]);
  });
});
