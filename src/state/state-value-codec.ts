import { IllegalArgumentError } from "../errors/errors.js";

/**
 * The binary encoding of state values: exact for every value an operator keeps — null,
 * undefined, booleans, numbers (NaN, ±Infinity and -0 included), bigints of any size, strings
 * (lone surrogates included), Uint8Arrays, Dates, arrays, Maps and plain objects of those.
 * JSON would lose bigints, NaN, Infinity, -0, Maps and bytes; v8.serialize is exact but its
 * bytes belong to V8. This is a small tagged format that Sluice owns:
 *
 *   0 null | 1 undefined | 2 false | 3 true
 *   4 uint (varint n, 0 <= n <= 2^53-1) | 5 negative int (varint -n) | 6 float64 (8 bytes LE)
 *   7 bigint (sign byte, varint byte count, magnitude little-endian)
 *   8 string (varint UTF-8 length, bytes) | 9 UTF-16 string (varint code units, 2 bytes each; only
 *     for strings with lone surrogates) | 10 bytes (varint length, bytes)
 *   11 array (varint n, n values) | 12 object (varint n, n times string key + value)
 *   13 Map (varint n, n times key + value) | 14 Date (float64 ms)
 *
 * Objects with a null prototype decode as plain objects.
 *
 * Changing these bytes breaks existing checkpoints: a new layout needs a new state format version.
 */

/**
 * Strings shorter than this are copied a char at a time (about 2 ns a char, where a call into
 * Buffer.write costs about 70 ns whatever the length).
 */
const SHORT_STRING = 24;

/** How many bytes the varint of `n` takes. */
function varintLength(n: number): number {
  let k = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    k++;
  }
  return k;
}

/** A growable byte buffer that values and files are encoded into. */
export class ByteWriter {
  buf: Buffer;
  pos = 0;
  constructor(initial = 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }
  /** Unsigned varint (LEB128) of a safe non-negative integer. */
  varint(n: number): void {
    this.ensure(8);
    const b = this.buf;
    let p = this.pos;
    // Past 32 bits in float arithmetic, then in integer arithmetic (most lengths and counts).
    while (n > 0xffffffff) {
      b[p++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    while (n >= 0x80) {
      b[p++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    b[p++] = n;
    this.pos = p;
  }
  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    this.ensure(n);
    this.buf.set(src.subarray(start, end), this.pos);
    this.pos += n;
  }
  /** A byte string (chars 0..255) as raw bytes. */
  latin1(s: string): void {
    const n = s.length;
    this.ensure(n);
    if (n >= SHORT_STRING) {
      this.pos += this.buf.write(s, this.pos, "latin1");
      return;
    }
    // Short strings are copied here: a call into Buffer.write costs more than the copy.
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }
  /**
   * Writes the varint of the byte count written since `start` in front of them, where `reserved`
   * bytes were left for it (a guess, made before the bytes were known); the bytes move over when
   * the varint takes another number of bytes.
   */
  lengthBefore(start: number, reserved: number): void {
    const n = this.pos - start, need = varintLength(n);
    if (need !== reserved) {
      this.ensure(need - reserved);
      this.buf.copyWithin(start - reserved + need, start, this.pos);
    }
    this.pos = start - reserved;
    this.varint(n);
    this.pos += n;
  }
  /** A well-formed string as tag 8, the length of its UTF-8 bytes and the bytes, encoded in one pass. */
  utf8(s: string): void {
    this.ensure(9 + s.length * 3);
    this.buf[this.pos++] = 8;
    // Room for an ASCII string's length.
    const reserved = varintLength(s.length), start = this.pos + reserved;
    this.pos = start + this.buf.write(s, start, "utf8");
    this.lengthBefore(start, reserved);
  }
  /**
   * A string shorter than SHORT_STRING as tag 8, its length and its bytes, when every char is
   * ASCII (its UTF-8 bytes are its chars); false, with nothing written, otherwise.
   */
  shortAscii(s: string): boolean {
    const n = s.length;
    this.ensure(n + 2);
    const b = this.buf, at = this.pos;
    let p = at + 2;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return false;
      b[p++] = c;
    }
    b[at] = 8;
    b[at + 1] = n;
    this.pos = p;
    return true;
  }
  reset(): void {
    this.pos = 0;
  }
}

/** A cursor over encoded bytes. */
export class ByteReader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}
  need(n: number): void {
    if (this.pos + n > this.end) throw new RangeError(`truncated: needed ${n} bytes at offset ${this.pos}, only ${this.end - this.pos} left`);
  }
  byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  varint(): number {
    let n = 0, mul = 1;
    while (true) {
      const b = this.byte();
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 0x80;
      if (mul > 2 ** 56) throw new RangeError(`bad varint at offset ${this.pos}`);
    }
  }
}

const scratch = new ByteWriter(4096);

/** The encoding of `v` as a new Buffer. */
export function encodeValue(v: unknown): Buffer {
  scratch.reset();
  writeValue(scratch, v);
  return Buffer.from(scratch.buf.subarray(0, scratch.pos));
}

/** Appends the encoding of `v` to `w`. */
export function writeValue(w: ByteWriter, v: unknown): void {
  switch (typeof v) {
    case "number":
      if (Number.isSafeInteger(v) && !(v === 0 && 1 / v < 0)) {
        if (v >= 0) { w.byte(4); w.varint(v); } else { w.byte(5); w.varint(-v); }
      } else {
        w.ensure(9);
        w.buf[w.pos++] = 6;
        w.pos = w.buf.writeDoubleLE(v, w.pos);
      }
      return;
    case "string": {
      if (v.length < SHORT_STRING && w.shortAscii(v)) return;
      if (!(v as unknown as { isWellFormed(): boolean }).isWellFormed()) {
        w.byte(9);
        w.varint(v.length);
        w.ensure(v.length * 2);
        for (let i = 0; i < v.length; i++) w.pos = w.buf.writeUInt16LE(v.charCodeAt(i), w.pos);
        return;
      }
      w.utf8(v);
      return;
    }
    case "boolean":
      w.byte(v ? 3 : 2);
      return;
    case "undefined":
      w.byte(1);
      return;
    case "bigint": {
      w.byte(7);
      w.byte(v < 0n ? 1 : 0);
      let m = v < 0n ? -v : v;
      const bytes: number[] = [];
      while (m > 0n) { bytes.push(Number(m & 255n)); m >>= 8n; }
      w.varint(bytes.length);
      w.bytes(Uint8Array.from(bytes));
      return;
    }
    case "object": {
      if (v === null) { w.byte(0); return; }
      if (Array.isArray(v)) {
        w.byte(11);
        w.varint(v.length);
        for (let i = 0; i < v.length; i++) writeValue(w, v[i]);
        return;
      }
      if (v instanceof Uint8Array) { w.byte(10); w.varint(v.length); w.bytes(v); return; }
      if (v instanceof Map) {
        w.byte(13);
        w.varint(v.size);
        for (const [k, x] of v) { writeValue(w, k); writeValue(w, x); }
        return;
      }
      if (v instanceof Date) { w.ensure(9); w.buf[w.pos++] = 14; w.pos = w.buf.writeDoubleLE(v.getTime(), w.pos); return; }
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto === Object.prototype || proto === null) {
        const keys = Object.keys(v);
        w.byte(12);
        w.varint(keys.length);
        for (const k of keys) { writeValue(w, k); writeValue(w, (v as Record<string, unknown>)[k]); }
        return;
      }
      break;
    }
  }
  throw new IllegalArgumentError("UNSUPPORTED_STATE_VALUE", `A state value cannot hold ${typeof v === "object" ? `an instance of ${(v as object).constructor?.name ?? "a class"}` : `a ${typeof v}`}: values are null, booleans, numbers, bigints, strings, Uint8Arrays, Dates, arrays, Maps and plain objects of those.`);
}


/** Decodes the value stored in `buf[start, end)`. */
export function decodeValue(buf: Buffer, start = 0, end = buf.length): unknown {
  const r = new ByteReader(buf, start, end);
  const v = readValue(r);
  if (r.pos !== end) throw new RangeError(`${end - r.pos} stray bytes after a state value`);
  return v;
}

export function readValue(r: ByteReader): unknown {
  const tag = r.byte();
  switch (tag) {
    case 0: return null;
    case 1: return undefined;
    case 2: return false;
    case 3: return true;
    case 4: return r.varint();
    case 5: return -r.varint();
    case 6: { r.need(8); const d = r.buf.readDoubleLE(r.pos); r.pos += 8; return d; }
    case 7: {
      const neg = r.byte() === 1;
      const n = r.varint();
      r.need(n);
      let m = 0n;
      for (let i = n - 1; i >= 0; i--) m = (m << 8n) | BigInt(r.buf[r.pos + i]!);
      r.pos += n;
      return neg ? -m : m;
    }
    case 8: {
      const n = r.varint();
      r.need(n);
      const s = r.buf.toString("utf8", r.pos, r.pos + n);
      r.pos += n;
      return s;
    }
    case 9: {
      const n = r.varint();
      r.need(n * 2);
      let s = "";
      for (let i = 0; i < n; i++) s += String.fromCharCode(r.buf.readUInt16LE(r.pos + 2 * i));
      r.pos += n * 2;
      return s;
    }
    case 10: {
      const n = r.varint();
      r.need(n);
      const b = new Uint8Array(n);
      b.set(r.buf.subarray(r.pos, r.pos + n));
      r.pos += n;
      return b;
    }
    case 11: {
      const n = r.varint();
      const a = new Array<unknown>(n);
      for (let i = 0; i < n; i++) a[i] = readValue(r);
      return a;
    }
    case 12: {
      const n = r.varint();
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const k = readValue(r);
        if (typeof k !== "string") throw new RangeError("an object key is not a string");
        const x = readValue(r);
        if (k === "__proto__") Object.defineProperty(o, k, { value: x, enumerable: true, writable: true, configurable: true });
        else o[k] = x;
      }
      return o;
    }
    case 13: {
      const n = r.varint();
      const m = new Map<unknown, unknown>();
      for (let i = 0; i < n; i++) { const k = readValue(r); m.set(k, readValue(r)); }
      return m;
    }
    case 14: { r.need(8); const d = r.buf.readDoubleLE(r.pos); r.pos += 8; return new Date(d); }
    default:
      throw new RangeError(`unknown value tag ${tag} at offset ${r.pos - 1}`);
  }
}
