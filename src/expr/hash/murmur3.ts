/**
 * Murmur3 x86 32-bit as Spark's Murmur3_x86_32 computes it (the hash() function, count-min
 * sketch and bloom filter): `murmur3Bytes` is Spark's legacy hashUnsafeBytes — whole 4-byte
 * little-endian words, then each remaining byte (sign-extended) mixed as a full word — and
 * `murmur3Long` hashes the low then the high 32 bits. Results are signed 32-bit numbers.
 */
const C1 = 0xcc9e2d51, C2 = 0x1b873593;

function mixK1(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixH1(h: number, k: number): number {
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number, len: number): number {
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** hashInt: the 32-bit value as one word. */
export function murmur3Int(v: number, seed: number): number {
  return fmix(mixH1(seed | 0, mixK1(v | 0)), 4);
}

/** hashLong: the low word, then the high word (each a 32-bit number, signed or unsigned). */
export function murmur3Long(hi: number, lo: number, seed: number): number {
  let h = mixH1(seed | 0, mixK1(lo | 0));
  h = mixH1(h, mixK1(hi | 0));
  return fmix(h, 8);
}

export function murmur3Bytes(b: Uint8Array, seed: number): number {
  let h = seed | 0;
  const aligned = b.length - (b.length % 4);
  for (let i = 0; i < aligned; i += 4) h = mixH1(h, mixK1(b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)));
  for (let i = aligned; i < b.length; i++) h = mixH1(h, mixK1((b[i]! << 24) >> 24));
  return fmix(h, b.length);
}

const utf8 = new TextEncoder();

/** {@link murmur3Bytes} of a string's UTF-8 bytes (an ASCII string's are read from its char codes, see {@link murmur3Ascii}). */
export function murmur3String(s: string, seed: number): number {
  return murmur3Ascii(s, seed) ?? murmur3Bytes(utf8.encode(s), seed);
}

/**
 * {@link murmur3Bytes} of a string's UTF-8 bytes, read from its char codes when every one is
 * ASCII (then they are the bytes: no encoding, no allocation); null when a char is not.
 */
export function murmur3Ascii(s: string, seed: number): number | null {
  const len = s.length, aligned = len - (len % 4);
  let h = seed | 0;
  for (let i = 0; i < aligned; i += 4) {
    const c0 = s.charCodeAt(i), c1 = s.charCodeAt(i + 1), c2 = s.charCodeAt(i + 2), c3 = s.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) >= 0x80) return null;
    h = mixH1(h, mixK1(c0 | (c1 << 8) | (c2 << 16) | (c3 << 24)));
  }
  for (let i = aligned; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return null;
    h = mixH1(h, mixK1(c));
  }
  return fmix(h, len);
}
