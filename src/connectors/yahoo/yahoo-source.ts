import { type RecordBatch, keepColumns } from "../../batch/record-batch.js";
import { ReusableArrays } from "../../batch/reusable-arrays.js";
import { IllegalArgumentError } from "../../errors/errors.js";
import type { DataSourceRelation } from "../../plan/logical-plan.js";
import { type MicroBatchScan, type Offset, ReadLimit, type Source, type StreamingSourceProvider } from "../../streaming/source.js";
import { optionOf, registerStreamSource } from "../../streaming/stream-source-registry.js";
import type { BatchSourceProvider, ScanOptions } from "../source-registry.js";
import { splitEventRange } from "../split-range.js";
import { AD_EVENT_SCHEMA, CAMPAIGN_SCHEMA, DEFAULT_YAHOO_CONFIG, type YahooConfig, campaignBatch, generateAdEventBatch } from "./yahoo-generator.js";

/**
 * Options of `format("yahoo")`: table (events | campaigns), eventsNum, eventsPerSecond,
 * firstEventTime (epoch ms or ISO text), seed, batchSize, maxEventsPerTrigger (streams).
 */
export function parseYahooOptions(options: Readonly<Record<string, string>>, unbounded: boolean): { table: "events" | "campaigns"; cfg: YahooConfig; eventsNum: number | null; maxEventsPerTrigger: number } {
  const num = (key: string, dflt: number, min: number): number => {
    const v = optionOf(options, key);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new IllegalArgumentError("INVALID_OPTION", `Invalid value '${v}' for the yahoo option '${key}'.`);
    return n;
  };
  const table = (optionOf(options, "table") ?? "events").toLowerCase();
  if (table !== "events" && table !== "campaigns") throw new IllegalArgumentError("INVALID_OPTION", `Invalid value '${table}' for the yahoo option 'table': expected events or campaigns.`);
  const ft = optionOf(options, "firstEventTime");
  const firstEventTimeMs = ft === undefined ? DEFAULT_YAHOO_CONFIG.firstEventTimeMs : /^-?\d+$/.test(ft) ? Number(ft) : Date.parse(ft);
  if (!Number.isSafeInteger(firstEventTimeMs)) throw new IllegalArgumentError("INVALID_OPTION", `Invalid value '${ft}' for the yahoo option 'firstEventTime'.`);
  const given = optionOf(options, "eventsNum") !== undefined;
  const cfg: YahooConfig = {
    eventsNum: num("eventsNum", DEFAULT_YAHOO_CONFIG.eventsNum, 0),
    eventsPerSecond: num("eventsPerSecond", DEFAULT_YAHOO_CONFIG.eventsPerSecond, 1e-9),
    firstEventTimeMs,
    seed: num("seed", 0, 0),
    batchSize: num("batchSize", DEFAULT_YAHOO_CONFIG.batchSize, 1),
  };
  return { table, cfg, eventsNum: given || !unbounded ? cfg.eventsNum : null, maxEventsPerTrigger: num("maxEventsPerTrigger", 1_000_000, 1) };
}

/** `spark.read.format("yahoo")`: ad events [0, eventsNum), or `option("table", "campaigns")`. */
export const yahooBatchSource: BatchSourceProvider = {
  name: "yahoo",
  resolve(_paths, options) {
    const o = parseYahooOptions(options, false);
    return { schema: o.table === "events" ? AD_EVENT_SCHEMA : CAMPAIGN_SCHEMA, resolved: o };
  },
  split(rel, shares) {
    const o = rel.resolved as YahooScan;
    if (o.table === "campaigns") return [o];
    const [from, to] = o.events ?? [0, o.cfg.eventsNum];
    return splitEventRange(from, to, o.cfg.batchSize, shares).map((events): YahooScan => ({ ...o, events }));
  },
  estimatedRows(rel) {
    const o = rel.resolved as YahooScan;
    if (o.table === "campaigns") return null;
    const [from, to] = o.events ?? [0, o.cfg.eventsNum];
    return to - from;
  },
  async *scan(rel: DataSourceRelation, _timeZone: string, options: ScanOptions = {}): AsyncGenerator<RecordBatch> {
    const o = rel.resolved as YahooScan;
    // Column pruning may ask for fewer columns (requiredColumns, in schema order).
    const req = rel.requiredColumns?.map((n) => n.toLowerCase()) ?? null;
    if (o.table === "campaigns") {
      const all = campaignBatch(o.cfg.seed);
      yield req === null ? all : keepColumns(all, req);
      return;
    }
    const [from, to] = o.events ?? [0, o.cfg.eventsNum];
    const buffers = options.reuseBuffers === true ? new ReusableArrays() : null;
    for (let s = from; s < to; s += o.cfg.batchSize) yield generateAdEventBatch(o.cfg, s, Math.min(to, s + o.cfg.batchSize), req, buffers);
  },
};

/** A batch read; a split of a parallel scan covers only the events [events[0], events[1]). */
type YahooScan = ReturnType<typeof parseYahooOptions> & { readonly events?: readonly [number, number] };

/** `spark.readStream.format("yahoo")`: ad events as a stream; offsets are event numbers. */
class YahooStreamSource implements Source {
  readonly schema = AD_EVENT_SCHEMA;
  readonly description: string;
  constructor(private readonly o: ReturnType<typeof parseYahooOptions>) {
    this.description = `YahooAdEvents[eventsPerSecond=${o.cfg.eventsPerSecond}, seed=${o.cfg.seed}]`;
  }
  initialOffset(): Offset {
    return 0;
  }
  defaultReadLimit(): ReadLimit {
    return ReadLimit.maxRows(this.o.maxEventsPerTrigger);
  }
  latestOffset(start: Offset, limit: ReadLimit): Offset {
    const s = Number(start);
    let end = this.o.eventsNum ?? s + this.o.maxEventsPerTrigger;
    if (limit.kind === "maxRows") end = Math.min(end, s + limit.max);
    return Math.max(s, end);
  }
  async getBatch(start: Offset, end: Offset, columns?: readonly string[]): Promise<RecordBatch[]> {
    const out: RecordBatch[] = [];
    const cols = columns?.map((c) => c.toLowerCase()) ?? null;
    for (let s = Number(start); s < Number(end); s += this.o.cfg.batchSize) out.push(generateAdEventBatch(this.o.cfg, s, Math.min(Number(end), s + this.o.cfg.batchSize), cols));
    return out;
  }
  /** The batch as a scan of the batch source over its events: split across the workers when large. */
  batchScan(start: Offset, end: Offset): MicroBatchScan {
    const resolved: YahooScan = { ...this.o, events: [Number(start), Number(end)] };
    return { format: "yahoo", paths: [], options: {}, schema: AD_EVENT_SCHEMA, resolved };
  }
  commit(): void {}
  stop(): void {}
}

registerStreamSource({
  name: "yahoo",
  resolve(req) {
    const o = parseYahooOptions(req.options, true);
    if (o.table !== "events") throw new IllegalArgumentError("INVALID_OPTION", "The yahoo streaming source reads the events table; read campaigns with spark.read.");
    const provider: StreamingSourceProvider = { kind: "StreamingSourceProvider", name: "yahoo", schema: AD_EVENT_SCHEMA, createSource: () => new YahooStreamSource(o) };
    return provider;
  },
});
