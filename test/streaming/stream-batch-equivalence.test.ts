/**
 * The engine's central invariant (DESIGN.md): the same query over the same data gives the same
 * answer as a batch job, whatever the micro-batch boundaries. For random stateless queries —
 * filters, projections with arithmetic and CASE, explode, a UDF, unions of two streams — and
 * random splits of random rows into addData calls on two memory streams, with a StopStream /
 * StartStream from the checkpoint at a random point, the memory sink (append) holds exactly the
 * rows of the batch query over all the rows (as multisets), and at the restart point exactly
 * those over the rows added so far.
 */
import { describe, it } from "node:test";
import fc from "fast-check";
import type { DataFrame } from "../../src/api/dataframe.js";
import { Session } from "../../src/api/session.js";
import { array, col, explode, udf } from "../../src/api/functions.js";
import { parseSchemaDDL } from "../../src/types/ddl.js";
import { type Row, SCHEMA, predArb, rowArb } from "../property/query-gen.js";
import { AddData, CheckAnswer, StartStream, type StreamAction, StopStream, testStream } from "./stream-test.js";

const spark = Session.builder().appName("stream-batch-equivalence").getOrCreate();

type Q =
  | { readonly op: "source"; readonly t: 0 | 1 }
  | { readonly op: "filter"; readonly pred: string; readonly q: Q }
  | { readonly op: "project"; readonly exprs: readonly string[]; readonly q: Q }
  | { readonly op: "explode"; readonly q: Q }
  | { readonly op: "udf"; readonly q: Q }
  | { readonly op: "union"; readonly left: Q; readonly right: Q };

const projArb: fc.Arbitrary<string[]> = fc
  .tuple(
    fc.constantFrom("i", "i + 1", "i * 2", "coalesce(i, 0)", "CASE WHEN s = 'a' THEN i WHEN s IS NULL THEN 7 ELSE -i END", "CAST(l AS INT)"),
    fc.constantFrom("l", "l + i", "l * 2", "coalesce(l, 7)", "CASE WHEN l > 0 THEN l ELSE 0 END"),
    fc.constantFrom("d", "d * 2", "d + i", "CASE WHEN isnan(d) THEN 0.5 ELSE d END", "d - 1.5"),
    fc.constantFrom("s", "upper(s)", "concat(s, 'x')", "CAST(i AS STRING)", "CASE WHEN i > 0 THEN 'pos' ELSE s END"),
  )
  .map(([i, l, d, s]) => [`CAST(${i} AS INT) AS i`, `CAST(${l} AS BIGINT) AS l`, `CAST(${d} AS DOUBLE) AS d`, `CAST(${s} AS STRING) AS s`]);

const queryArb: fc.Arbitrary<Q> = fc.letrec<{ q: Q }>((tie) => ({
  q: fc.oneof(
    { depthSize: "small", withCrossShrink: true, maxDepth: 4 },
    fc.constantFrom<0 | 1>(0, 1).map((t): Q => ({ op: "source", t })),
    fc.record({ pred: predArb, q: tie("q") }).map((r): Q => ({ op: "filter", ...r })),
    fc.record({ exprs: projArb, q: tie("q") }).map((r): Q => ({ op: "project", ...r })),
    tie("q").map((q): Q => ({ op: "explode", q })),
    tie("q").map((q): Q => ({ op: "udf", q })),
    fc.record({ left: tie("q"), right: tie("q") }).map((r): Q => ({ op: "union", ...r })),
  ),
})).q;

const tag = udf((s: string | null, i: number | null) => (s === null ? null : `${s}:${i ?? "-"}`), "string", { name: "tag" });

/** The query over two inputs (streaming or static), keeping the schema `i, l, d, s`. */
function build(q: Q, inputs: readonly [DataFrame, DataFrame]): DataFrame {
  switch (q.op) {
    case "source": return inputs[q.t];
    case "filter": return build(q.q, inputs).where(q.pred);
    case "project": return build(q.q, inputs).selectExpr(...q.exprs);
    case "explode":
      // Each row becomes two (or one when i is null: array(null, null) still gives two rows).
      return build(q.q, inputs).select(explode(array(col("i"), col("i").plus(10))).alias("i"), col("l"), col("d"), col("s"));
    case "udf": return build(q.q, inputs).select(col("i"), col("l"), col("d"), tag(col("s"), col("i")).alias("s"));
    case "union": return build(q.left, inputs).union(build(q.right, inputs));
  }
}

/** One addData call: which stream, which rows. */
interface Step {
  readonly t: 0 | 1;
  readonly rows: readonly Row[];
}

const stepsArb: fc.Arbitrary<Step[]> = fc.array(fc.record({ t: fc.constantFrom<0 | 1>(0, 1), rows: fc.array(rowArb, { maxLength: 5 }) }), { minLength: 1, maxLength: 8 });

const batchAnswer = async (q: Q, steps: readonly Step[]): Promise<Record<string, unknown>[]> => {
  const table = (t: 0 | 1): DataFrame => spark.createDataFrame(steps.filter((s) => s.t === t).flatMap((s) => s.rows) as unknown as Record<string, unknown>[], parseSchemaDDL(SCHEMA));
  return build(q, [table(0), table(1)]).collect();
};

void describe("stream/batch equivalence", () => {
  void it("random stateless queries over random micro-batch splits, restarted from the checkpoint in the middle, equal the batch query", async () => {
    await fc.assert(
      fc.asyncProperty(queryArb, stepsArb, fc.nat(), async (q, steps, cut) => {
        const streams = [spark.memoryStream(SCHEMA), spark.memoryStream(SCHEMA)] as const;
        const df = build(q, [streams[0].toDF() as unknown as DataFrame, streams[1].toDF() as unknown as DataFrame]);
        const restartAt = cut % (steps.length + 1);
        const add = (s: Step): StreamAction => AddData(streams[s.t], s.rows as unknown as Record<string, unknown>[]);
        const actions: StreamAction[] = [
          ...steps.slice(0, restartAt).map(add),
          CheckAnswer(await batchAnswer(q, steps.slice(0, restartAt))),
          StopStream,
          ...steps.slice(restartAt, restartAt + 1).map(add),
          StartStream(),
          ...steps.slice(restartAt + 1).map(add),
          CheckAnswer(await batchAnswer(q, steps)),
        ];
        await testStream(df, "append", actions);
      }),
      { numRuns: 40 },
    );
  });
});
