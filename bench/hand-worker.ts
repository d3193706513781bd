/**
 * A worker thread of HandThreads (hand-threads.ts): runs its part of a hand loop and posts the
 * result back (counts as two transferred arrays, or a digest when the part answers on its own).
 */
import { parentPort } from "node:worker_threads";
import type { NexmarkConfig } from "../src/connectors/nexmark/nexmark-config.js";
import type { YahooConfig } from "../src/connectors/yahoo/yahoo-generator.js";
import type { Digest } from "./nexmark/digest.js";
import { handQ5Part } from "./nexmark/hand-loops.js";
import { countBinary } from "./yahoo/hand-loops.js";
import { partRange } from "./hand-threads.js";

export type HandJob = { readonly loop: "yahoo binary"; readonly cfg: YahooConfig } | { readonly loop: "nexmark q5"; readonly cfg: NexmarkConfig };

export interface HandRequest {
  readonly id: number;
  readonly job: HandJob;
  readonly events: number;
  readonly part: number;
  readonly parts: number;
}

export type HandReply = { readonly id: number; readonly keys: Float64Array; readonly counts: Float64Array } | { readonly id: number; readonly digest: Digest };

function answer(m: HandRequest): [HandReply, ArrayBuffer[]] {
  if (m.job.loop === "nexmark q5") return [{ id: m.id, digest: handQ5Part(m.job.cfg, m.events, m.part, m.parts) }, []];
  const counts = countBinary(m.job.cfg, ...partRange(m.events, m.job.cfg.batchSize, m.part, m.parts));
  const keys = new Float64Array(counts.keys()), values = new Float64Array(counts.values());
  return [{ id: m.id, keys, counts: values }, [keys.buffer as ArrayBuffer, values.buffer as ArrayBuffer]];
}

parentPort?.on("message", (m: HandRequest) => {
  const [reply, transfer] = answer(m);
  parentPort!.postMessage(reply, transfer);
});
