// A fused aggregation copies what it needs out of each batch before it asks for the next, so it
// lets a scan refill the same arrays (ScanOptions.reuseBuffers); every other reader of a scan
// keeps the batches it is given and must get fresh arrays.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Session, col, functions as F } from "../../src/index.js";
import type { RecordBatch } from "../../src/batch/record-batch.js";
import { valueAt } from "../../src/batch/vector.js";
import { nexmarkConfig } from "../../src/connectors/nexmark/nexmark-config.js";
import { generateNexmarkColumns } from "../../src/connectors/nexmark/nexmark-generator.js";
import type { ScanOptions } from "../../src/connectors/source-registry.js";
import { DataSourceScanExec } from "../../src/physical/data-source-scan-exec.js";
import { HashAggregateExec } from "../../src/physical/hash-aggregate-exec.js";
import type { ExecContext, PhysicalOp } from "../../src/physical/physical-op.js";
import { findOp } from "../support/find-op.js";

const spark = Session.builder().appName("scan-buffer-reuse-test").create();
spark.conf.set("sluice.executor.threads", 1);
const EVENTS = 60_000;
const bids = () => spark.read.format("nexmark").option("table", "bid").option("eventsNum", EVENTS).load();

function find<T extends PhysicalOp>(op: PhysicalOp, cls: abstract new (...a: never[]) => T): T {
  const found = findOp(op, cls);
  assert.ok(found, `no ${cls.name} in the plan`);
  return found;
}

async function rowsOf(op: PhysicalOp): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  for await (const b of op.execute(spark.execContext())) for (let i = 0; i < b.numRows; i++) rows.push(b.columns.map((c) => valueAt(c, i)));
  return rows;
}

void describe("scan buffer reuse", () => {
  void it("a fused aggregation over a scan lets it refill its arrays, and gets what the column-wise path gets", async () => {
    const df = bids().groupBy(col("auction")).agg(F.count("*").alias("n"), F.sum("price").alias("total"), F.max("bidder").alias("top"));
    const op = spark.physicalPlan(df.plan);
    const agg = find(op, HashAggregateExec);
    const scan = find(op, DataSourceScanExec);
    // Records what each run asks of the scan and which arrays the batches' first column uses.
    const asked: ScanOptions[] = [];
    const buffers: ArrayBufferLike[] = [];
    const execute = scan.execute.bind(scan);
    scan.execute = async function* (ctx: ExecContext, options: ScanOptions = {}): AsyncIterable<RecordBatch> {
      asked.push(options);
      for await (const b of execute(ctx, options)) {
        buffers.push((b.columns[0]!.values as Float64Array).buffer);
        yield b;
      }
    };
    agg.allowFused = true;
    assert.notEqual(agg.codegenSource(spark.execContext()), null, "the aggregation runs fused");
    const fused = await rowsOf(op);
    assert.deepEqual(asked, [{ reuseBuffers: true }]);
    assert.ok(buffers.length > 2);
    assert.equal(new Set(buffers).size, 1, "every batch of the fused run was written into the same array");
    asked.length = buffers.length = 0;
    agg.allowFused = false;
    const columnwise = await rowsOf(op);
    assert.deepEqual(asked, [{}]);
    assert.equal(new Set(buffers).size, buffers.length, "the column-wise path keeps batches: fresh arrays each");
    assert.deepStrictEqual(fused, columnwise);
    // And both are the generator's answer.
    const g = generateNexmarkColumns(nexmarkConfig({ table: "bid" }), "bid", 0, EVENTS);
    const [auction, , price] = g.columns as Float64Array[];
    const totals = new Map<number, number>();
    auction!.forEach((a, i) => totals.set(a, (totals.get(a) ?? 0) + price![i]!));
    assert.equal(fused.length, totals.size);
    for (const [a, , total] of fused) assert.equal(total, totals.get(a as number));
  });

  void it("every other reader of a scan keeps distinct arrays per batch", async () => {
    const batches = await bids().select(col("auction"), col("price")).collectBatches();
    assert.ok(batches.length > 2);
    assert.equal(new Set(batches.map((b) => (b.columns[0]!.values as Float64Array).buffer)).size, batches.length);
    const g = generateNexmarkColumns(nexmarkConfig({ table: "bid" }), "bid", 0, EVENTS);
    assert.deepEqual(batches.flatMap((b) => [...(b.columns[1]!.values as Float64Array)]), [...(g.columns[2] as Float64Array)]);
  });
});
