import * as fs from "node:fs";
import { IllegalArgumentError } from "../errors/errors.js";
import { type MicroBatchOptions, MicroBatchExecution } from "../streaming/micro-batch-execution.js";
import { ListenerBus, type StreamingQueryListener } from "../streaming/streaming-listener.js";
import type { StreamingQueryException } from "../streaming/streaming-query-exception.js";
import type { Session } from "./session.js";
import { StreamingQuery } from "./streaming-query.js";

/**
 * `spark.streams` (Spark's StreamingQueryManager): the active queries of a session, waiting for
 * any to end, and listeners for query events.
 */
export class StreamingQueryManager {
  private readonly listenerBus = new ListenerBus();
  private readonly activeById = new Map<string, StreamingQuery>();
  private lastTerminated: StreamingQuery | null = null;
  private readonly anyWaiters: (() => void)[] = [];

  constructor(private readonly session: Session) {}

  get active(): StreamingQuery[] {
    return [...this.activeById.values()];
  }

  get(id: string): StreamingQuery | null {
    return this.activeById.get(id) ?? null;
  }

  addListener(listener: StreamingQueryListener): void {
    this.listenerBus.add(listener);
  }
  removeListener(listener: StreamingQueryListener): void {
    this.listenerBus.remove(listener);
  }

  /**
   * Resolves true when any query of this session has terminated since the last resetTerminated()
   * (at once if one has), false after `timeoutMs`; rejects if that query failed.
   */
  awaitAnyTermination(timeoutMs?: number): Promise<boolean> {
    const settle = (): Promise<boolean> => {
      const e = this.lastTerminated?.exception();
      return e ? Promise.reject(e as StreamingQueryException) : Promise.resolve(true);
    };
    if (this.lastTerminated) return settle();
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        settle().then(resolve, reject);
      };
      this.anyWaiters.push(done);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          const i = this.anyWaiters.indexOf(done);
          if (i >= 0) this.anyWaiters.splice(i, 1);
          resolve(false);
        }, timeoutMs);
      }
    });
  }

  /** Forgets terminated queries so awaitAnyTermination waits for a new one. */
  resetTerminated(): void {
    this.lastTerminated = null;
  }

  /** Starts a query (internal: DataStreamWriter.start and the test DSL call this). */
  startQuery(opts: Omit<MicroBatchOptions, "session" | "listenerBus" | "onTerminated">): StreamingQuery {
    if (opts.name !== null) {
      for (const q of this.activeById.values()) {
        if (q.name !== null && q.name.toLowerCase() === opts.name.toLowerCase()) {
          throw new IllegalArgumentError("DUPLICATE_QUERY_NAME", `Cannot start query with name ${opts.name} as a query with that name is already active in this session.`);
        }
      }
    }
    let query: StreamingQuery | null = null;
    const onTerminated = (): void => {
      if (query === null) return;
      if (this.activeById.get(query.id) === query) this.activeById.delete(query.id);
      this.lastTerminated = query;
      for (const w of this.anyWaiters.splice(0)) w();
    };
    const exec = new MicroBatchExecution({ ...opts, session: this.session, listenerBus: this.listenerBus, onTerminated });
    if (this.activeById.has(exec.id)) {
      throw new IllegalArgumentError(
        "CONCURRENT_QUERY",
        `Cannot start query with id ${exec.id} as another query with same id is already active. Perhaps you are attempting to restart a query from checkpoint that is already active.`,
      );
    }
    query = new StreamingQuery(this.session, exec);
    this.activeById.set(exec.id, query);
    try {
      exec.start();
    } catch (e) {
      this.activeById.delete(exec.id);
      if (opts.deleteCheckpointOnStop) fs.rmSync(opts.checkpointDir, { recursive: true, force: true });
      throw e;
    }
    return query;
  }
}
