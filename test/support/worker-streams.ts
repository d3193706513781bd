import { type DataFrame, Session } from "../../src/index.js";
import type { MemoryStream } from "../../src/connectors/memory/memory-stream-source.js";

/**
 * Shared by the tests that run stateful streaming on worker threads and compare with one thread:
 * a session whose stateful partitions move to the workers at the first batch, disordered events,
 * and a run into a memory sink with a restart from the checkpoint in the middle.
 */

/** A session with `threads` executor threads; minRowsPerTask 1 moves every query to the workers at its first batch. */
export const workerSession = (name: string, threads: number): Session =>
  Session.builder().appName(`${name}-${threads}`).config("sluice.executor.threads", threads).config("sluice.executor.minRowsPerTask", 1).create();

export type WorkerEvent = { k: string; t: number; v: number | null };

/** Rows of 7 keys, (k, t seconds, v), event time moving forward with some disorder; with `nulls`, a fifth of the values null. */
export function disorderedEvents(batches: number, perBatch: number, seed: number, nulls = false): WorkerEvent[][] {
  let s = seed;
  const rand = (n: number): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
  return Array.from({ length: batches }, (_, b) => Array.from({ length: perBatch }, () => ({ k: `k${rand(7)}`, t: b * 10 + rand(15), v: nulls && rand(5) === 0 ? null : rand(100) })));
}

/**
 * Runs `df` (a query over `input`) into the memory table `name` with its checkpoint at
 * `checkpoint`, one micro-batch per element of `data`, stopping and starting again from the
 * checkpoint before batch `restartAfter`; the table's rows of both runs (JSON), in order.
 */
export async function memorySinkRowsAcrossRestart(
  spark: Session,
  input: Pick<MemoryStream, "addData">,
  df: DataFrame,
  opts: { readonly name: string; readonly checkpoint: string; readonly mode: "append" | "update" | "complete"; readonly restartAfter: number },
  data: readonly (readonly Record<string, unknown>[])[],
): Promise<string[]> {
  const start = () => df.writeStream.format("memory").queryName(opts.name).outputMode(opts.mode).option("checkpointLocation", opts.checkpoint).start();
  const out: string[] = [];
  const collect = async (): Promise<void> => {
    out.push(...(await spark.table(opts.name).collect()).map((r) => JSON.stringify(r)));
  };
  let q = await start();
  for (let i = 0; i < data.length; i++) {
    if (i === opts.restartAfter) {
      await q.stop();
      await collect();
      q = await start();
    }
    input.addData(data[i]!);
    await q.processAllAvailable();
  }
  await q.stop();
  await collect();
  return out;
}
