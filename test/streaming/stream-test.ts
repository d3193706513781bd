/**
 * A streaming test DSL in the spirit of Spark's StreamTest: a list of actions run against a
 * query writing to a memory sink that survives restarts (so exactly-once across StopStream /
 * StartStream is visible). It waits on committed batches, never on sleeps: with the default
 * trigger through processAllAvailable, with a ManualClock until the query waits on the clock,
 * with once / availableNow until the query ends. A failing step throws with every step listed,
 * a cursor at the failing one, the sink's contents and the plan.
 *
 * @example
 * const input = spark.memoryStream("a INT");
 * await testStream(input.toDF().select(col("a").plus(1).alias("b")), "append", [
 *   AddData(input, [{ a: 1 }]), CheckAnswer([{ b: 2 }]),
 *   StopStream, StartStream(),
 *   AddData(input, [{ a: 2 }]), CheckNewAnswer([{ b: 3 }]),
 * ]);
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { DataFrame } from "../../src/api/dataframe.js";
import type { Session } from "../../src/api/session.js";
import type { StreamingQuery } from "../../src/api/streaming-query.js";
import type { MemoryStream } from "../../src/connectors/memory/memory-stream-source.js";
import { MemorySink } from "../../src/connectors/memory/memory-sink.js";
import { type Clock, ManualClock, SystemClock } from "../../src/streaming/clock.js";
import type { OutputMode } from "../../src/streaming/sink.js";
import { DEFAULT_TRIGGER, type Trigger, type TriggerSpec, parseTrigger } from "../../src/streaming/trigger.js";
import { checkStreamingQuery } from "../../src/streaming/unsupported-operations.js";
import { lateRowsLayoutOf } from "../../src/streaming/late-rows.js";

type Row = Record<string, unknown>;
type ErrorClass = abstract new (...args: never[]) => Error;

export type StreamAction =
  | { readonly kind: "AddData"; readonly source: StreamInput; readonly rows: readonly Row[] }
  | { readonly kind: "CheckAnswer"; readonly rows: readonly Row[] }
  | { readonly kind: "CheckNewAnswer"; readonly rows: readonly Row[] }
  | { readonly kind: "CheckLastBatch"; readonly rows: readonly Row[] }
  | { readonly kind: "StopStream" }
  | { readonly kind: "StartStream"; readonly trigger?: TriggerSpec; readonly clock?: Clock; readonly checkpoint?: string }
  | { readonly kind: "AdvanceClock"; readonly ms: number }
  | { readonly kind: "ExpectFailure"; readonly errorClass: ErrorClass; readonly message?: string | RegExp }
  | { readonly kind: "AssertOnQuery"; readonly fn: (q: StreamingQuery) => boolean | void | Promise<boolean | void>; readonly message: string }
  | { readonly kind: "CheckLateRows"; readonly rows: readonly Row[] };

/** What AddData needs of a source (a MemoryStream of any row type). */
type StreamInput = Pick<MemoryStream, "addData" | "description">;

export const AddData = <R>(source: MemoryStream<R>, rows: readonly Row[]): StreamAction => ({ kind: "AddData", source, rows });
export const CheckAnswer = (rows: readonly Row[]): StreamAction => ({ kind: "CheckAnswer", rows });
export const CheckNewAnswer = (rows: readonly Row[]): StreamAction => ({ kind: "CheckNewAnswer", rows });
export const CheckLastBatch = (rows: readonly Row[]): StreamAction => ({ kind: "CheckLastBatch", rows });
export const StopStream: StreamAction = { kind: "StopStream" };
export const StartStream = (opts: { trigger?: TriggerSpec; clock?: Clock; checkpoint?: string } = {}): StreamAction => ({ kind: "StartStream", ...opts });
export const AdvanceClock = (ms: number): StreamAction => ({ kind: "AdvanceClock", ms });
export const ExpectFailure = (errorClass: ErrorClass, message?: string | RegExp): StreamAction => ({ kind: "ExpectFailure", errorClass, ...(message !== undefined ? { message } : {}) });
/**
 * Every row sent so far to the late-rows sink (`testStream(..., { lateRows: true })`), compared
 * on the columns the expected rows name (so a test may leave out e.g. `late_watermark`).
 */
export const CheckLateRows = (rows: readonly Row[]): StreamAction => ({ kind: "CheckLateRows", rows });
export const AssertOnQuery = (fn: (q: StreamingQuery) => boolean | void | Promise<boolean | void>, message = "AssertOnQuery"): StreamAction => ({ kind: "AssertOnQuery", fn, message });

/**
 * `rows` added in micro-batches of the sizes in `cuts` (cycled), each processed before the next
 * is added; after batch b, when `restarts[b]` (cycled) holds, the query stops and starts again
 * from its checkpoint. The actions of the property tests' random splits and restarts.
 */
export function AddDataInBatches<R>(source: MemoryStream<R>, rows: readonly Row[], cuts: readonly number[], restarts: readonly boolean[]): StreamAction[] {
  const actions: StreamAction[] = [];
  const committed = AssertOnQuery(() => true, "batch committed");
  for (let i = 0, b = 0; i < rows.length; b++) {
    const size = cuts[b % cuts.length]!;
    actions.push(AddData(source, rows.slice(i, i + size)), committed);
    if (restarts[b % restarts.length]) actions.push(StopStream, StartStream());
    i += size;
  }
  return actions;
}

/**
 * Event times in seconds for the property tests' random streams: each step moves the largest time
 * so far forward by `advance` (from `start`), and its event lies `behind` (a fraction below 1) of
 * `delay` behind it, so no event is late for a watermark with that delay. Also the largest time.
 */
export function inDelaySeconds(steps: readonly { readonly advance: number; readonly behind: number }[], delay: number, start = 1_000): { times: number[]; max: number } {
  let max = start;
  const times = steps.map((s) => {
    max += s.advance;
    return max - Math.floor(s.behind * delay);
  });
  return { times, max };
}

/**
 * The property tests' check: `query` over `events` as a stream (a watermark of `delay` seconds on
 * `ts`, the micro-batches and restarts of {@link AddDataInBatches}, then `closing`, an event late
 * enough to close every window of the others) outputs, in all, the batch engine's answer over the
 * same events.
 */
export async function checkStreamEqualsBatch(
  spark: Session,
  schema: string,
  query: (df: DataFrame) => DataFrame,
  events: readonly Row[],
  run: { readonly delay: number; readonly cuts: readonly number[]; readonly restarts: readonly boolean[]; readonly closing: Row },
): Promise<void> {
  const input = spark.memoryStream(schema);
  const streaming = query(input.toDF().withWatermark("ts", `${run.delay} seconds`) as unknown as DataFrame);
  const expected = await query(spark.createDataFrame(events, schema) as unknown as DataFrame).collect();
  await testStream(streaming, "append", [...AddDataInBatches(input, events, run.cuts, run.restarts), AddData(input, [run.closing]), CheckAnswer(expected)]);
}

/** Values rendered comparably: Dates as ISO text, bigints as text, keys sorted. */
export function canonicalRow(r: Row): string {
  return JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k]]), (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v instanceof Date ? v.toISOString() : v));
}
function sameRows(actual: readonly Row[], expected: readonly Row[]): boolean {
  const a = actual.map(canonicalRow).sort(), e = expected.map(canonicalRow).sort();
  return a.length === e.length && a.every((x, i) => x === e[i]);
}

function describeAction(a: StreamAction): string {
  const rows = (rs: readonly Row[]): string => rs.map((r) => canonicalRow(r)).join(", ");
  switch (a.kind) {
    case "AddData": return `AddData(${a.source.description}, [${rows(a.rows)}])`;
    case "CheckAnswer": case "CheckNewAnswer": case "CheckLastBatch": return `${a.kind}([${rows(a.rows)}])`;
    case "StopStream": return "StopStream";
    case "StartStream": return `StartStream(${JSON.stringify({ trigger: a.trigger, clock: a.clock ? a.clock.constructor.name : undefined, checkpoint: a.checkpoint })})`;
    case "AdvanceClock": return `AdvanceClock(${a.ms})`;
    case "ExpectFailure": return `ExpectFailure(${a.errorClass.name}${a.message ? `, ${String(a.message)}` : ""})`;
    case "AssertOnQuery": return `AssertOnQuery(${a.message})`;
    case "CheckLateRows": return `CheckLateRows([${rows(a.rows)}])`;
  }
}

/** A safety net only: a wait that never ends fails the test instead of hanging it. */
const MAX_WAIT_MS = 20_000;

/** `lateRows`: the query also sends its late rows to a memory sink that CheckLateRows reads. */
export interface StreamTestOptions {
  readonly lateRows?: boolean;
}

export async function testStream<R>(df: DataFrame<R>, outputMode: OutputMode, actions: readonly StreamAction[], options: StreamTestOptions = {}): Promise<void> {
  const frame = df as unknown as DataFrame;
  const session = frame.session;
  checkStreamingQuery(frame.plan, outputMode);
  const tempCheckpoint = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-stream-test-"));
  const sink = new MemorySink(frame.schema);
  const lateLayout = options.lateRows === true ? lateRowsLayoutOf(frame.plan, outputMode) : null;
  const lateSink = lateLayout === null ? null : new MemorySink(lateLayout.schema);
  let query: StreamingQuery | null = null;
  let trigger: Trigger = DEFAULT_TRIGGER;
  let clock: Clock = new SystemClock();
  let checkpoint = tempCheckpoint;
  let checkedRows = 0;
  let cursor = -1;

  const start = (a?: Extract<StreamAction, { kind: "StartStream" }>): void => {
    if (query?.isActive) throw new Error("StartStream while the query is still active; StopStream first.");
    trigger = a?.trigger ? parseTrigger(a.trigger) : DEFAULT_TRIGGER;
    clock = a?.clock ?? new SystemClock();
    checkpoint = a?.checkpoint ?? checkpoint;
    query = session.streams.startQuery({ plan: frame.plan, sink, ...(lateSink !== null && lateLayout !== null ? { lateRows: { sink: lateSink, layout: lateLayout } } : {}), outputMode, trigger, clock, checkpointDir: checkpoint, deleteCheckpointOnStop: false, name: null });
  };

  const withTimeout = async <T>(p: Promise<T>, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Timed out after ${MAX_WAIT_MS} ms waiting for ${what}.`)), MAX_WAIT_MS)));
    try {
      return await Promise.race([p, t]);
    } finally {
      clearTimeout(timer);
    }
  };

  /** The query is idle waiting on its manual clock (or has ended). */
  const waitUntilWaitingOnClock = async (q: StreamingQuery, c: ManualClock): Promise<void> => {
    const idle = (): boolean => !q.isActive || (c.isWaiting() && !q.status.isTriggerActive);
    while (!idle()) {
      await withTimeout(
        new Promise<void>((resolve) => {
          const off = c.onWait(() => {
            off();
            setImmediate(resolve);
          });
          void q.execution.nextBatchOrTermination().then(() => {
            off();
            resolve();
          });
        }),
        "the query to wait on its ManualClock",
      );
    }
  };

  /** Waits until everything added so far is committed (or the query ended). */
  const waitForCommitted = async (): Promise<void> => {
    const q = query;
    if (q === null || !q.isActive) return;
    if (trigger.kind === "once" || trigger.kind === "availableNow") {
      await withTimeout(q.awaitTermination().catch(() => true), "the query to finish its trigger");
    } else if (trigger.kind === "processingTime" && trigger.intervalMs > 0 && clock instanceof ManualClock) {
      await waitUntilWaitingOnClock(q, clock);
    } else {
      await withTimeout(q.processAllAvailable(), "processAllAvailable");
    }
  };

  const fail = (message: string): never => {
    const steps = actions.map((a, i) => `${i === cursor ? "=> " : "   "}${describeAction(a)}`).join("\n");
    const q = query as StreamingQuery | null;
    const sinkRows = sink.allRows().map(canonicalRow).join("\n");
    let plan: string;
    try {
      plan = q ? q.explainString(true) : frame.explainString("extended");
    } catch (e) {
      plan = `(explain failed: ${(e as Error).message})`;
    }
    const state = q ? `${q.isActive ? "active" : "terminated"}; status ${JSON.stringify(q.status)}; last committed batch ${q.lastCommittedBatchId}${q.exception() ? `; exception: ${q.exception()!.message}` : ""}` : "not started";
    throw new Error(`${message}\n\n== Progress ==\n${steps}\n\n== Stream ==\nOutput Mode: ${outputMode}\nStream state: ${state}\n\n== Sink ==\n${sinkRows || "(empty)"}\n\n== Plan ==\n${plan}\n`);
  };

  try {
    // Started here unless the actions start it themselves before anything else than AddData.
    const firstControl = actions.find((a) => a.kind !== "AddData");
    if (firstControl?.kind !== "StartStream") start();
    for (cursor = 0; cursor < actions.length; cursor++) {
      const a = actions[cursor]!;
      try {
        switch (a.kind) {
          case "AddData":
            a.source.addData(a.rows as Record<string, unknown>[]);
            break;
          case "CheckAnswer": {
            await waitForCommitted();
            const rows = sink.allRows();
            checkedRows = rows.length;
            if (!sameRows(rows, a.rows)) fail(`CheckAnswer failed: the sink holds [${rows.map(canonicalRow).join(", ")}], expected [${a.rows.map(canonicalRow).join(", ")}].`);
            break;
          }
          case "CheckNewAnswer": {
            await waitForCommitted();
            const rows = sink.allRows();
            const fresh = rows.slice(checkedRows);
            checkedRows = rows.length;
            if (!sameRows(fresh, a.rows)) fail(`CheckNewAnswer failed: new rows [${fresh.map(canonicalRow).join(", ")}], expected [${a.rows.map(canonicalRow).join(", ")}].`);
            break;
          }
          case "CheckLastBatch": {
            await waitForCommitted();
            const rows = sink.latestBatchRows();
            checkedRows = sink.allRows().length;
            if (!sameRows(rows, a.rows)) fail(`CheckLastBatch failed: the last batch holds [${rows.map(canonicalRow).join(", ")}], expected [${a.rows.map(canonicalRow).join(", ")}].`);
            break;
          }
          case "StopStream":
            if (query) await withTimeout((query as StreamingQuery).stop(), "the query to stop");
            break;
          case "StartStream":
            start(a);
            break;
          case "AdvanceClock": {
            if (!(clock instanceof ManualClock)) fail("AdvanceClock needs StartStream({ clock: new ManualClock(...) }).");
            const c = clock as ManualClock;
            if (query && trigger.kind === "processingTime" && trigger.intervalMs > 0) await waitUntilWaitingOnClock(query, c);
            c.advance(a.ms);
            break;
          }
          case "ExpectFailure": {
            const q = query as StreamingQuery | null;
            if (!q) fail("ExpectFailure without a started query.");
            const outcome = await withTimeout(q!.awaitTermination().then(() => null, (e: unknown) => e), "the query to fail");
            const ex = q!.exception();
            if (outcome === null || ex === null) fail(`ExpectFailure: the query ended without failure.`);
            const cause: Error = ex!.cause;
            const ok = (cause as unknown) instanceof (a.errorClass as unknown as new () => Error);
            if (!ok) fail(`ExpectFailure: expected a ${a.errorClass.name}, the query failed with ${cause.name}: ${cause.message}`);
            if (a.message !== undefined && !(typeof a.message === "string" ? cause.message.includes(a.message) : a.message.test(cause.message))) fail(`ExpectFailure: message "${cause.message}" does not match ${String(a.message)}.`);
            break;
          }
          case "CheckLateRows": {
            if (lateSink === null) fail("CheckLateRows needs testStream(..., { lateRows: true }).");
            await waitForCommitted();
            const cols = [...new Set(a.rows.flatMap((r) => Object.keys(r)))];
            const rows = lateSink!.allRows().map((r) => (a.rows.length === 0 ? r : Object.fromEntries(cols.map((c) => [c, r[c]]))));
            if (!sameRows(rows, a.rows)) fail(`CheckLateRows failed: the late-rows sink holds [${rows.map(canonicalRow).join(", ")}], expected [${a.rows.map(canonicalRow).join(", ")}].`);
            break;
          }
          case "AssertOnQuery": {
            const q = query as StreamingQuery | null;
            if (!q) fail("AssertOnQuery without a started query.");
            await waitForCommitted();
            if ((await a.fn(q!)) === false) fail(`Assert on query failed: ${a.message}`);
            break;
          }
        }
      } catch (e) {
        if (e instanceof Error && e.message.includes("== Progress ==")) throw e;
        fail(`Step failed with ${(e as Error)?.stack ?? String(e)}`);
      }
    }
  } finally {
    const q = query as StreamingQuery | null;
    if (q?.isActive) await q.stop();
    fs.rmSync(tempCheckpoint, { recursive: true, force: true });
  }
}
