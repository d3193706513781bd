import type { ReusableArrays } from "./reusable-arrays.js";
import type { DataType } from "../types/data-type.js";

/**
 * Storage of one column of a batch. Fixed-width types live in typed arrays (so a batch can
 * cross threads as transferred buffers); strings and nested values in plain arrays.
 *
 * | type                     | storage                                                    |
 * |--------------------------|------------------------------------------------------------|
 * | boolean                  | Uint8Array of 0/1                                          |
 * | byte / short / int, date | Int8Array / Int16Array / Int32Array                        |
 * | float                    | Float32Array                                               |
 * | double, timestamp        | Float64Array                                               |
 * | long, decimal            | Float64Array while every value is a safe integer, else a   |
 * |                          | plain array of normalized longs (number or bigint)         |
 * | everything else          | plain array of internal values                             |
 *
 * `nulls[i] === 1` marks a null; `nulls === null` means no nulls. At a null position a typed
 * array holds 0 and a plain array holds `null`.
 */
export type VectorValues =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Float32Array
  | Float64Array
  | unknown[];

export interface Vector {
  readonly type: DataType;
  readonly length: number;
  readonly values: VectorValues;
  readonly nulls: Uint8Array | null;
}

export type StorageKind = "u8" | "i8" | "i16" | "i32" | "f32" | "f64" | "array";

/** Which storage a type uses (long and decimal start as f64 and widen to "array" when needed). */
export function storageKind(t: DataType): StorageKind {
  switch (t.kind) {
    case "boolean": return "u8";
    case "byte": return "i8";
    case "short": return "i16";
    case "int": case "date": return "i32";
    case "float": return "f32";
    case "double": case "timestamp": case "long": case "decimal": return "f64";
    default: return "array";
  }
}

export function allocateValues(kind: StorageKind, n: number): VectorValues {
  switch (kind) {
    case "u8": return new Uint8Array(n);
    case "i8": return new Int8Array(n);
    case "i16": return new Int16Array(n);
    case "i32": return new Int32Array(n);
    case "f32": return new Float32Array(n);
    case "f64": return new Float64Array(n);
    case "array": return new Array<unknown>(n).fill(null);
  }
}

export function makeVector(type: DataType, length: number, values: VectorValues, nulls: Uint8Array | null): Vector {
  return { type, length, values, nulls: nulls && hasAnyNull(nulls, length) ? nulls : null };
}

function hasAnyNull(nulls: Uint8Array, length: number): boolean {
  for (let i = 0; i < length; i++) if (nulls[i] === 1) return true;
  return false;
}

export function isNullAt(v: Vector, i: number): boolean {
  return v.nulls !== null && v.nulls[i] === 1;
}

/** The internal value at row i (see data-type.ts for the representation), or null. */
export function valueAt(v: Vector, i: number): unknown {
  if (v.nulls !== null && v.nulls[i] === 1) return null;
  const x = v.values[i];
  return v.type.kind === "boolean" ? x === 1 : x;
}

/** A vector holding the same value in every row. */
export function constantVector(type: DataType, value: unknown, length: number): Vector {
  const b = new VectorBuilder(type, length);
  for (let i = 0; i < length; i++) b.append(value);
  return b.finish();
}

/** Builds a vector from internal values, one at a time; `null` appends a null. */
export class VectorBuilder {
  private values: VectorValues;
  private nulls: Uint8Array | null = null;
  private n = 0;
  private kind: StorageKind;

  constructor(
    readonly type: DataType,
    capacity = 1024,
  ) {
    this.kind = storageKind(type);
    this.values = allocateValues(this.kind, Math.max(16, capacity));
  }

  get length(): number {
    return this.n;
  }

  append(v: unknown): void {
    if (this.n === this.values.length) this.grow();
    if (v === null || v === undefined) {
      if (this.nulls === null) this.nulls = new Uint8Array(this.values.length);
      this.nulls[this.n++] = 1;
      return;
    }
    switch (this.kind) {
      case "array":
        (this.values as unknown[])[this.n++] = v;
        return;
      case "u8":
        (this.values as Uint8Array)[this.n++] = v === true || v === 1 ? 1 : 0;
        return;
      case "f64":
        if (typeof v === "bigint") {
          this.widen();
          (this.values as unknown[])[this.n++] = v;
          return;
        }
        (this.values as Float64Array)[this.n++] = v as number;
        return;
      default:
        (this.values as Int32Array)[this.n++] = v as number;
    }
  }

  /** Long and decimal columns switch to a plain array when a value needs a bigint. */
  private widen(): void {
    const old = this.values as Float64Array;
    const arr = new Array<unknown>(old.length);
    for (let i = 0; i < this.n; i++) arr[i] = this.nulls !== null && this.nulls[i] === 1 ? null : old[i];
    for (let i = this.n; i < old.length; i++) arr[i] = null;
    this.values = arr;
    this.kind = "array";
  }

  private grow(): void {
    const cap = this.values.length * 2;
    if (Array.isArray(this.values)) {
      for (let i = this.values.length; i < cap; i++) this.values.push(null);
    } else {
      const next = allocateValues(this.kind, cap) as Float64Array;
      next.set(this.values as Float64Array);
      this.values = next;
    }
    if (this.nulls !== null) {
      const nn = new Uint8Array(cap);
      nn.set(this.nulls);
      this.nulls = nn;
    }
  }

  finish(): Vector {
    const values = Array.isArray(this.values) ? this.values.slice(0, this.n) : (this.values as Float64Array).slice(0, this.n);
    const nulls = this.nulls ? this.nulls.slice(0, this.n) : null;
    return makeVector(this.type, this.n, values, nulls);
  }
}

/** Rows [start, end) of a vector, sharing storage where it can. */
export function sliceVector(v: Vector, start: number, end: number): Vector {
  const values = Array.isArray(v.values) ? v.values.slice(start, end) : (v.values as Float64Array).subarray(start, end);
  const nulls = v.nulls ? v.nulls.subarray(start, end) : null;
  return makeVector(v.type, end - start, values, nulls);
}

/**
 * Rows picked by index (a selection), in the order given. With `reuse`, typed values go to its
 * array for `slot`: for a vector that lives only until the caller's next call.
 */
export function takeVector(v: Vector, idx: ArrayLike<number>, count = idx.length, reuse: { readonly arrays: ReusableArrays; readonly slot: number } | null = null): Vector {
  const src = v.values, srcNulls = v.nulls;
  // Typed storage, and plain arrays of anything but longs/decimals (whose storage depends on
  // the values taken), are gathered directly.
  if (!Array.isArray(src) || (v.type.kind !== "long" && v.type.kind !== "decimal")) {
    const kind = storageKind(v.type) === "array" ? "f64" : storageKind(v.type);
    const out = Array.isArray(src) ? (reuse?.arrays.values(reuse.slot, count) ?? new Array<unknown>(count)) : (reuse?.arrays.ofKind(kind, reuse.slot, count) ?? allocateValues(kind, count));
    if (!Array.isArray(src) && out.constructor !== src.constructor) return takeSlow(v, idx, count);
    if (srcNulls === null && !Array.isArray(src)) {
      const typed = out as Float64Array;
      for (let k = 0; k < count; k++) typed[k] = src[idx[k]!]!;
      return makeVector(v.type, count, out, null);
    }
    let nulls: Uint8Array | null = null;
    for (let k = 0; k < count; k++) {
      const i = idx[k]!;
      const x = src[i];
      if ((srcNulls !== null && srcNulls[i] === 1) || x === null || x === undefined) {
        (nulls ??= new Uint8Array(count))[k] = 1;
        out[k] = Array.isArray(out) ? null : 0;
      } else out[k] = x;
    }
    return makeVector(v.type, count, out, nulls);
  }
  return takeSlow(v, idx, count);
}

function takeSlow(v: Vector, idx: ArrayLike<number>, count: number): Vector {
  const b = new VectorBuilder(v.type, count);
  for (let k = 0; k < count; k++) b.append(valueAt(v, idx[k]!));
  return b.finish();
}

/** Concatenates vectors of one type. */
export function concatVectors(type: DataType, parts: readonly Vector[]): Vector {
  const total = parts.reduce((s, p) => s + p.length, 0);
  const kind = storageKind(type);
  if (kind !== "array" && parts.every((p) => !Array.isArray(p.values))) {
    // Typed storage throughout (longs all safe integers): copy buffers.
    const out = allocateValues(kind, total) as Float64Array;
    let nulls: Uint8Array | null = null, off = 0;
    for (const p of parts) {
      out.set((p.values as Float64Array).subarray(0, p.length), off);
      if (p.nulls !== null) (nulls ??= new Uint8Array(total)).set(p.nulls.subarray(0, p.length), off);
      off += p.length;
    }
    return makeVector(type, total, out, nulls);
  }
  const b = new VectorBuilder(type, total);
  for (const p of parts) for (let i = 0; i < p.length; i++) b.append(valueAt(p, i));
  return b.finish();
}
