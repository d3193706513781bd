/**
 * Processing time as the trigger loop sees it. The engine waits through `waitTillTime`, so a
 * test clock can hold the loop until the test advances time.
 */
export interface Clock {
  getTimeMillis(): number;
  /**
   * Resolves when the clock reaches `targetMs` (returning the time then), or early (returning
   * the current time) when `signal` aborts.
   */
  waitTillTime(targetMs: number, signal?: AbortSignal): Promise<number>;
}

/** Wall-clock time. */
export class SystemClock implements Clock {
  getTimeMillis(): number {
    return Date.now();
  }
  waitTillTime(targetMs: number, signal?: AbortSignal): Promise<number> {
    const wait = targetMs - Date.now();
    if (wait <= 0 || signal?.aborted) return Promise.resolve(Date.now());
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        signal?.removeEventListener("abort", done);
        resolve(Date.now());
      };
      const t = setTimeout(done, wait);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}

/**
 * A clock that moves only when told to (Spark's ManualClock / StreamManualClock): tests give it
 * to a query with `writeStream.clock(clock)` and drive processing-time triggers with `advance`.
 *
 * @example
 * const clock = new ManualClock(0);
 * const q = await df.writeStream.format("memory").queryName("t").trigger({ processingTime: "10 seconds" }).clock(clock).start();
 * clock.advance(10_000); // the next trigger fires
 */
export class ManualClock implements Clock {
  private now: number;
  private readonly waiters = new Set<{ target: number; resolve: (t: number) => void }>();
  private readonly waitingListeners = new Set<() => void>();

  constructor(startMs = 0) {
    this.now = startMs;
  }

  getTimeMillis(): number {
    return this.now;
  }

  /** Moves time forward by `ms` and releases every wait that is now due. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance needs a non-negative number of milliseconds, got ${ms}.`);
    this.setTime(this.now + ms);
  }

  setTime(ms: number): void {
    this.now = ms;
    for (const w of [...this.waiters]) {
      if (w.target <= this.now) {
        this.waiters.delete(w);
        w.resolve(this.now);
      }
    }
  }

  waitTillTime(targetMs: number, signal?: AbortSignal): Promise<number> {
    if (targetMs <= this.now || signal?.aborted) return Promise.resolve(this.now);
    return new Promise((resolve) => {
      const w = {
        target: targetMs,
        resolve: (t: number): void => {
          signal?.removeEventListener("abort", onAbort);
          resolve(t);
        },
      };
      const onAbort = (): void => {
        this.waiters.delete(w);
        w.resolve(this.now);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.add(w);
      for (const l of [...this.waitingListeners]) l();
    });
  }

  /** True while some query waits on this clock for a time later than now. */
  isWaiting(): boolean {
    return this.waiters.size > 0;
  }

  /** Called each time a wait starts (tests use it to know the loop is idle on the clock). */
  onWait(listener: () => void): () => void {
    this.waitingListeners.add(listener);
    return () => this.waitingListeners.delete(listener);
  }
}
