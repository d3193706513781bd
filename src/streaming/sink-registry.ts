import type { Session } from "../api/session.js";
import type { StructType } from "../types/data-type.js";
import type { OutputMode, Sink } from "./sink.js";

/** What `writeStream.format(name)...start()` knows when it makes a connector's sink. */
export interface StreamSinkContext {
  readonly session: Session;
  /** The query's output schema (the batches given to addBatch have it). */
  readonly schema: StructType;
  /** Options as given to `.option(...)` (keys as the user spelled them). */
  readonly options: Readonly<Record<string, string>>;
  readonly outputMode: OutputMode;
  readonly queryName: string | null;
  /**
   * The query's id (`<checkpointLocation>/metadata`): the same across restarts from one
   * checkpoint, so a sink can key its own record of committed batches by it (the PostgreSQL
   * sink's `_sluice_progress` row, the Redis sink's marker). The batch id (epoch) is addBatch's
   * first argument.
   */
  readonly queryId: string;
  /** The query's checkpoint directory (a sink may keep its own files under it). */
  readonly checkpointLocation: string;
  /** True when the checkpoint is temporary (no checkpointLocation given): the id changes on every start. */
  readonly temporaryCheckpoint: boolean;
}

/**
 * Makes a sink for `writeStream.format(name)`. Asynchronous so that a sink can connect and check
 * its target at `start()` (unreachable server, missing table, schema mismatch fail there).
 */
export type StreamSinkFactory = (ctx: StreamSinkContext) => Sink | Promise<Sink>;

const factories = new Map<string, StreamSinkFactory>();

/** Each connector folder registers its streaming sink here, by format name (case-insensitive). */
export function registerStreamSink(name: string, factory: StreamSinkFactory): void {
  factories.set(name.toLowerCase(), factory);
}

export function hasStreamSink(name: string): boolean {
  return factories.has(name.toLowerCase());
}

export async function createStreamSink(name: string, ctx: StreamSinkContext): Promise<Sink> {
  const f = factories.get(name.toLowerCase());
  if (f === undefined) throw new Error(`No streaming sink is registered for format ${name}.`);
  return f(ctx);
}
