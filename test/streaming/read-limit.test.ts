import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import { type RecordBatch, makeBatch } from "../../src/batch/record-batch.js";
import { makeVector } from "../../src/batch/vector.js";
import { capAtTarget, compareNatural } from "../../src/streaming/available-now-cap.js";
import { type Offset, ReadLimit, type Source } from "../../src/streaming/source.js";
import { registerStreamSource } from "../../src/streaming/stream-source-registry.js";
import { IntegerType, structField, structType } from "../../src/types/data-type.js";

const spark = Session.builder().getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-read-limit-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

void describe("ReadLimit", () => {
  void it("composes: flattened, allAvailable dropped, tightest maximum per kind", () => {
    const l = ReadLimit.composite(ReadLimit.maxFiles(5), ReadLimit.composite(ReadLimit.maxBytes(100), ReadLimit.allAvailable()), ReadLimit.maxFiles(3));
    assert.equal(l.kind, "composite");
    assert.equal(ReadLimit.parts(l).length, 3);
    assert.equal(ReadLimit.maxOf(l, "maxFiles"), 3);
    assert.equal(ReadLimit.maxOf(l, "maxBytes"), 100);
    assert.equal(ReadLimit.maxOf(l, "maxRows"), null);
    assert.deepEqual(ReadLimit.composite(ReadLimit.maxRows(7)), ReadLimit.maxRows(7));
    assert.deepEqual(ReadLimit.composite(), ReadLimit.allAvailable());
    assert.ok(ReadLimit.isAllAvailable(ReadLimit.composite(ReadLimit.allAvailable())));
  });

  void it("minRows is a part of its own; AvailableNow drops it", () => {
    const l = ReadLimit.composite(ReadLimit.maxRows(10), ReadLimit.minRows(4, 60_000));
    assert.deepEqual(ReadLimit.minRowsOf(l), { kind: "minRows", min: 4, maxTriggerDelayMs: 60_000 });
    assert.deepEqual(ReadLimit.withoutMinRows(l), ReadLimit.maxRows(10));
    assert.ok(ReadLimit.isAllAvailable(ReadLimit.withoutMinRows(ReadLimit.minRows(4, 1))));
  });
});

void describe("capAtTarget (AvailableNow for sources without prepareForTriggerAvailableNow)", () => {
  void it("caps numbers, ordered strings and per-partition objects position by position", () => {
    assert.equal(capAtTarget(12, 9, 6), 9);
    assert.equal(capAtTarget(7, 9, 6), 7);
    assert.equal(capAtTarget("1700000000000-10", "1700000000000-9", "0-0"), "1700000000000-9");
    assert.equal(capAtTarget("1700000000000-8", "1700000000000-9", "0-0"), "1700000000000-8");
    assert.deepEqual(capAtTarget({ t: { "0": 50, "1": 20 } }, { t: { "0": 40, "1": 30 } }, { t: { "0": 10, "1": 10 } }), { t: { "0": 40, "1": 20 } });
  });

  void it("a partition that appeared after start keeps its start position, or stays unread", () => {
    assert.deepEqual(capAtTarget({ a: 5, b: 3 }, { a: 9 }, { a: 1, b: 1 }), { a: 5, b: 1 });
    assert.deepEqual(capAtTarget({ a: 5, b: 3 }, { a: 9 }, { a: 1 }), { a: 5 });
  });

  void it("gives up (null) on offsets it cannot compare", () => {
    assert.equal(capAtTarget([3], [5], [0]), null);
    assert.equal(capAtTarget({ a: [1] }, { a: [2] }, {}), null);
    assert.equal(capAtTarget(3, "5", 0), null);
  });

  void it("natural order compares digit runs as numbers", () => {
    assert.ok(compareNatural("9-1", "10-0") < 0);
    assert.ok(compareNatural("5-10", "5-9") > 0);
    assert.equal(compareNatural("12345678901234567890-1", "12345678901234567890-1"), 0);
  });
});

/** A source over a growing array of ints with a maxRows limit and no prepareForTriggerAvailableNow. */
interface CounterState {
  readonly rows: number[];
  readonly max: number;
  /** Offsets as numbers, or as one-element arrays (which capAtTarget cannot compare). */
  readonly shape: "number" | "array";
  /** Called at each getBatch (rows that "arrive" while the query runs). */
  onGetBatch?: () => void;
}
const states = new Map<string, CounterState>();
const SCHEMA = structType([structField("v", IntegerType, false)]);

class CounterSource implements Source {
  readonly schema = SCHEMA;
  readonly description = "Counter";
  constructor(private readonly st: CounterState) {}
  private wrap(n: number): Offset {
    return this.st.shape === "number" ? n : [n];
  }
  private unwrap(o: Offset): number {
    return Array.isArray(o) ? (o[0] as number) : (o as number);
  }
  initialOffset(): Offset {
    return this.wrap(0);
  }
  defaultReadLimit(): ReadLimit {
    return ReadLimit.maxRows(this.st.max);
  }
  latestOffset(start: Offset, limit: ReadLimit): Offset {
    const max = ReadLimit.maxOf(limit, "maxRows");
    const from = this.unwrap(start);
    return this.wrap(max === null ? this.st.rows.length : Math.min(this.st.rows.length, from + max));
  }
  async getBatch(start: Offset, end: Offset): Promise<RecordBatch[]> {
    this.st.onGetBatch?.();
    const vs = this.st.rows.slice(this.unwrap(start), this.unwrap(end));
    return [makeBatch(SCHEMA, [makeVector(IntegerType, vs.length, Int32Array.from(vs), null)], vs.length)];
  }
  commit(): void {}
  stop(): void {}
}

registerStreamSource({
  name: "test-counter",
  resolve: (req) => ({ kind: "StreamingSourceProvider", name: "test-counter", schema: SCHEMA, createSource: () => new CounterSource(states.get(req.options["key"]!)!) }),
});

async function availableNowBatches(key: string): Promise<number[][]> {
  const batches: number[][] = [];
  const q = await spark.readStream.format("test-counter").option("key", key).load()
    .writeStream.option("checkpointLocation", path.join(root, key))
    .foreachBatch(async (b) => void batches.push((await b.collect()).map((r) => r["v"] as number)))
    .trigger({ availableNow: true }).start();
  await q.awaitTermination();
  return batches;
}

void describe("Trigger.AvailableNow and a source without prepareForTriggerAvailableNow", () => {
  void it("reads the data available at start batch by batch within the read limit, and no more", async () => {
    const st: CounterState = { rows: Array.from({ length: 10 }, (_, i) => i), max: 3, shape: "number" };
    st.onGetBatch = () => st.rows.push(st.rows.length); // a row arrives during each batch
    states.set("limited", st);
    assert.deepEqual(await availableNowBatches("limited"), [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    assert.ok(st.rows.length > 10, "rows did arrive after the start");
  });

  void it("offsets it cannot compare are read to the start's target in one batch", async () => {
    const st: CounterState = { rows: Array.from({ length: 7 }, (_, i) => i), max: 3, shape: "array" };
    st.onGetBatch = () => st.rows.push(st.rows.length);
    states.set("opaque", st);
    assert.deepEqual(await availableNowBatches("opaque"), [[0, 1, 2, 3, 4, 5, 6]]);
  });
});
