import { type Vector, VectorBuilder, allocateValues, makeVector, storageKind } from "../../batch/vector.js";
import type { DataType } from "../../types/data-type.js";
import { tablePool } from "./table-pool.js";

const FIRST_CAPACITY = 256;

/**
 * The values of a KeyCoder's codes, in code order (at most one null, the null code's value).
 * While every value is a number (number keys: integers, dates, booleans as 0/1, doubles,
 * timestamps), they live in a Float64Array from the thread's table pool, and the dictionary is
 * one typed copy of them. A plain array grown by push, then copied value by value into a
 * builder (boxing each double), was garbage V8 often collected only in full collections: over
 * 20 alternating Nexmark q5 runs the workers ran 21 and 14 of them before, 11 and 2 after. The
 * first value that is not a number (a long past 2^53, a string) moves them to a plain array.
 */
export class CodeValues {
  private nums: Float64Array | null;
  private objs: unknown[] | null;
  private nullAt = -1;
  private count = 0;

  constructor(numeric: boolean) {
    this.nums = numeric ? tablePool.float64(FIRST_CAPACITY) : null;
    this.objs = numeric ? null : [];
  }

  get length(): number {
    return this.count;
  }

  /** The values as numbers (the null code's slot holds 0), or null once one is not a number. */
  get numbers(): Float64Array | null {
    return this.nums;
  }

  push(v: unknown): void {
    const nums = this.nums;
    if (nums !== null) {
      if (typeof v === "number" || v === null) {
        if (this.count === nums.length) this.grow(nums);
        if (v === null) this.nullAt = this.count;
        this.nums![this.count++] = v === null ? 0 : v;
        return;
      }
      this.toObjects(nums);
    }
    this.objs!.push(v);
    this.count++;
  }

  at(code: number): unknown {
    if (code === this.nullAt) return null;
    return this.nums !== null ? this.nums[code] : this.objs![code];
  }

  /**
   * All values as a vector of `type` (booleans held as 0/1). With `view`, doubles (longs,
   * timestamps, doubles) are the pooled array itself, not a copy: for a reader done before
   * `release`.
   */
  toVector(type: DataType, view = false): Vector {
    const n = this.count, nums = this.nums, kind = storageKind(type);
    if (nums !== null && kind !== "array") {
      let nulls: Uint8Array | null = null;
      if (this.nullAt >= 0) (nulls = new Uint8Array(n))[this.nullAt] = 1;
      if (view && kind === "f64") return makeVector(type, n, nums.subarray(0, n), nulls);
      const out = allocateValues(kind, n) as Exclude<ReturnType<typeof allocateValues>, unknown[]>;
      for (let i = 0; i < n; i++) out[i] = nums[i]!;
      return makeVector(type, n, out, nulls);
    }
    const b = new VectorBuilder(type, n);
    for (let i = 0; i < n; i++) b.append(this.at(i));
    return b.finish();
  }

  /** Gives the pooled array back; the values must not be read after. */
  release(): void {
    if (this.nums !== null) tablePool.giveBack(this.nums);
    this.nums = null;
    this.objs = [];
    this.count = 0;
    this.nullAt = -1;
  }

  private grow(nums: Float64Array): void {
    const next = tablePool.float64(nums.length * 2);
    next.set(nums);
    tablePool.giveBack(nums);
    this.nums = next;
  }

  private toObjects(nums: Float64Array): void {
    const objs: unknown[] = [];
    for (let i = 0; i < this.count; i++) objs.push(i === this.nullAt ? null : nums[i]);
    tablePool.giveBack(nums);
    this.nums = null;
    this.objs = objs;
  }
}
