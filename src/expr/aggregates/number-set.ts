import { hashNumber } from "../hash/number-hash.js";

/**
 * A set of numbers with SQL's equality of grouping values (-0 is 0, NaN is one value), for the
 * merge of parallel count(DISTINCT) partials: hundreds of thousands of ids. While the values are
 * integers within a span of at most DENSE_SPAN, at most 64 bytes of bitmap a value, the set is a
 * bitmap indexed by value (Nexmark's 120,000 auction ids: 15 KB, in cache; a JavaScript Set or a
 * hash table of them missed the cache on every add, ~100 ns); else open addressing over a
 * Float64Array, which turns back into a bitmap when its values fill their span.
 */
export class NumberSet {
  /** Dense mode: bit v - lo set for each value v; null once hashed. */
  private bits: Uint32Array | null = null;
  private lo = 0;
  private keys: Float64Array | null = null;
  private used: Uint8Array | null = null;
  private mask = 0;
  private hasNaN = false;
  private count = 0;
  /** Hashed mode: the least and greatest value, and whether all are safe integers (to go back to a bitmap when they turn dense). */
  private min = Infinity;
  private max = -Infinity;
  private integers = true;

  get size(): number {
    return this.count + (this.hasNaN ? 1 : 0);
  }

  add(x: number): void {
    if (x !== x) {
      this.hasNaN = true;
      return;
    }
    const v = x === 0 ? 0 : x;
    if (this.keys === null) {
      // v itself must be an integer: 24 - 5e-324 rounds to one.
      const bits = this.bits, k = v - this.lo;
      if (bits !== null && Math.floor(v) === v && k >= 0 && k < bits.length * 32) {
        const w = k >>> 5, b = 1 << (k & 31);
        if ((bits[w]! & b) === 0) {
          bits[w] = bits[w]! | b;
          this.count++;
        }
        return;
      }
      if (this.widen(v)) {
        this.add(v);
        return;
      }
      this.toHashed();
    }
    this.addHashed(v);
  }

  /** Every value, in no particular order. */
  values(): number[] {
    const out: number[] = [];
    if (this.keys === null) {
      const bits = this.bits;
      if (bits !== null) for (let w = 0; w < bits.length; w++) for (let b = bits[w]!; b !== 0; b &= b - 1) out.push(this.lo + w * 32 + (31 - Math.clz32(b & -b)));
    } else for (let h = 0; h <= this.mask; h++) if (this.used![h] === 1) out.push(this.keys[h]!);
    if (this.hasNaN) out.push(NaN);
    return out;
  }

  /** Makes the bitmap cover integer v (at least doubling it), or false when it would grow past DENSE_SPAN. */
  private widen(v: number): boolean {
    if (!Number.isSafeInteger(v)) return false;
    const old = this.bits;
    if (old === null) {
      this.bits = new Uint32Array(MIN_BITS / 32);
      this.lo = v;
      return true;
    }
    const oldSpan = old.length * 32;
    const span = Math.max(Math.max(v + 1, this.lo + oldSpan) - Math.min(v, this.lo), 2 * oldSpan);
    // Sparse values hash: a bitmap stays within 64 bytes a value (a few ids far apart, in each of
    // thousands of groups, would each take a bitmap of their whole span).
    if (span > DENSE_SPAN || span / 8 > Math.max(MIN_BITS / 8, 64 * (this.count + 1))) return false;
    const words = Math.ceil(span / 32);
    // Grown towards the side v fell on, by whole words, so the old bitmap's words copy as they are.
    const lo = v < this.lo ? this.lo + oldSpan - words * 32 : this.lo;
    const bits = new Uint32Array(words);
    bits.set(old, (this.lo - lo) / 32);
    this.bits = bits;
    this.lo = lo;
    return true;
  }

  private toHashed(): void {
    const values = this.values().filter((x) => x === x);
    this.bits = null;
    this.min = Infinity;
    this.max = -Infinity;
    this.integers = true;
    // Room for all of them without growing (nor turning back into a bitmap) on the way.
    const size = Math.max(64, 2 ** Math.ceil(Math.log2(4 * (values.length + 1))));
    this.keys = new Float64Array(size);
    this.used = new Uint8Array(size);
    this.mask = size - 1;
    this.count = 0;
    for (const x of values) this.addHashed(x);
  }

  private addHashed(v: number): void {
    const keys = this.keys!, used = this.used!, mask = this.mask;
    let h = hashNumber(v) & mask;
    while (used[h] === 1) {
      if (keys[h] === v) return;
      h = (h + 1) & mask;
    }
    used[h] = 1;
    keys[h] = v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (!Number.isSafeInteger(v)) this.integers = false;
    if (++this.count * 2 > mask) {
      const span = this.max - this.min + 1;
      if (this.integers && span <= DENSE_SPAN && span / 8 <= 64 * this.count) this.toBitmap(span);
      else this.grow();
    }
  }

  /** Values that came far apart have filled their span in: back to a bitmap. */
  private toBitmap(span: number): void {
    const values = this.values().filter((x) => x === x);
    this.keys = this.used = null;
    this.bits = new Uint32Array(Math.ceil(span / 32));
    this.lo = this.min;
    this.count = 0;
    for (const x of values) this.add(x);
  }

  private grow(): void {
    const keys = this.keys!, used = this.used!;
    this.keys = new Float64Array(keys.length * 2);
    this.used = new Uint8Array(keys.length * 2);
    this.mask = keys.length * 2 - 1;
    this.count = 0;
    for (let h = 0; h < keys.length; h++) if (used[h] === 1) this.addHashed(keys[h]!);
  }
}

/** The widest span of integers kept as a bitmap (2 MB), and the narrowest (128 bytes). */
const DENSE_SPAN = 1 << 24;
const MIN_BITS = 1024;
