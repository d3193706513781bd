import type { RecordBatch } from "../../batch/record-batch.js";
import { showString } from "../../api/show-string.js";
import type { OutputMode, Sink } from "../../streaming/sink.js";
import type { StructType } from "../../types/data-type.js";

/**
 * Prints each batch as Spark's console sink does: a `Batch: N` header between dashed lines,
 * then the `show()` table of the first `numRows` rows (options numRows, default 20, and
 * truncate, default true). Not idempotent: a re-run batch is printed again.
 */
export class ConsoleSink implements Sink {
  readonly description: string;
  private readonly numRows: number;
  private readonly truncate: number;

  constructor(
    private readonly schema: StructType,
    options: Readonly<Record<string, string>>,
    private readonly timeZone: string,
    private readonly write: (text: string) => void = (t) => void process.stdout.write(t),
  ) {
    const opt = (k: string): string | undefined => Object.entries(options).find(([n]) => n.toLowerCase() === k.toLowerCase())?.[1];
    this.numRows = Number(opt("numRows") ?? 20);
    const t = (opt("truncate") ?? "true").toLowerCase();
    this.truncate = t === "true" ? 20 : t === "false" ? 0 : Number(t);
    this.description = `ConsoleSink[numRows=${this.numRows}, truncate=${t}]`;
  }

  async addBatch(batchId: number, batches: readonly RecordBatch[], _outputMode: OutputMode): Promise<void> {
    const line = "-------------------------------------------\n";
    this.write(`${line}Batch: ${batchId}\n${line}${showString(this.schema, batches, this.numRows, this.truncate, false, this.timeZone)}\n`);
  }
}
