import { type Vector, sliceVector, takeVector } from "../../batch/vector.js";
import { valueKey } from "../../expr/aggregates/collect.js";
import { type DataType, isNumberValued } from "../../types/data-type.js";
import { ReusableArrays } from "../../batch/reusable-arrays.js";
import { tablePool } from "./table-pool.js";
import { CodeValues } from "./code-values.js";
import { hashNumber } from "../../expr/hash/number-hash.js";

/** Largest value span a dense integer coder covers with a direct array. */
const MAX_DENSE_SPAN = 1 << 22;

/**
 * Gives each distinct value of one grouping column (null included) a dense code 0, 1, 2, ... in
 * the order values are first met. Generated aggregate loops inline the fast path:
 *
 * - integer-like columns (byte, short, int, long, date, boolean as 0/1): `dense[v - base]` is the code
 *   (-1 when not yet seen) while the values seen span a small enough range; values outside it
 *   go through `code(v)`, which widens the window when the span stays dense, else uses `map`.
 * - float, double and timestamp columns: an open-addressing table over typed arrays, hashed on
 *   the value's bits (`hslots[hashNumber(v) & hmask]` = code + 1, `hkeys[code]` the value): a
 *   Map of numbers would box every double it is asked about (q5's window starts, in microseconds,
 *   are past the small-integer range). NaN has its own code (NaN = NaN) and -0 hashes as 0 (-0 =
 *   0), as Spark groups.
 * - other columns: `map.get(key)` where the key is the value itself (Map's SameValueZero
 *   equality gives NaN = NaN and -0 = 0, as Spark's grouping) or an encoding for complex
 *   values (arrays, structs, binary, maps, intervals).
 *
 * `values.at(code)` is the value (null for the null code), used to build the output keys.
 * `release()` gives the coder's arrays back to the thread's table pool once its dictionary is built.
 */
export class KeyCoder {
  readonly map = new Map<unknown, number>();
  readonly values: CodeValues;
  /** Code of null, or -1 while no null was met. */
  nullCode = -1;
  /** Dense window for integer-like columns: `dense[v - base]`, -1 = unseen. */
  dense: Int32Array = new Int32Array(0);
  base = 0;
  private min = Infinity;
  private max = -Infinity;
  readonly encode: ((v: unknown) => unknown) | null;
  readonly integerLike: boolean;
  /** Whether the column's values are coded through the number table (hslots, hkeys). */
  readonly hashed: boolean;
  /** Number table: code + 1 per slot (0 = empty); `hkeys[code]` is the code's value. */
  hslots = new Int32Array(0);
  hmask = -1;
  hkeys = new Float64Array(0);
  private hcount = 0;
  /** Code of NaN, or -1 while no NaN was met. */
  nanCode = -1;

  constructor(readonly type: DataType) {
    this.integerLike = isIntegerLikeKey(type);
    this.hashed = isHashedNumberKey(type);
    this.encode = keyEncoder(type);
    this.values = new CodeValues(this.integerLike || this.hashed);
    if (this.hashed) {
      this.hslots = tablePool.int32(256).fill(0);
      this.hmask = 255;
      this.hkeys = tablePool.float64(128);
    }
  }

  /** Gives the coder's arrays back to the thread's table pool; the coder must not be used after. */
  release(): void {
    this.values.release();
    tablePool.giveBack(this.dense);
    tablePool.giveBack(this.hslots);
    tablePool.giveBack(this.hkeys);
    this.dense = new Int32Array(0);
    this.hslots = new Int32Array(0);
    this.hkeys = new Float64Array(0);
  }

  get size(): number {
    return this.values.length;
  }

  /** Code of null (creating it). */
  codeNull(): number {
    if (this.nullCode < 0) this.nullCode = this.addCode(null);
    return this.nullCode;
  }

  /** Code of a non-null value (creating it); for integer-like columns `v` is a number (booleans as 0/1). */
  code(v: unknown): number {
    if (this.integerLike && typeof v === "number") return this.codeInteger(v);
    if (this.hashed) return this.codeNumber(v as number);
    const key = this.encode === null ? v : this.encode(v);
    let c = this.map.get(key);
    if (c !== undefined) return c;
    c = this.addCode(v);
    this.map.set(key, c);
    return c;
  }

  /** The code of a non-null value, or -1 when it has none (nothing is added). */
  find(v: unknown): number {
    if (this.integerLike && typeof v === "number") {
      const off = v - this.base;
      if ((off >>> 0) === off && off < this.dense.length) return this.dense[off]!;
      return this.map.get(v) ?? -1;
    }
    if (this.hashed) return this.findNumber(v as number);
    const c = this.map.get(this.encode === null ? v : this.encode(v));
    return c === undefined ? -1 : c;
  }

  /** `out[i]` = the code of row i of a column's values and nulls (created as needed; booleans as 0/1). */
  codeAll(values: ArrayLike<unknown>, nulls: Uint8Array | null, n: number, out: Int32Array): void {
    if (this.hashed) {
      const vals = values as ArrayLike<number>;
      for (let i = 0; i < n; i++) out[i] = nulls !== null && nulls[i] === 1 ? this.codeNull() : this.codeNumber(vals[i]!);
      return;
    }
    if (!this.integerLike && this.encode === null) {
      // Keys that are their own Map keys (strings, decimals, nulls-only columns): the Map inline,
      // skipped while a row repeats the row before (a day's rows, a date_format of sorted times).
      const map = this.map;
      let last: unknown = undefined, lastCode = -1;
      for (let i = 0; i < n; i++) {
        if (nulls !== null && nulls[i] === 1) {
          out[i] = this.codeNull();
          continue;
        }
        const v = values[i];
        if (v === last && lastCode >= 0) {
          out[i] = lastCode;
          continue;
        }
        let c = map.get(v);
        if (c === undefined) map.set(v, (c = this.addCode(v)));
        out[i] = lastCode = c;
        last = v;
      }
      return;
    }
    for (let i = 0; i < n; i++) out[i] = nulls !== null && nulls[i] === 1 ? this.codeNull() : this.code(values[i]);
  }

  /** `out[i]` = the code of row i, or -1 when it has none (a null row has `nullCode`, -1 unless `nullMatches`); nothing is added. */
  findAll(values: ArrayLike<unknown>, nulls: Uint8Array | null, n: number, out: Int32Array, nullMatches: boolean): void {
    const onNull = nullMatches ? this.nullCode : -1;
    if (this.hashed) {
      const vals = values as ArrayLike<number>;
      for (let i = 0; i < n; i++) out[i] = nulls !== null && nulls[i] === 1 ? onNull : this.findNumber(vals[i]!);
      return;
    }
    for (let i = 0; i < n; i++) out[i] = nulls !== null && nulls[i] === 1 ? onNull : this.find(values[i]);
  }

  /** A float, double or timestamp's code through the number table (see the class comment). */
  private codeNumber(v: number): number {
    const c = this.findNumber(v);
    if (c >= 0) return c;
    if (v !== v) return (this.nanCode = this.addCode(v));
    const code = this.addCode(v);
    if (code >= this.hkeys.length) {
      const k = tablePool.float64(this.hkeys.length * 2);
      k.set(this.hkeys);
      tablePool.giveBack(this.hkeys);
      this.hkeys = k;
    }
    this.hkeys[code] = v;
    let s = hashNumber(v) & this.hmask;
    while (this.hslots[s] !== 0) s = (s + 1) & this.hmask;
    this.hslots[s] = code + 1;
    if (++this.hcount * 2 > this.hslots.length) this.rehashNumbers();
    return code;
  }

  private findNumber(v: number): number {
    if (v !== v) return this.nanCode;
    const slots = this.hslots, keys = this.hkeys, mask = this.hmask;
    for (let s = hashNumber(v) & mask; ; s = (s + 1) & mask) {
      const e = slots[s]!;
      if (e === 0) return -1;
      if (keys[e - 1] === v) return e - 1;
    }
  }

  private rehashNumbers(): void {
    const old = this.hslots;
    this.hslots = doubledSlots(old, (e) => hashNumber(this.hkeys[e - 1]!));
    tablePool.giveBack(old);
    this.hmask = this.hslots.length - 1;
  }

  private addCode(v: unknown): number {
    const c = this.values.length;
    this.values.push(v);
    return c;
  }

  /**
   * An integer's code. Every integer met is in the dense window or, when the window could not
   * stay dense enough to take it, in `map`: a value inside the window never touches the Map
   * (Nexmark q5's 120 k auctions: a Map insert and lookup each).
   */
  private codeInteger(v: number): number {
    const off = v - this.base;
    if ((off >>> 0) === off && off < this.dense.length) {
      let c = this.dense[off]!;
      if (c < 0) {
        c = this.addValue(v);
        this.dense[off] = c;
      }
      return c;
    }
    let c = this.map.get(v);
    if (c !== undefined) return c;
    c = this.addValue(v);
    if (!this.widenDense(v)) this.map.set(v, c);
    return c;
  }

  private addValue(v: number): number {
    const c = this.values.length;
    this.values.push(v);
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    return c;
  }

  /** Grows the dense window to take `v` (already added) when it stays dense enough; false when it does not. */
  private widenDense(v: number): boolean {
    const min = this.min, max = this.max;
    const span = max - min + 1;
    // Stay dense while the window is at most 8 slots per distinct value (or small anyway).
    if (span > MAX_DENSE_SPAN || span > Math.max(4096, 8 * this.values.length)) return false;
    const old = this.dense.length;
    const size = Math.min(MAX_DENSE_SPAN, Math.max(span, old * 2, 64));
    // Leave the slack on the side the window grew towards.
    const base = v < this.base && old > 0 ? Math.max(min - (size - span), -2147483648) : min;
    const d = tablePool.int32(size).fill(-1);
    const nums = this.values.numbers, n = this.values.length;
    for (let code = 0; code < n; code++) {
      if (code === this.nullCode) continue;
      const val = nums !== null ? nums[code]! : this.values.at(code);
      const x = typeof val === "boolean" ? (val ? 1 : 0) : val;
      if (typeof x !== "number") continue; // a bigint long
      const o = x - base;
      if (o >= 0 && o < size) d[o] = code;
    }
    tablePool.giveBack(this.dense);
    this.dense = d;
    this.base = base;
    return true;
  }

  /** The distinct values, in code order, as a vector (with `view`, valid until `release`: CodeValues.toVector). */
  dictionary(view = false): Vector {
    return this.values.toVector(this.type, view);
  }
}

/**
 * Keys coded through the dense window when their values span little. Longs too: those that are
 * numbers (a long past 2^53 is a bigint, always coded through `map`); generated code then checks
 * that `v - base` is an exact array index (see FusedAggregate).
 */
export function isIntegerLikeKey(t: DataType): boolean {
  return t.kind === "byte" || t.kind === "short" || t.kind === "int" || t.kind === "long" || t.kind === "date" || t.kind === "boolean";
}

/** Keys coded through the number table: number values that are not integer-like. */
export function isHashedNumberKey(t: DataType): boolean {
  return t.kind === "float" || t.kind === "double" || t.kind === "timestamp";
}

/** Map keys must compare by value: complex values are encoded. */
function keyEncoder(t: DataType): ((v: unknown) => unknown) | null {
  switch (t.kind) {
    case "struct":
      if (t.fields.every((f) => isNumberValued(f.dataType))) return internNumberTuples();
      return valueKey(t);
    case "binary": case "array": case "map": case "interval":
      return valueKey(t);
    default:
      return null;
  }
}

/**
 * Keys for structs of numbers (the `window` struct of two timestamps): one number per distinct
 * tuple, found through a Map per field, which is several times faster than building a string
 * per row. Map keys compare by SameValueZero (NaN = NaN, -0 = 0, as Spark groups); nulls and
 * bigints are their own keys. The codes are only meaningful to this coder.
 */
export function internNumberTuples(): (v: unknown) => unknown {
  type Level = Map<unknown, Level | number>;
  const root: Level = new Map();
  let next = 0;
  return (v) => {
    const a = v as readonly unknown[];
    let level = root;
    const last = a.length - 1;
    for (let i = 0; i < last; i++) {
      let nextLevel = level.get(a[i]) as Level | undefined;
      if (nextLevel === undefined) level.set(a[i], (nextLevel = new Map()));
      level = nextLevel;
    }
    let code = level.get(a[last]) as number | undefined;
    if (code === undefined) level.set(a[last], (code = next++));
    return code;
  };
}

/** Most entries (as a power of two) of TupleTable's direct cache: 4 M entries, 16 MB. */
const MAX_DIRECT_BITS = 22;

/** Multiplier of the composite-key hash (changing it changes no persisted data). */
export const TUPLE_HASH_MUL = 0x9e3779b1;

/** One code's own hash table in a TupleTable partitioned by a column: slots hold group + 1 (0 = empty). */
export interface TablePart {
  slots: Int32Array;
  mask: number;
  count: number;
}

/**
 * Group ids for tuples of key codes (two or more grouping columns): open addressing over Int32
 * arrays. `slots[s]` is group + 1 (0 = empty); `keys[g * width + j]` is code j of group g. The
 * generated loop probes inline with the same hash as `hashOf`; `insert` adds a group.
 *
 * Partitioned by a column (`partColumn`, a time window's code): one small table per code of that
 * column, over the other codes (`part`, `insertInPart`). Rows come roughly in event-time order,
 * so a batch touches the few windows still open, whose tables stay in the CPU's caches; one
 * table over all groups (Nexmark q5: 600 k groups per 2 M events) misses the cache on nearly
 * every probe.
 */
export class TupleTable {
  /** With a partitioning column: the table of each of its codes. */
  readonly parts: (TablePart | undefined)[] = [];
  /** Slots of a new part's table (see `part`). */
  private partSize = 64;
  slots: Int32Array = new Int32Array(1024);
  mask = 1023;
  keys: Int32Array;
  count = 0;
  /**
   * A direct-mapped cache in front of the hash table while the codes are small: bit widths
   * `bits[j]` per column, `direct[(c0 << shift[0]) | (c1 << shift[1]) | ...]` = group + 1 (0 =
   * not cached). A tuple whose code j needs more than `bits[j]` bits skips the cache and goes
   * to the hash table; `cache` then widens the columns (up to MAX_DIRECT_BITS in all) or, past
   * that, gives the cache up (all widths 0).
   */
  direct: Int32Array = new Int32Array(1);
  readonly bits: Int32Array;
  readonly shift: Int32Array;
  /** False once the cache is given up (the generated loop then skips `cache`). */
  directEnabled = true;

  constructor(
    readonly width: number,
    readonly partColumn = -1,
  ) {
    this.keys = new Int32Array(1024 * width);
    this.bits = new Int32Array(width);
    this.shift = new Int32Array(width);
    // The open windows' tables are small and stay in cache: a direct cache of up to 16 MB in
    // front of them would only add a cache miss per row.
    if (partColumn >= 0) this.directEnabled = false;
  }

  /** Caches group `g` of `codes` in the direct table, widening or giving it up as needed. */
  cache(g: number, codes: ArrayLike<number>): void {
    if (!this.directEnabled) return;
    const w = this.width;
    let widen = false;
    for (let j = 0; j < w; j++) {
      if (codes[j]! >>> this.bits[j]! !== 0) {
        widen = true;
        this.bits[j] = Math.max(this.bits[j]! + 1, 32 - Math.clz32(codes[j]!));
      }
    }
    if (widen) {
      let total = 0;
      for (let j = w - 1; j >= 0; j--) {
        this.shift[j] = total;
        total += this.bits[j]!;
      }
      if (total > MAX_DIRECT_BITS) {
        this.directEnabled = false;
        this.bits.fill(0);
        this.shift.fill(0);
        this.direct = new Int32Array(1);
        return;
      }
      tablePool.giveBack(this.direct);
      this.direct = tablePool.int32(1 << total).fill(0);
      for (let h = 0; h < this.count; h++) this.direct[this.directIndex(this.keys, h * w)] = h + 1;
    }
    this.direct[this.directIndex(codes, 0)] = g + 1;
  }

  private directIndex(codes: ArrayLike<number>, offset: number): number {
    let ix = 0;
    for (let j = 0; j < this.width; j++) ix |= codes[offset + j]! << this.shift[j]!;
    return ix;
  }

  static hash(codes: ArrayLike<number>, offset: number, width: number): number {
    let h = 0;
    for (let j = 0; j < width; j++) h = Math.imul(h ^ codes[offset + j]!, TUPLE_HASH_MUL);
    return h ^ (h >>> 16);
  }

  /** The group of the tuple `codes` (unpartitioned tables), or -1. */
  find(codes: ArrayLike<number>): number {
    for (let s = TupleTable.hash(codes, 0, this.width) & this.mask; ; s = (s + 1) & this.mask) {
      const e = this.slots[s]!;
      if (e === 0) return -1;
      if (this.holds(e - 1, codes)) return e - 1;
    }
  }

  /** The group of the tuple `codes` (unpartitioned tables), added when absent. */
  findOrInsert(codes: ArrayLike<number>): number {
    for (let s = TupleTable.hash(codes, 0, this.width) & this.mask; ; s = (s + 1) & this.mask) {
      const e = this.slots[s]!;
      if (e === 0) return this.insert(s, codes);
      if (this.holds(e - 1, codes)) return e - 1;
    }
  }

  private holds(g: number, codes: ArrayLike<number>): boolean {
    const w = this.width, b = g * w;
    for (let j = 0; j < w; j++) if (this.keys[b + j] !== codes[j]) return false;
    return true;
  }

  /** Adds the group whose codes are `codes` at empty slot `s`; returns its id. */
  insert(s: number, codes: ArrayLike<number>): number {
    const g = this.addGroup(codes);
    this.slots[s] = g + 1;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    return g;
  }

  /**
   * The table of code `code` of the partitioning column (created empty), of the size a table last
   * grew to: the windows of a stream hold about as many groups each, so a new window's table is
   * not grown from 64 slots again (q5: 8 rehashes per window).
   */
  part(code: number): TablePart {
    const size = this.partSize;
    const p: TablePart = { slots: tablePool.int32(size).fill(0), mask: size - 1, count: 0 };
    this.parts[code] = p;
    return p;
  }

  /** Adds the group whose codes are `codes` at empty slot `s` of its part `p`; returns its id. */
  insertInPart(p: TablePart, s: number, codes: ArrayLike<number>): number {
    const g = this.addGroup(codes);
    p.slots[s] = g + 1;
    if (++p.count * 2 > p.slots.length) this.rehashPart(p);
    return g;
  }

  /** Hash of a group's codes but the partitioning column's (the generated loop mixes the same way). */
  partHash(codes: ArrayLike<number>, offset: number): number {
    let h = 0;
    for (let j = 0; j < this.width; j++) if (j !== this.partColumn) h = Math.imul(h ^ codes[offset + j]!, TUPLE_HASH_MUL);
    return h ^ (h >>> 16);
  }

  private addGroup(codes: ArrayLike<number>): number {
    const g = this.count++;
    const w = this.width;
    if ((g + 1) * w > this.keys.length) {
      const k = tablePool.int32(this.keys.length * 2);
      k.set(this.keys);
      tablePool.giveBack(this.keys);
      this.keys = k;
    }
    for (let j = 0; j < w; j++) this.keys[g * w + j] = codes[j]!;
    return g;
  }

  /** Gives the table's arrays to the thread's table pool (after its groups' keys were read); the table is not used again. */
  release(): void {
    tablePool.giveBack(this.keys);
    tablePool.giveBack(this.slots);
    tablePool.giveBack(this.direct);
    for (const p of this.parts) if (p !== undefined) tablePool.giveBack(p.slots);
    this.parts.length = 0;
    this.keys = this.slots = this.direct = new Int32Array(1);
    this.count = 0;
  }

  private rehashPart(p: TablePart): void {
    const old = p.slots;
    p.slots = doubledSlots(old, (e) => this.partHash(this.keys, (e - 1) * this.width));
    tablePool.giveBack(old);
    p.mask = p.slots.length - 1;
    this.partSize = p.slots.length;
  }

  private rehash(size: number): void {
    const slots = tablePool.int32(size).fill(0), mask = size - 1, w = this.width;
    for (let g = 0; g < this.count; g++) {
      let s = TupleTable.hash(this.keys, g * w, w) & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = g + 1;
    }
    tablePool.giveBack(this.slots);
    this.slots = slots;
    this.mask = mask;
  }
}

/** Open-addressing slots (entry + 1; 0 = empty) in a table twice as large, each entry placed by `hashOf(entry)`. */
function doubledSlots(old: Int32Array, hashOf: (e: number) => number): Int32Array<ArrayBuffer> {
  const slots = tablePool.int32(old.length * 2).fill(0), mask = slots.length - 1;
  for (const e of old) {
    if (e === 0) continue;
    let s = hashOf(e) & mask;
    while (slots[s] !== 0) s = (s + 1) & mask;
    slots[s] = e;
  }
  return slots;
}

/**
 * The key columns of an aggregation's groups, in group order, built one output batch at a time:
 * a coder's dictionary when it is the only key, else each group's code in `table` looked up in
 * its coder's dictionary. Whole columns (Nexmark q5: 600 k groups) were large arrays in V8's old
 * generation, then copied again batch by batch: a major GC's worth of garbage in every run.
 */
export class GroupKeys {
  private readonly dictionaries: Vector[] = [];
  /** One key column's codes for the slice being built (takeVector copies out of it). */
  private readonly scratch = new ReusableArrays();

  /**
   * Read before the coders are released. With `transient` (the slices' reader keeps none of
   * their columns), a single key's slices may be views of a coder's pooled values; several keys'
   * are copied out of their dictionaries, which are such views either way.
   */
  constructor(
    coders: readonly KeyCoder[],
    private readonly table: TupleTable | null,
    readonly groups: number,
    transient = false,
  ) {
    for (const c of coders) this.dictionaries.push(c.dictionary(transient || coders.length > 1));
  }

  /**
   * The key columns of groups [start, end); with `arrays`, copies of the keys `reuse` marks (all
   * when it is null) go to its arrays, overwritten by the next slice (ExecOptions.reuseBuffers).
   */
  slice(start: number, end: number, arrays: ReusableArrays | null = null, reuse: readonly boolean[] | null = null): Vector[] {
    const d = this.dictionaries;
    if (d.length === 1) return [start === 0 && end === d[0]!.length ? d[0]! : sliceVector(d[0]!, start, end)];
    const out: Vector[] = [];
    for (let j = 0; j < d.length; j++) {
      const codes = codeColumn(this.table!.keys, d.length, j, start, end, this.scratch.int32(0, end - start));
      out.push(takeVector(d[j]!, codes, end - start, arrays === null || reuse?.[j] === false ? null : { arrays, slot: j }));
    }
    return out;
  }
}

/** Code j of tuples [start, end) of `width` codes each, into `idx`. */
function codeColumn(keys: Int32Array, width: number, j: number, start: number, end: number, idx: Int32Array): Int32Array {
  for (let g = start; g < end; g++) idx[g - start] = keys[g * width + j]!;
  return idx;
}
