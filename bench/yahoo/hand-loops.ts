/**
 * The Yahoo query as hand-written JavaScript (the practical limit for this language) and the raw
 * JSON.parse loop (the parse limit): counts per (10-second window, campaign), over the same
 * generator batches (binary path) or JSON lines (JSON path) as Sluice reads.
 */
import { readFileSync } from "node:fs";
import { type YahooConfig, generateAdEventBatch, yahooIds } from "../../src/connectors/yahoo/yahoo-generator.js";
import type { Digest } from "../nexmark/digest.js";

const WINDOW_MS = 10_000;

/** Hand loop state: counts per (window, campaign), keyed window * 128 + campaign index. */
class Counter {
  readonly counts = new Map<number, number>();
  private readonly campaignOfAd: Map<string, number>;
  constructor(seed: number, private readonly firstWindow: number) {
    this.campaignOfAd = new Map(yahooIds(seed).ads.map((ad, i) => [ad, Math.floor(i / 10)]));
  }
  add(adId: string, timeMs: number): void {
    const key = (Math.floor(timeMs / WINDOW_MS) - this.firstWindow) * 128 + this.campaignOfAd.get(adId)!;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}

export function handBinary(cfg: YahooConfig): Digest {
  return countsDigest(countBinary(cfg, 0, cfg.eventsNum));
}

/** The binary path's counts over events [from, to), keyed window * 128 + campaign index; counts of disjoint ranges add up. */
export function countBinary(cfg: YahooConfig, from: number, to: number): Map<number, number> {
  const counter = new Counter(cfg.seed, Math.floor(cfg.firstEventTimeMs / WINDOW_MS));
  for (let s = from; s < to; s += cfg.batchSize) {
    // The columns the loop reads (as Sluice's scan builds only those).
    const b = generateAdEventBatch(cfg, s, Math.min(to, s + cfg.batchSize), ["ad_id", "event_type", "event_time"]);
    const ad = b.columns[0]!.values as string[], type = b.columns[1]!.values as string[], ts = b.columns[2]!.values as Float64Array;
    for (let i = 0; i < b.numRows; i++) if (type[i] === "view") counter.add(ad[i]!, ts[i]! / 1000);
  }
  return counter.counts;
}

/** Rows (windows x campaigns) and the sum of their counts. */
export function countsDigest(counts: ReadonlyMap<number, number>): Digest {
  let sum = 0;
  for (const n of counts.values()) sum += n;
  return { rows: counts.size, sum };
}

interface AdEvent {
  ad_id: string;
  event_type: string;
  event_time: string;
}

function forEachLine(buf: Buffer, fn: (line: string) => void): void {
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(10, start);
    if (nl < 0) break;
    fn(buf.toString("utf8", start, nl));
    start = nl + 1;
  }
}

export function rawParse(path: string): Digest {
  const buf = readFileSync(path);
  let rows = 0;
  forEachLine(buf, (line) => {
    JSON.parse(line);
    rows++;
  });
  return { rows, sum: 0 };
}

export function handJson(path: string, cfg: YahooConfig): Digest {
  const counter = new Counter(cfg.seed, Math.floor(cfg.firstEventTimeMs / WINDOW_MS));
  forEachLine(readFileSync(path), (line) => {
    const e = JSON.parse(line) as AdEvent;
    if (e.event_type === "view") counter.add(e.ad_id, Number(e.event_time));
  });
  return countsDigest(counter.counts);
}
