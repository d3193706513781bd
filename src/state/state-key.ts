import { IllegalArgumentError } from "../errors/errors.js";

/**
 * A state key: a tuple of internal values encoded as a **byte string** — a JS string whose
 * every char code is one byte (0..255). Chosen over Uint8Array because:
 * - it is a native Map key (Uint8Arrays compare by identity), so the in-memory store needs no
 *   conversion per access;
 * - V8 stores such strings one byte per char, so 1M keys cost about what their bytes cost;
 * - JavaScript's `<` on strings compares UTF-16 code units, which for byte strings is exactly
 *   unsigned byte order: `a < b` orders keys as the encoded bytes do, as LMDB does;
 * - it converts to bytes with `Buffer.from(key, "latin1")` for disk and LMDB.
 *
 * The encoding is order-preserving: for two tuples of the same shape (one type per position, as a
 * grouping key has), byte order of the encodings equals Spark's ordering of the tuples (nulls
 * first, numbers numerically with NaN largest, strings by UTF-8 bytes = code points, binary by
 * unsigned bytes, false < true, nested arrays/structs lexicographically). Encodings are
 * self-delimiting, so the encoding of a tuple prefix is a byte prefix of the whole tuple's
 * encoding: `prefixScan(encodeKey([windowStart]))` finds every `(windowStart, word)` key.
 *
 * Element encodings (tag byte, then payload):
 * - null 0x01; false 0x02; true 0x03
 * - number / bigint 0x10, then the 8 big-endian bytes of the float64 with the usual sign flip
 *   (so bytes sort numerically), then 0x00 for a JS number, or for a bigint b: 0x01, one length
 *   byte and the big-endian bytes of b - floor64(b), where floor64(b) is the largest double <= b
 *   (those 8 bytes). Numbers and bigints of one column (a normalized long is a number while safe
 *   and a bigint beyond 2^53) therefore sort together and exactly. -0 is stored as 0 (Spark
 *   normalizes it in grouping keys); every NaN is stored as the one canonical NaN.
 * - string 0x20 / binary 0x21, then the bytes (UTF-8 for strings; a lone surrogate as its
 *   three-byte WTF-8 form, so every JS string round-trips), each 0x00 escaped as 0x00 0xFF,
 *   then a 0x00 terminator.
 * - array (array or struct values) 0x30, then the elements, then 0x00.
 *
 * Changing any of these bytes breaks every existing checkpoint: a new encoding needs a new
 * state format version.
 */
export type StateKey = string;

const T_NULL = 0x01, T_FALSE = 0x02, T_TRUE = 0x03, T_NUM = 0x10, T_STR = 0x20, T_BIN = 0x21, T_ARR = 0x30;
const S_NULL = "\x01", S_FALSE = "\x02", S_TRUE = "\x03", S_STR = "\x20";

const f64 = new DataView(new ArrayBuffer(8));
const ASCII_NO_NUL = /^[\x01-\x7f]*$/;

/** Encodes a tuple of internal values (see {@link StateKey}). Throws for values that have no key encoding (maps, objects, functions). */
export function encodeKey(values: readonly unknown[]): StateKey {
  let out = "";
  for (let i = 0; i < values.length; i++) out += encodeElement(values[i]);
  return out;
}

/** Encodes one value; `encodeKey([a, b]) === encodeKeyElement(a) + encodeKeyElement(b)`. */
export function encodeKeyElement(v: unknown): StateKey {
  return encodeElement(v);
}

function encodeElement(v: unknown): string {
  switch (typeof v) {
    case "string":
      if (ASCII_NO_NUL.test(v)) return S_STR + v + "\x00";
      return "\x20" + escapeBytes(utf8Bytes(v)) + "\x00";
    case "number":
      return "\x10" + sortableDouble(v) + "\x00";
    case "bigint":
      return encodeBigint(v);
    case "boolean":
      return v ? S_TRUE : S_FALSE;
    case "object": {
      if (v === null) return S_NULL;
      if (v instanceof Uint8Array) return "\x21" + escapeBytes(v) + "\x00";
      if (Array.isArray(v)) {
        let s = "\x30";
        for (const e of v) s += encodeElement(e);
        return s + "\x00";
      }
      break;
    }
    case "undefined":
      return S_NULL;
  }
  throw new IllegalArgumentError("UNSUPPORTED_STATE_KEY", `A state key cannot hold ${describeValue(v)}: keys are tuples of numbers, bigints, strings, booleans, null, Uint8Arrays and arrays of those.`);
}

function describeValue(v: unknown): string {
  if (v instanceof Map) return "a Map";
  if (typeof v === "object") return `an object (${Object.prototype.toString.call(v)})`;
  return `a ${typeof v}`;
}

function sortableDouble(v: number): string {
  if (v === 0) v = 0; // -0 -> 0
  else if (v !== v) v = NaN; // canonical NaN
  f64.setFloat64(0, v);
  let hi = f64.getUint32(0), lo = f64.getUint32(4);
  if (hi & 0x80000000) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  } else {
    hi = (hi | 0x80000000) >>> 0;
  }
  return String.fromCharCode(hi >>> 24, (hi >>> 16) & 255, (hi >>> 8) & 255, hi & 255, lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255);
}

function unsortableDouble(s: string, p: number): number {
  let hi = ((s.charCodeAt(p) << 24) | (s.charCodeAt(p + 1) << 16) | (s.charCodeAt(p + 2) << 8) | s.charCodeAt(p + 3)) >>> 0;
  let lo = ((s.charCodeAt(p + 4) << 24) | (s.charCodeAt(p + 5) << 16) | (s.charCodeAt(p + 6) << 8) | s.charCodeAt(p + 7)) >>> 0;
  if (hi & 0x80000000) {
    hi = (hi & 0x7fffffff) >>> 0;
  } else {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  }
  f64.setUint32(0, hi);
  f64.setUint32(4, lo);
  return f64.getFloat64(0);
}

/** The largest double <= b. */
function floorDouble(b: bigint): number {
  let d = Number(b);
  if (!Number.isFinite(d)) throw new IllegalArgumentError("UNSUPPORTED_STATE_KEY", "A state key cannot hold a bigint beyond the double range (about 1.8e308).");
  if (BigInt(d) > b) d = nextDown(d);
  return d;
}

function nextDown(d: number): number {
  f64.setFloat64(0, d);
  let hi = f64.getUint32(0), lo = f64.getUint32(4);
  if (d > 0) {
    if (lo === 0) { hi -= 1; lo = 0xffffffff; } else lo -= 1;
  } else {
    // negative (d cannot be 0 here: BigInt(0) > b means b < 0 and Number(b) would be < 0)
    if (lo === 0xffffffff) { hi += 1; lo = 0; } else lo += 1;
  }
  f64.setUint32(0, hi >>> 0);
  f64.setUint32(4, lo >>> 0);
  return f64.getFloat64(0);
}

function encodeBigint(b: bigint): string {
  const d = floorDouble(b);
  let r = b - BigInt(d);
  let bytes = "";
  while (r > 0n) {
    bytes = String.fromCharCode(Number(r & 255n)) + bytes;
    r >>= 8n;
  }
  return "\x10" + sortableDouble(d) + "\x01" + String.fromCharCode(bytes.length) + bytes;
}

/** UTF-8 (WTF-8 for lone surrogates) bytes of a string. */
function utf8Bytes(s: string): Uint8Array {
  if ((s as unknown as { isWellFormed(): boolean }).isWellFormed()) return Buffer.from(s, "utf8");
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

function escapeBytes(b: Uint8Array): string {
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const s = buf.toString("latin1");
  return s.indexOf("\x00") < 0 ? s : s.replaceAll("\x00", "\x00\xff");
}

/** Decodes a key made by {@link encodeKey}. Throws for bytes that are not such a key. */
export function decodeKey(key: StateKey): unknown[] {
  const out: unknown[] = [];
  const st = { p: 0 };
  while (st.p < key.length) out.push(decodeElement(key, st));
  return out;
}

function corrupt(key: string, at: number): never {
  throw new IllegalArgumentError("INVALID_STATE_KEY", `Bytes at offset ${at} of a state key (${key.length} bytes) are not a valid key encoding.`);
}

function decodeElement(key: string, st: { p: number }): unknown {
  const start = st.p;
  const tag = key.charCodeAt(st.p++);
  switch (tag) {
    case T_NULL: return null;
    case T_FALSE: return false;
    case T_TRUE: return true;
    case T_NUM: {
      if (st.p + 9 > key.length) corrupt(key, start);
      const d = unsortableDouble(key, st.p);
      st.p += 8;
      const kind = key.charCodeAt(st.p++);
      if (kind === 0) return d;
      if (kind !== 1) corrupt(key, start);
      const n = key.charCodeAt(st.p++);
      let r = 0n;
      for (let i = 0; i < n; i++) r = (r << 8n) | BigInt(key.charCodeAt(st.p++));
      if (st.p > key.length) corrupt(key, start);
      return BigInt(d) + r;
    }
    case T_STR: case T_BIN: {
      const raw = readEscaped(key, st);
      if (tag === T_BIN) return new Uint8Array(Buffer.from(raw, "latin1"));
      return fromUtf8(raw);
    }
    case T_ARR: {
      const arr: unknown[] = [];
      while (true) {
        if (st.p >= key.length) corrupt(key, start);
        if (key.charCodeAt(st.p) === 0) { st.p++; return arr; }
        arr.push(decodeElement(key, st));
      }
    }
    default:
      return corrupt(key, start);
  }
}

function readEscaped(key: string, st: { p: number }): string {
  let raw = "";
  let from = st.p;
  while (true) {
    const z = key.indexOf("\x00", from);
    if (z < 0) corrupt(key, st.p);
    if (key.charCodeAt(z + 1) === 0xff) {
      raw += key.slice(from, z + 1);
      from = z + 2;
      continue;
    }
    raw += key.slice(from, z);
    st.p = z + 1;
    return raw;
  }
}

const NON_ASCII = /[\x80-\xff]/;

function fromUtf8(raw: string): string {
  if (!NON_ASCII.test(raw)) return raw;
  // Lone surrogates were written as WTF-8 (0xED 0xA0..0xBF ..), which a UTF-8 decoder would replace.
  if (!/\xed[\xa0-\xbf]/.test(raw)) return Buffer.from(raw, "latin1").toString("utf8");
  let s = "";
  for (let i = 0; i < raw.length;) {
    const c = raw.charCodeAt(i);
    let cp: number;
    if (c < 0x80) { cp = c; i += 1; }
    else if (c < 0xe0) { cp = ((c & 31) << 6) | (raw.charCodeAt(i + 1) & 63); i += 2; }
    else if (c < 0xf0) { cp = ((c & 15) << 12) | ((raw.charCodeAt(i + 1) & 63) << 6) | (raw.charCodeAt(i + 2) & 63); i += 3; }
    else { cp = ((c & 7) << 18) | ((raw.charCodeAt(i + 1) & 63) << 12) | ((raw.charCodeAt(i + 2) & 63) << 6) | (raw.charCodeAt(i + 3) & 63); i += 4; }
    s += String.fromCodePoint(cp);
  }
  return s;
}

/**
 * The element at `index` of an encoded tuple, decoded without decoding the others (the elements
 * before it are skipped by their tags): what eviction scans read from every key.
 */
const cursor = { p: 0 };

export function decodeKeyElement(key: StateKey, index: number): unknown {
  const st = cursor;
  st.p = 0;
  for (let i = 0; i < index; i++) {
    if (st.p >= key.length) corrupt(key, st.p);
    skipElement(key, st);
  }
  if (st.p >= key.length) corrupt(key, st.p);
  return decodeElement(key, st);
}

function skipElement(key: string, st: { p: number }): void {
  const start = st.p;
  const tag = key.charCodeAt(st.p++);
  switch (tag) {
    case T_NULL: case T_FALSE: case T_TRUE: return;
    case T_NUM: {
      st.p += 8;
      const kind = key.charCodeAt(st.p++);
      if (kind === 1) st.p += 1 + key.charCodeAt(st.p);
      else if (kind !== 0) corrupt(key, start);
      if (st.p > key.length) corrupt(key, start);
      return;
    }
    case T_STR: case T_BIN: {
      let from = st.p;
      while (true) {
        const z = key.indexOf("\x00", from);
        if (z < 0) corrupt(key, start);
        if (key.charCodeAt(z + 1) === 0xff) { from = z + 2; continue; }
        st.p = z + 1;
        return;
      }
    }
    case T_ARR:
      while (true) {
        if (st.p >= key.length) corrupt(key, start);
        if (key.charCodeAt(st.p) === 0) { st.p++; return; }
        skipElement(key, st);
      }
    default:
      corrupt(key, start);
  }
}

/** The smallest key greater than every key that starts with `prefix` (undefined: no such bound, the prefix is all 0xFF). */
export function prefixUpperBound(prefix: StateKey): StateKey | undefined {
  let i = prefix.length - 1;
  while (i >= 0 && prefix.charCodeAt(i) === 0xff) i--;
  if (i < 0) return undefined;
  return prefix.slice(0, i) + String.fromCharCode(prefix.charCodeAt(i) + 1);
}

/** Bytes of a key (for disk and LMDB). */
export function keyToBytes(key: StateKey): Buffer {
  return Buffer.from(key, "latin1");
}

/** A key from its bytes. */
export function keyFromBytes(bytes: Uint8Array): StateKey {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buf.toString("latin1");
}
