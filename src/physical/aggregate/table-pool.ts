/**
 * Typed arrays of hash aggregation tables (accumulators, group keys, per-window slots), kept
 * per thread by length and handed out again by the next aggregation of that thread.
 *
 * Why: V8 counts typed arrays allocated since the last full collection towards the old
 * generation's limit, and a table grows by doubling: Nexmark q5 allocated ~85 MB of them per
 * run, so its worker threads ran a full collection nearly every run, whose marking takes turns
 * with the workers on a busy machine. Tables come in powers of two, so a pool by length serves
 * every run of a query after the first from arrays already paid for.
 *
 * An array given back must no longer be read or written by its former owner. Arrays handed out
 * hold stale values: callers fill what they read before writing.
 */

/** Most bytes kept per thread; past it, arrays given back are left to the collector. */
const MAX_POOLED_BYTES = 128 * 1024 * 1024;
/**
 * Arrays below this size are not worth keeping. Above 64 bytes V8 allocates a typed array's
 * memory outside its heap, counted like the large ones: q5's per-window slot tables (16-32 KB)
 * were 1.8 MB of it per run when only arrays from 64 KB up were kept.
 */
const MIN_POOLED_BYTES = 4 * 1024;
/** A pool unused for this long drops its arrays (an idle service keeps no tables' memory). */
const IDLE_DROP_MS = 10_000;

class TablePool {
  private readonly f64 = new Map<number, Float64Array<ArrayBuffer>[]>();
  private readonly i32 = new Map<number, Int32Array<ArrayBuffer>[]>();
  private readonly u8 = new Map<number, Uint8Array<ArrayBuffer>[]>();
  private bytes = 0;
  private lastGiveBack = 0;
  private dropTimer: ReturnType<typeof setTimeout> | null = null;

  /** `n` doubles, values unspecified. */
  float64(n: number): Float64Array<ArrayBuffer> {
    const a = this.f64.get(n)?.pop();
    if (a === undefined) return new Float64Array(n);
    this.bytes -= a.byteLength;
    return a;
  }

  /** `n` 32-bit integers, values unspecified. */
  int32(n: number): Int32Array<ArrayBuffer> {
    const a = this.i32.get(n)?.pop();
    if (a === undefined) return new Int32Array(n);
    this.bytes -= a.byteLength;
    return a;
  }

  /** `n` bytes, values unspecified. */
  uint8(n: number): Uint8Array<ArrayBuffer> {
    const a = this.u8.get(n)?.pop();
    if (a === undefined) return new Uint8Array(n);
    this.bytes -= a.byteLength;
    return a;
  }

  /** Takes back an array its owner is done with (a whole array, not a view). */
  giveBack(a: Float64Array | Int32Array | Uint8Array): void {
    if (a.byteLength < MIN_POOLED_BYTES || a.byteOffset !== 0 || !(a.buffer instanceof ArrayBuffer) || a.byteLength !== a.buffer.byteLength) return;
    if (this.bytes + a.byteLength > MAX_POOLED_BYTES) return;
    if (a instanceof Float64Array) listOf(this.f64, a.length).push(a as Float64Array<ArrayBuffer>);
    else if (a instanceof Int32Array) listOf(this.i32, a.length).push(a as Int32Array<ArrayBuffer>);
    else listOf(this.u8, a.length).push(a as Uint8Array<ArrayBuffer>);
    this.bytes += a.byteLength;
    this.scheduleDrop();
  }

  get pooledBytes(): number {
    return this.bytes;
  }

  /** Drops every kept array. */
  clear(): void {
    this.f64.clear();
    this.i32.clear();
    this.u8.clear();
    this.bytes = 0;
  }

  /** One timer at a time: when it fires, the pool is dropped if nothing was given back since, else it waits again. */
  private scheduleDrop(): void {
    this.lastGiveBack = performance.now();
    if (this.dropTimer === null) this.armDrop(IDLE_DROP_MS);
  }

  private armDrop(ms: number): void {
    this.dropTimer = setTimeout(() => {
      const idle = performance.now() - this.lastGiveBack;
      if (idle < IDLE_DROP_MS) return this.armDrop(IDLE_DROP_MS - idle);
      this.dropTimer = null;
      this.clear();
    }, ms);
    this.dropTimer.unref();
  }
}

function listOf<T>(store: Map<number, T[]>, length: number): T[] {
  let list = store.get(length);
  if (list === undefined) store.set(length, (list = []));
  return list;
}

/** This thread's pool (each worker thread has its own module instance). */
export const tablePool = new TablePool();
