import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { BatchBuilder, type RecordBatch, emptyBatch, makeBatch, sliceBatch } from "../batch/record-batch.js";
import { type Vector, makeVector, valueAt } from "../batch/vector.js";
import type { DataType, StructType } from "../types/data-type.js";
import type { ExecContext } from "./physical-op.js";
import { type SortKeySpec, crossComparator } from "./sort-util.js";
import { estimateBatchBytes } from "./memory.js";

interface SerializedVector { values: Vector["values"]; nulls: Uint8Array | null; length: number }

/**
 * Collects batches, sorting them in memory while they fit in the memory limit. Past the limit,
 * each sorted run is written to a spill file (v8-serialized chunks) and the final output is a
 * k-way merge of the runs that reads one chunk per run at a time.
 */
export class ExternalSorter {
  private pending: RecordBatch[] = [];
  private pendingBytes = 0;
  private runs: string[] = [];
  private dir: string | null = null;

  constructor(
    private readonly schema: StructType,
    private readonly sortRun: (batches: RecordBatch[]) => RecordBatch,
    private readonly keysOf: (b: RecordBatch) => readonly Vector[],
    private readonly specs: readonly SortKeySpec[],
    private readonly ctx: ExecContext,
  ) {}

  /** Number of runs spilled so far (exposed for tests and metrics). */
  get spilledRuns(): number {
    return this.runs.length;
  }

  async add(b: RecordBatch): Promise<void> {
    if (b.numRows === 0) return;
    this.pending.push(b);
    this.pendingBytes += estimateBatchBytes(b);
    if (this.pendingBytes > this.ctx.memoryLimitBytes) await this.spill();
  }

  private async spill(): Promise<void> {
    const run = this.sortRun(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.dir ??= mkdtempSync(join(this.ctx.spillDir ?? tmpdir(), "sluice-sort-"));
    const path = join(this.dir, `run-${this.runs.length}.bin`);
    const fh = await open(path, "w");
    try {
      for (let s = 0; s < run.numRows; s += this.ctx.batchSize) {
        const chunk = sliceBatch(run, s, Math.min(run.numRows, s + this.ctx.batchSize));
        const buf = serialize(chunk.columns.map((c) => ({ values: Array.isArray(c.values) ? c.values : c.values.slice(), nulls: c.nulls ? c.nulls.slice() : null, length: c.length })));
        const len = Buffer.alloc(4);
        len.writeUInt32LE(buf.length);
        await fh.write(len);
        await fh.write(buf);
      }
    } finally {
      await fh.close();
    }
    this.runs.push(path);
  }

  async *finish(): AsyncIterable<RecordBatch> {
    try {
      if (this.runs.length === 0) {
        if (this.pending.length > 0) yield* this.chunks(this.sortRun(this.pending));
        return;
      }
      if (this.pending.length > 0) await this.spill();
      yield* this.merge();
    } finally {
      if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private *chunks(b: RecordBatch): Iterable<RecordBatch> {
    for (let s = 0; s < b.numRows; s += this.ctx.batchSize) yield sliceBatch(b, s, Math.min(b.numRows, s + this.ctx.batchSize));
  }

  private async *merge(): AsyncIterable<RecordBatch> {
    const readers = await Promise.all(this.runs.map((p) => RunReader.open(p, this.schema)));
    const cmp = crossComparator(this.keysOfTypes(), this.specs);
    try {
      // Each run contributes one chunk at a time; the smallest head row is taken each step.
      const heads: ({ batch: RecordBatch; keys: readonly Vector[]; pos: number } | null)[] = [];
      for (const r of readers) {
        const b = await r.next();
        heads.push(b ? { batch: b, keys: this.keysOf(b), pos: 0 } : null);
      }
      let out = new BatchBuilder(this.schema, this.ctx.batchSize);
      for (;;) {
        let best = -1;
        for (let r = 0; r < heads.length; r++) {
          const h = heads[r];
          if (!h) continue;
          const b = best < 0 ? null : heads[best]!;
          if (b === null || cmp(h.keys, h.pos, b.keys, b.pos) < 0) best = r;
        }
        if (best < 0) break;
        const h = heads[best]!;
        out.appendRow(h.batch.columns.map((c) => valueAt(c, h.pos)));
        if (out.numRows >= this.ctx.batchSize) {
          yield out.finish();
          out = new BatchBuilder(this.schema, this.ctx.batchSize);
        }
        h.pos++;
        if (h.pos >= h.batch.numRows) {
          const nb = await readers[best]!.next();
          heads[best] = nb ? { batch: nb, keys: this.keysOf(nb), pos: 0 } : null;
        }
      }
      if (out.numRows > 0) yield out.finish();
    } finally {
      await Promise.all(readers.map((r) => r.close()));
    }
  }

  private keysOfTypes(): DataType[] {
    return this.keysOf(emptyBatch(this.schema)).map((v) => v.type);
  }
}

class RunReader {
  private offset = 0;
  private constructor(
    private readonly fh: FileHandle,
    private readonly schema: StructType,
  ) {}
  static async open(path: string, schema: StructType): Promise<RunReader> {
    return new RunReader(await open(path, "r"), schema);
  }
  async next(): Promise<RecordBatch | null> {
    const len = Buffer.alloc(4);
    const r = await this.fh.read(len, 0, 4, this.offset);
    if (r.bytesRead < 4) return null;
    const n = len.readUInt32LE();
    const buf = Buffer.alloc(n);
    await this.fh.read(buf, 0, n, this.offset + 4);
    this.offset += 4 + n;
    const cols = deserialize(buf) as SerializedVector[];
    return makeBatch(this.schema, cols.map((c, k) => makeVector(this.schema.fields[k]!.dataType, c.length, c.values, c.nulls)), cols[0]?.length ?? 0);
  }
  async close(): Promise<void> {
    await this.fh.close();
  }
}
