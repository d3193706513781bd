/**
 * Typed arrays handed out again and again, by slot: a generated loop's scratch columns (a thread
 * runs one loop at a time), or a scan's columns when its consumer is done with each batch before
 * it asks for the next (ScanOptions.reuseBuffers).
 *
 * Why: every batch that drops fresh typed arrays adds to V8's external memory, which starts
 * mark-compact collections whose marking runs on V8's helper threads. On one executor thread
 * those run on an idle core; with every core busy they take turns with the workers (Nexmark q5
 * on two threads lost about a tenth of its time so).
 */
export class ReusableArrays {
  private readonly f64: (Float64Array | undefined)[] = [];
  private readonly i32: (Int32Array | undefined)[] = [];
  private readonly u8: (Uint8Array | undefined)[] = [];

  /** `n` doubles for `slot`, holding whatever its last user left there. */
  float64(slot: number, n: number): Float64Array {
    let a = this.f64[slot];
    if (a === undefined || a.length < n) a = this.f64[slot] = new Float64Array(withRoom(n));
    return a.length === n ? a : a.subarray(0, n);
  }

  /** `n` 32-bit integers for `slot`, holding whatever its last user left there. */
  int32(slot: number, n: number): Int32Array {
    let a = this.i32[slot];
    if (a === undefined || a.length < n) a = this.i32[slot] = new Int32Array(withRoom(n));
    return a.length === n ? a : a.subarray(0, n);
  }

  /** `n` bytes for `slot`, holding whatever its last user left there. */
  uint8(slot: number, n: number): Uint8Array {
    let a = this.u8[slot];
    if (a === undefined || a.length < n) a = this.u8[slot] = new Uint8Array(withRoom(n));
    return a.length === n ? a : a.subarray(0, n);
  }
}

/** A new array's length: an eighth more than asked, since batch sizes wobble (a generator's rows per batch differ by one). */
function withRoom(n: number): number {
  return n + (n >> 3);
}
