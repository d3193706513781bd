/**
 * A micro-batch asks each source for the columns the query reads (Spark's required-columns
 * pushdown into a scan): the source may build only those, or give every column and the engine
 * drops the rest. Results do not depend on which the source does.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { col, count, window } from "../../src/api/functions.js";
import { type RecordBatch, keepColumns, makeBatch } from "../../src/batch/record-batch.js";
import { makeVector } from "../../src/batch/vector.js";
import { type Offset, ReadLimit, type Source } from "../../src/streaming/source.js";
import { registerStreamSource } from "../../src/streaming/stream-source-registry.js";
import { IntegerType, StringType, TimestampType, structField, structType } from "../../src/types/data-type.js";
import { sourceColumnsRead } from "../../src/streaming/source-columns.js";

const spark = Session.builder().getOrCreate();
spark.conf.set("spark.sql.session.timeZone", "UTC");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-source-columns-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const SCHEMA = structType([structField("a", IntegerType, false), structField("b", StringType, false), structField("c", IntegerType, false), structField("t", TimestampType, false)]);

/** Ten rows per offset; records the columns each getBatch was asked for; `prunes`: gives only those. */
class TenRows implements Source {
  readonly schema = SCHEMA;
  readonly description = "TenRows";
  constructor(private readonly asked: (readonly string[] | undefined)[], private readonly prunes: boolean) {}
  initialOffset(): Offset {
    return 0;
  }
  defaultReadLimit(): ReadLimit {
    return ReadLimit.maxRows(10);
  }
  latestOffset(start: Offset, limit: ReadLimit): Offset {
    return limit.kind === "maxRows" ? Math.min(3, Number(start) + 1) : 3;
  }
  async getBatch(start: Offset, end: Offset, columns?: readonly string[]): Promise<RecordBatch[]> {
    this.asked.push(columns);
    const from = Number(start) * 10, n = (Number(end) - Number(start)) * 10;
    const ids = Array.from({ length: n }, (_, i) => from + i);
    const b = makeBatch(SCHEMA, [
      makeVector(IntegerType, n, Int32Array.from(ids), null),
      makeVector(StringType, n, ids.map((i) => `s${i % 3}`), null),
      makeVector(IntegerType, n, Int32Array.from(ids.map((i) => i % 4)), null),
      makeVector(TimestampType, n, Float64Array.from(ids.map((i) => 1_700_000_000_000_000 + i * 1_000_000)), null),
    ], n);
    return [this.prunes && columns ? keepColumns(b, columns) : b];
  }
  commit(): void {}
  stop(): void {}
}

const asked = new Map<string, (readonly string[] | undefined)[]>();
registerStreamSource({
  name: "test-ten-rows",
  resolve: (req) => {
    const key = req.options["key"]!;
    const log = asked.get(key) ?? [];
    asked.set(key, log);
    return { kind: "StreamingSourceProvider", name: "test-ten-rows", schema: SCHEMA, createSource: () => new TenRows(log, req.options["prunes"] === "true") };
  },
});

async function rowsOf(key: string, prunes: boolean, query: (df: ReturnType<typeof spark.readStream.load>) => ReturnType<typeof spark.readStream.load>, mode: "append" | "update" = "append"): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  const df = spark.readStream.format("test-ten-rows").option("key", key).option("prunes", prunes).load();
  const q = await query(df).writeStream.outputMode(mode).option("checkpointLocation", path.join(root, key))
    .foreachBatch(async (b) => void out.push(...(await b.collect())))
    .trigger({ availableNow: true }).start();
  await q.awaitTermination();
  return out;
}

void describe("columns a streaming query reads", () => {
  void it("are asked of the source, in schema order; the answer is the same whether the source prunes or not", async () => {
    const q = (df: ReturnType<typeof spark.readStream.load>) => df.filter(col("c").gt(1)).select(col("b"), col("a"));
    const full = await rowsOf("full", false, q);
    const pruned = await rowsOf("pruned", true, q);
    assert.equal(full.length, 14);
    assert.deepEqual(pruned, full);
    assert.deepEqual(asked.get("full"), [["a", "b", "c"], ["a", "b", "c"], ["a", "b", "c"]]);
    assert.deepEqual(asked.get("pruned"), asked.get("full"));
  });

  void it("every column when the query reads every column", async () => {
    const rows = await rowsOf("all", true, (df) => df);
    assert.equal(rows.length, 30);
    assert.deepEqual(Object.keys(rows[0]!), ["a", "b", "c", "t"]);
    assert.deepEqual(asked.get("all")![0], ["a", "b", "c", "t"]);
  });

  void it("a stateful query with a watermark gets the same counts from a pruning source", async () => {
    const q = (df: ReturnType<typeof spark.readStream.load>) => df.select(col("b"), col("t")).withWatermark("t", "5 seconds").groupBy(window(col("t"), "10 seconds"), col("b")).agg(count("*").alias("n"));
    const total = (rows: Record<string, unknown>[]) => rows.reduce((n, r) => n + Number(r["n"]), 0);
    const pruned = await rowsOf("stateful", true, q, "update");
    assert.deepEqual(asked.get("stateful")![0], ["b", "t"]);
    // Update mode emits a group's running count when it changes: the last count per group sums to 30 rows.
    const last = new Map<string, number>();
    for (const r of pruned) last.set(`${String(r["b"])}|${JSON.stringify(r["window"])}`, Number(r["n"]));
    assert.equal([...last.values()].reduce((a, b) => a + b, 0), 30);
    assert.ok(total(pruned) >= 30);
  });

  void it("every column when a node uses columns it does not name (a union by position, a dedup of whole rows)", () => {
    const df = spark.readStream.format("test-ten-rows").option("key", "implicit").load();
    assert.equal(sourceColumnsRead(df.select(col("a")).union(df.select(col("c"))).plan).size, 0);
    assert.equal(sourceColumnsRead(df.dropDuplicates().select(col("a")).plan).size, 0);
    assert.deepEqual([...sourceColumnsRead(df.select(col("a")).plan).values()], [["a"]]);
    assert.deepEqual([...sourceColumnsRead(df.groupBy().count().plan).values()], [["a"]], "count(*) reads no column; the first holds the rows");
  });
});
