/**
 * The hand loops on several threads: the practical limit for "N threads vs 1". Each of N worker
 * threads runs its part of a hand loop, split as a person parallelizing it by hand would (Yahoo:
 * 1/N of the events each, counts added up on the main thread; q5: 1/N of the time windows each,
 * answered in the worker: see handQ5Part). Measured beside Sluice's N-thread run, it tells how
 * much of a shortfall is the engine's and how much the machine's (two busy vCPUs of this VM slow
 * each other down).
 */
import { Worker } from "node:worker_threads";
import type { Digest } from "./nexmark/digest.js";
import type { HandJob, HandReply, HandRequest } from "./hand-worker.js";

export class HandThreads {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(r: HandReply): void; reject(e: Error): void }>();

  private constructor(private readonly workers: readonly Worker[]) {
    for (const w of workers) {
      w.on("message", (r: HandReply) => {
        const p = this.waiting.get(r.id);
        this.waiting.delete(r.id);
        p?.resolve(r);
      });
      w.on("error", (e) => {
        for (const p of this.waiting.values()) p.reject(e);
        this.waiting.clear();
      });
    }
  }

  /** Starts `threads` workers (the benchmarks run under tsx, so each registers it first). */
  static start(threads: number): HandThreads {
    const entry = new URL("./hand-worker.ts", import.meta.url).href;
    const boot = `import("tsx/esm/api").then((t) => { t.register(); return import(${JSON.stringify(entry)}); });`;
    return new HandThreads(Array.from({ length: threads }, () => new Worker(boot, { eval: true })));
  }

  /** Each thread's part of the loop over events [0, events). */
  run(job: HandJob, events: number): Promise<HandReply[]> {
    return Promise.all(this.workers.map((w, part) => this.send(w, { id: this.nextId++, job, events, part, parts: this.workers.length })));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private send(w: Worker, m: HandRequest): Promise<HandReply> {
    return new Promise<HandReply>((resolve, reject) => {
      this.waiting.set(m.id, { resolve, reject });
      w.postMessage(m);
    });
  }
}

/** The parts' counts added up (parts that answer with counts). */
export function mergeCounts(replies: readonly HandReply[]): Map<number, number> {
  const total = new Map<number, number>();
  for (const r of replies) {
    if (!("keys" in r)) throw new Error("internal error: a hand loop part answered without counts");
    for (let i = 0; i < r.keys.length; i++) total.set(r.keys[i]!, (total.get(r.keys[i]!) ?? 0) + r.counts[i]!);
  }
  return total;
}

/** The parts' digests added up (parts that answer for disjoint groups). */
export function sumDigests(replies: readonly HandReply[]): Digest {
  let rows = 0, sum = 0;
  for (const r of replies) {
    if (!("digest" in r)) throw new Error("internal error: a hand loop part answered without a digest");
    rows += r.digest.rows;
    sum += r.digest.sum;
  }
  return { rows, sum };
}

/** Events [from, to) of part `part`: the parts' shares, cut at the generator's batches. */
export function partRange(events: number, batchSize: number, part: number, parts: number): [number, number] {
  const batches = Math.ceil(events / batchSize);
  const cut = (k: number): number => Math.min(events, Math.round((batches * k) / parts) * batchSize);
  return [cut(part), cut(part + 1)];
}
