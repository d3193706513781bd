import type { StorageKind } from "./vector.js";

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
  private readonly plain: (unknown[] | undefined)[] = [];

  /** `n` doubles for `slot`, holding whatever its last user left there. */
  float64(slot: number, n: number): Float64Array {
    return take(this.f64, Float64Array, slot, n);
  }

  /** `n` 32-bit integers for `slot`, holding whatever its last user left there. */
  int32(slot: number, n: number): Int32Array {
    return take(this.i32, Int32Array, slot, n);
  }

  /** `n` bytes for `slot`, holding whatever its last user left there. */
  uint8(slot: number, n: number): Uint8Array {
    return take(this.u8, Uint8Array, slot, n);
  }

  /**
   * A plain array of `n` values for `slot` (struct, string ... columns), holding whatever its last
   * user left there (a multi-key aggregation's struct keys for a reader that keeps no column:
   * young-generation garbage each batch otherwise).
   */
  values(slot: number, n: number): unknown[] {
    const a = (this.plain[slot] ??= new Array<unknown>(n));
    a.length = n;
    return a;
  }

  /** `n` values of vector storage `kind` for `slot` (doubles, ints, bytes), or null for a kind not kept here. */
  ofKind(kind: StorageKind, slot: number, n: number): Float64Array | Int32Array | Uint8Array | null {
    return kind === "f64" ? this.float64(slot, n) : kind === "i32" ? this.int32(slot, n) : kind === "u8" ? this.uint8(slot, n) : null;
  }
}

/** Slot `slot` of `store` as `n` values: the array kept there, or a new one when it is too short. */
function take<T extends Float64Array | Int32Array | Uint8Array>(store: (T | undefined)[], make: new (length: number) => T, slot: number, n: number): T {
  let a = store[slot];
  if (a === undefined || a.length < n) a = store[slot] = new make(withRoom(n));
  return a.length === n ? a : (a.subarray(0, n) as T);
}

/** A new array's length: an eighth more than asked, since batch sizes wobble (a generator's rows per batch differ by one). */
function withRoom(n: number): number {
  return n + (n >> 3);
}
