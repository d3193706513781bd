import { type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import type { Vector, VectorValues } from "../../batch/vector.js";
import { type StructType, isNumberValued } from "../../types/data-type.js";

/**
 * A record batch in the form that crosses threads: typed arrays travel as transferred buffers
 * (moved, not copied); string columns of few distinct values travel as a dictionary and Int32
 * codes, other string columns as their values joined (UTF-8 bytes, transferred) and where each
 * ends, other plain arrays by structured clone.
 */
export interface TransferBatch {
  readonly schema: StructType;
  readonly numRows: number;
  readonly columns: readonly TransferVector[];
}

type TransferVector =
  | { readonly enc: "plain"; readonly values: VectorValues; readonly nulls: Uint8Array | null }
  | { readonly enc: "dict"; readonly codes: Int32Array; readonly dict: readonly string[]; readonly nulls: Uint8Array | null }
  /**
   * Strings of many values: all of them in one string, `ends[i]` where value i ends in it (for a
   * null, -1 - that place), the receiver's values being slices of it. The string travels as its
   * UTF-8 bytes in a transferred buffer, or (with lone surrogates, which UTF-8 cannot hold) as a
   * string. Cloned one by one, a column of strings made as many objects on every thread it
   * passed (the calling thread forwards shuffled rows), and a message of tens of megabytes to
   * copy twice (Nexmark q19 on two threads: a third of its time).
   */
  | { readonly enc: "joined"; readonly text: Uint8Array | string; readonly ends: Int32Array; readonly nulls: Uint8Array | null }
  /**
   * Arrays of numbers (a parallel count(DISTINCT)'s partial sets, tens of thousands of ids a
   * row): every element in one Float64Array, `ends[i]` where row i's end (for a null row,
   * -1 - that place), null elements in a mask where there are any. Cloned as arrays, Nexmark
   * q15's sets took the reduce worker 60-90 ms to receive.
   */
  | { readonly enc: "numberLists"; readonly elements: Float64Array; readonly ends: Int32Array; readonly elementNulls: Uint8Array | null; readonly nulls: Uint8Array | null }
  /** Structs of numbers (the `window` struct): one Float64Array per field, a null mask per field where needed. */
  | { readonly enc: "numberStruct"; readonly fields: readonly Float64Array[]; readonly fieldNulls: readonly (Uint8Array | null)[]; readonly nulls: Uint8Array | null };

/**
 * Encodes batches for postMessage; pass `transfer` as postMessage's transfer list. By default
 * the buffers are copies owned by the message (a vector may share its buffer with a batch the
 * sender still uses, or with a cache); `owned: true` moves the batches' own buffers instead,
 * for batches the sender built for the message and never touches again.
 */
export function encodeBatches(batches: readonly RecordBatch[], options: { owned?: boolean } = {}): { batches: TransferBatch[]; transfer: ArrayBuffer[] } {
  const buffers = new Set<ArrayBuffer>();
  const own = options.owned === true;
  // Loops, not arrows made per call (see expr-tree.ts): every task encodes and decodes batches.
  const out: TransferBatch[] = [];
  for (const b of batches) {
    const columns: TransferVector[] = [];
    for (const c of b.columns) columns.push(encodeVector(c, b.numRows, buffers, own));
    out.push({ schema: b.schema, numRows: b.numRows, columns });
  }
  return { batches: out, transfer: [...buffers] };
}

export function decodeBatches(batches: readonly TransferBatch[]): RecordBatch[] {
  const out: RecordBatch[] = [];
  for (const b of batches) out.push(decodeBatch(b));
  return out;
}

export function decodeBatch(b: TransferBatch): RecordBatch {
  const columns: Vector[] = [];
  for (let i = 0; i < b.columns.length; i++) columns.push(decodeVector(b.columns[i]!, b.schema.fields[i]!.dataType, b.numRows));
  return makeBatch(b.schema, columns, b.numRows);
}

function encodeVector(v: Vector, n: number, transfer: Set<ArrayBuffer>, owned: boolean): TransferVector {
  const nulls = v.nulls ? movable(v.nulls.subarray(0, n), transfer, owned) : null;
  const values = v.values;
  if (!Array.isArray(values)) return { enc: "plain", values: movable(values.subarray(0, n), transfer, owned), nulls };
  if (v.type.kind === "struct" && v.type.fields.every((f) => isNumberValued(f.dataType))) {
    const enc = numberStructEncode(values, v.type.fields.length, n, v.nulls);
    if (enc) {
      for (const f of enc.fields) transfer.add(f.buffer as ArrayBuffer);
      for (const f of enc.fieldNulls) if (f) transfer.add(f.buffer as ArrayBuffer);
      return { enc: "numberStruct", ...enc, nulls };
    }
  }
  if (v.type.kind === "array" && isNumberValued(v.type.elementType)) {
    const enc = numberListsEncode(values, n);
    if (enc) {
      transfer.add(enc.elements.buffer as ArrayBuffer);
      transfer.add(enc.ends.buffer as ArrayBuffer);
      if (enc.elementNulls) transfer.add(enc.elementNulls.buffer as ArrayBuffer);
      return { enc: "numberLists", ...enc, nulls };
    }
  }
  if (v.type.kind === "long" || v.type.kind === "decimal") {
    // A long or decimal column kept in a plain array (it may hold bigints) whose values are all
    // numbers travels as a Float64Array, as an f64 column would.
    const f64 = numbersEncode(values, n);
    if (f64) {
      transfer.add(f64.buffer as ArrayBuffer);
      return { enc: "plain", values: f64, nulls };
    }
  }
  if (v.type.kind === "string") {
    const dict = dictionaryEncode(values, n);
    if (dict) {
      transfer.add(dict.codes.buffer as ArrayBuffer);
      return { enc: "dict", codes: dict.codes, dict: dict.dict, nulls };
    }
    const joined = joinStrings(values, n);
    if (joined) {
      transfer.add(joined.ends.buffer as ArrayBuffer);
      if (typeof joined.text !== "string") transfer.add(joined.text.buffer as ArrayBuffer);
      return { enc: "joined", ...joined, nulls };
    }
  }
  return { enc: "plain", values: values.length === n ? values : values.slice(0, n), nulls };
}

function movable<T extends Exclude<VectorValues, unknown[]>>(a: T, transfer: Set<ArrayBuffer>, owned: boolean): T {
  const out = owned ? a : (a.slice() as T);
  transfer.add(out.buffer as ArrayBuffer);
  return out;
}

/** The values as a Float64Array when every one is a number or null (null: 0, its mask says so), else null. */
function numbersEncode(values: readonly unknown[], n: number): Float64Array | null {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (typeof x === "number") out[i] = x;
    else if (x !== null && x !== undefined) return null;
  }
  return out;
}

/**
 * Dictionary codes when the column repeats its values enough to pay (at most n/4 distinct), else
 * null. A column whose first DICTIONARY_SAMPLE values are mostly distinct is given up on at once:
 * hashing a quarter of a column of distinct strings (Nexmark's `extra`) before giving up cost
 * more than sending it.
 */
function dictionaryEncode(values: readonly unknown[], n: number): { codes: Int32Array; dict: string[] } | null {
  const limit = Math.max(16, n >>> 2);
  const ids = new Map<string, number>();
  const dict: string[] = [];
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (i === DICTIONARY_SAMPLE && dict.length > DICTIONARY_SAMPLE >>> 1) return null;
    const s = values[i];
    if (s === null || s === undefined) {
      codes[i] = -1;
      continue;
    }
    let id = ids.get(s as string);
    if (id === undefined) {
      if (dict.length >= limit) return null;
      id = dict.push(s as string) - 1;
      ids.set(s as string, id);
    }
    codes[i] = id;
  }
  return { codes, dict };
}

const DICTIONARY_SAMPLE = 4096;

/** Far below V8's longest string (2^29 - 24 characters), and within an Int32Array's values. */
const MAX_JOINED_LENGTH = 1 << 27;

/** The values as one string and where each ends (see TransferVector "joined"), or null when some value is not a string or null, or they are too long together. */
function joinStrings(values: readonly unknown[], n: number): { text: Uint8Array | string; ends: Int32Array } | null {
  const ends = new Int32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const s = values[i];
    if (typeof s === "string") {
      total += s.length;
      ends[i] = total;
    } else if (s === null || s === undefined) ends[i] = -1 - total;
    else return null;
    if (total > MAX_JOINED_LENGTH) return null;
  }
  // join() writes null and undefined as nothing, which is what `ends` says of them.
  const text = (values.length === n ? values : values.slice(0, n)).join("");
  return { text: isWellFormed(text) ? UTF8.encode(text) : text, ends };
}

const UTF8 = new TextEncoder();

/** No lone surrogates (String.prototype.isWellFormed: Node 20 has it, TypeScript's ES2023 library does not). */
const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

/** The arrays' elements in one Float64Array (see TransferVector "numberLists"), or null when some element is neither a number nor null (a bigint long). */
function numberListsEncode(values: readonly unknown[], n: number): { elements: Float64Array; ends: Int32Array; elementNulls: Uint8Array | null } | null {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const a = values[i] as readonly unknown[] | null;
    if (a !== null && a !== undefined) total += a.length;
  }
  const elements = new Float64Array(total), ends = new Int32Array(n);
  let elementNulls: Uint8Array | null = null, at = 0;
  for (let i = 0; i < n; i++) {
    const a = values[i] as readonly unknown[] | null;
    if (a === null || a === undefined) {
      ends[i] = -1 - at;
      continue;
    }
    for (let k = 0; k < a.length; k++, at++) {
      const x = a[k];
      if (typeof x === "number") elements[at] = x;
      else if (x === null || x === undefined) (elementNulls ??= new Uint8Array(total))[at] = 1;
      else return null;
    }
    ends[i] = at;
  }
  return { elements, ends, elementNulls };
}

function numberStructEncode(values: readonly unknown[], width: number, n: number, nulls: Uint8Array | null): { fields: Float64Array[]; fieldNulls: (Uint8Array | null)[] } | null {
  const fields = Array.from({ length: width }, () => new Float64Array(n));
  const fieldNulls: (Uint8Array | null)[] = Array.from({ length: width }, () => null);
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const row = values[i] as readonly unknown[] | null;
    if (row === null) return null;
    for (let f = 0; f < width; f++) {
      const x = row[f];
      if (typeof x === "number") fields[f]![i] = x;
      else if (x === null || x === undefined) (fieldNulls[f] ??= new Uint8Array(n))[i] = 1;
      else return null; // a bigint long: clone the column as it is
    }
  }
  return { fields, fieldNulls };
}

function decodeVector(t: TransferVector, type: Vector["type"], n: number): Vector {
  if (t.enc === "plain") return { type, length: n, values: t.values, nulls: t.nulls };
  if (t.enc === "numberStruct") {
    const values = new Array<unknown>(n);
    const width = t.fields.length;
    for (let i = 0; i < n; i++) {
      if (t.nulls !== null && t.nulls[i] === 1) {
        values[i] = null;
        continue;
      }
      const row = new Array<unknown>(width);
      for (let f = 0; f < width; f++) row[f] = t.fieldNulls[f]?.[i] === 1 ? null : t.fields[f]![i];
      values[i] = row;
    }
    return { type, length: n, values, nulls: t.nulls };
  }
  if (t.enc === "numberLists") {
    const values = new Array<unknown>(n);
    const { elements, ends, elementNulls } = t;
    let start = 0;
    for (let i = 0; i < n; i++) {
      const e = ends[i]!;
      if (e < 0) {
        values[i] = null;
        start = -1 - e;
        continue;
      }
      const row = new Array<number | null>(e - start);
      for (let k = start; k < e; k++) row[k - start] = elementNulls !== null && elementNulls[k] === 1 ? null : elements[k]!;
      values[i] = row;
      start = e;
    }
    return { type, length: n, values, nulls: t.nulls };
  }
  if (t.enc === "joined") {
    const values = new Array<unknown>(n);
    const { ends } = t;
    // Buffer's UTF-8 decoding keeps a leading U+FEFF (TextDecoder would drop it as a byte order mark).
    const text = typeof t.text === "string" ? t.text : Buffer.from(t.text.buffer, t.text.byteOffset, t.text.byteLength).toString("utf8");
    let start = 0;
    for (let i = 0; i < n; i++) {
      const e = ends[i]!;
      if (e < 0) {
        values[i] = null;
        start = -1 - e;
      } else {
        values[i] = text.slice(start, e);
        start = e;
      }
    }
    return { type, length: n, values, nulls: t.nulls };
  }
  const values = new Array<unknown>(n);
  const { codes, dict } = t;
  for (let i = 0; i < n; i++) {
    const c = codes[i]!;
    values[i] = c < 0 ? null : dict[c]!;
  }
  return { type, length: n, values, nulls: t.nulls };
}

/** The buffers of encoded batches, for forwarding them to another thread without decoding. */
export function transferListOf(batches: readonly TransferBatch[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const b of batches) {
    for (const c of b.columns) {
      if (c.nulls) out.add(c.nulls.buffer as ArrayBuffer);
      if (c.enc === "dict") out.add(c.codes.buffer as ArrayBuffer);
      else if (c.enc === "joined") {
        out.add(c.ends.buffer as ArrayBuffer);
        if (typeof c.text !== "string") out.add(c.text.buffer as ArrayBuffer);
      } else if (c.enc === "numberLists") {
        out.add(c.elements.buffer as ArrayBuffer);
        out.add(c.ends.buffer as ArrayBuffer);
        if (c.elementNulls) out.add(c.elementNulls.buffer as ArrayBuffer);
      } else if (c.enc === "numberStruct") {
        for (const f of c.fields) out.add(f.buffer as ArrayBuffer);
        for (const f of c.fieldNulls) if (f) out.add(f.buffer as ArrayBuffer);
      } else if (!Array.isArray(c.values)) out.add((c.values as Exclude<VectorValues, unknown[]>).buffer as ArrayBuffer);
    }
  }
  return [...out];
}
