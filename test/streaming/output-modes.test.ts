import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { col } from "../../src/api/functions.js";
import { AnalysisError, StreamingError } from "../../src/errors/errors.js";
import { AddData, CheckAnswer, CheckNewAnswer, StartStream, StopStream, testStream } from "./stream-test.js";

const spark = Session.builder().getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-output-modes-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

void describe("output modes of stateless queries (Spark's rules, checked at start())", () => {
  void it("complete is refused with Spark's reason", async () => {
    const input = spark.memoryStream("a INT");
    await assert.rejects(
      input.toDF().where(col("a").gt(0)).writeStream.format("memory").queryName("om_complete").outputMode("complete").start(),
      (e: unknown) => e instanceof StreamingError && /^Complete output mode not supported when there are no streaming aggregations on streaming DataFrames\/Datasets/.test(e.message),
    );
    assert.equal(spark.streams.active.filter((q) => q.name === "om_complete").length, 0, "nothing was started");
  });

  void it("update behaves as append: each batch adds its new rows once", async () => {
    const input = spark.memoryStream("a INT");
    await testStream(input.toDF().select(col("a").multiply(2).alias("b")), "update", [
      AddData(input, [{ a: 1 }, { a: 2 }]),
      CheckAnswer([{ b: 2 }, { b: 4 }]),
      StopStream,
      AddData(input, [{ a: 3 }]),
      StartStream(),
      CheckNewAnswer([{ b: 6 }]),
      CheckAnswer([{ b: 2 }, { b: 4 }, { b: 6 }]),
    ]);
  });

  void it("append and update are accepted by memory, console and foreachBatch sinks", async () => {
    const input = spark.memoryStream("a INT");
    for (const mode of ["append", "update"] as const) {
      const qs = [
        await input.toDF().writeStream.format("memory").queryName(`om_mem_${mode}`).outputMode(mode).start(),
        await input.toDF().writeStream.format("console").outputMode(mode).trigger({ once: true }).start(),
        await input.toDF().writeStream.foreachBatch(() => undefined).outputMode(mode).start(),
      ];
      for (const q of qs) await q.stop();
    }
  });

  void it("file sinks accept append only", async () => {
    const input = spark.memoryStream("a INT");
    for (const mode of ["update", "complete"] as const) {
      await assert.rejects(
        input.toDF().writeStream.format("json").outputMode(mode).option("checkpointLocation", path.join(root, `c-${mode}`)).start(path.join(root, `o-${mode}`)),
        (e: unknown) => (e instanceof AnalysisError || e instanceof StreamingError) && new RegExp(`(does not support ${mode[0]!.toUpperCase()}${mode.slice(1)} output mode|Complete output mode not supported)`).test(e.message),
      );
    }
  });

  void it("an unknown output mode is refused by the writer", () => {
    assert.throws(() => spark.memoryStream("a INT").toDF().writeStream.outputMode("upsert"), /Unknown output mode upsert. Accepted output modes are 'append', 'complete', 'update'/);
  });
});
