import type { StreamingQueryProgress } from "./progress.js";

export interface QueryStartedEvent {
  readonly id: string;
  readonly runId: string;
  readonly name: string | null;
  readonly timestamp: string;
}
export interface QueryProgressEvent {
  readonly progress: StreamingQueryProgress;
}
export interface QueryIdleEvent {
  readonly id: string;
  readonly runId: string;
  readonly timestamp: string;
}
export interface QueryTerminatedEvent {
  readonly id: string;
  readonly runId: string;
  /** The failure's message (with its class), or null when the query stopped normally. */
  readonly exception: string | null;
  readonly errorClassOnException: string | null;
  /** The failure itself (Sluice extension; Spark passes only text). */
  readonly error: Error | null;
}

/**
 * Spark's StreamingQueryListener, as an object of optional callbacks. Callbacks run after the
 * event (never inside a batch); an exception thrown by a listener is reported and ignored.
 */
export interface StreamingQueryListener {
  onQueryStarted?(event: QueryStartedEvent): void;
  onQueryProgress?(event: QueryProgressEvent): void;
  onQueryIdle?(event: QueryIdleEvent): void;
  onQueryTerminated?(event: QueryTerminatedEvent): void;
}

/** Delivers events to the listeners of one session (`spark.streams`). */
export class ListenerBus {
  private readonly listeners: StreamingQueryListener[] = [];

  add(l: StreamingQueryListener): void {
    this.listeners.push(l);
  }
  remove(l: StreamingQueryListener): void {
    const i = this.listeners.indexOf(l);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  post<K extends keyof StreamingQueryListener>(kind: K, event: Parameters<NonNullable<StreamingQueryListener[K]>>[0]): void {
    for (const l of [...this.listeners]) {
      const fn = l[kind] as ((e: typeof event) => void) | undefined;
      if (!fn) continue;
      try {
        fn.call(l, event);
      } catch (e) {
        process.emitWarning(`A StreamingQueryListener.${kind} threw: ${(e as Error)?.message ?? String(e)}`);
      }
    }
  }
}
