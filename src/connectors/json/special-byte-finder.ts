/**
 * Finds, in a chunk of ASCII JSON text, the bytes that make a string more than plain text: a
 * backslash, or a control character but \n and \r (lines end at those). The JSON field scanner
 * asks for the next one after each string it reads; in text without any, one search covers
 * the whole chunk, so the search's speed per byte is what counts. A regular expression reads
 * about 1 GB/s; 16 bytes at a time with WebAssembly SIMD, several times that.
 */
export interface SpecialByteFinder {
  /** Takes the chunk searched from now on (not copied: it must not change while searched). */
  load(bytes: Uint8Array, text: string): void;
  /** The index in the chunk of the first special byte at or after `from`, or the chunk's length. */
  next(from: number): number;
}

/** A finder: with WebAssembly SIMD when this runtime has it, else with a regular expression. */
export function specialByteFinder(): SpecialByteFinder {
  const simd = simdSearch();
  return simd === null ? new RegexFinder() : new SimdFinder(simd);
}

const SPECIAL = /[\x00-\x09\x0b\x0c\x0e-\x1f\\]/g;

class RegexFinder implements SpecialByteFinder {
  private text = "";
  load(_bytes: Uint8Array, text: string): void {
    this.text = text;
  }
  next(from: number): number {
    SPECIAL.lastIndex = from;
    return SPECIAL.exec(this.text)?.index ?? this.text.length;
  }
}

/**
 * Chunks longer than this (one line of many megabytes) are searched by the regular expression:
 * the instance's memory never shrinks, and should not keep the size of the longest line seen.
 */
export const SIMD_MAX_CHUNK = 4 << 20;

class SimdFinder implements SpecialByteFinder {
  private bytes: Uint8Array = new Uint8Array(0);
  private readonly long = new RegexFinder();
  constructor(private readonly simd: SimdSearch) {}
  load(bytes: Uint8Array, text: string): void {
    this.bytes = bytes;
    if (bytes.length > SIMD_MAX_CHUNK) this.long.load(bytes, text);
  }
  next(from: number): number {
    if (from >= this.bytes.length) return this.bytes.length;
    if (this.bytes.length > SIMD_MAX_CHUNK) return this.long.next(from);
    return this.simd.find(this.bytes, from);
  }
}

interface FindExports {
  readonly memory: WebAssembly.Memory;
  readonly find: (from: number, end: number) => number;
}

const PAGE = 65_536;

/**
 * One WebAssembly instance per thread, shared by its finders (each instance reserves gigabytes
 * of address space for its memory): it holds the chunk searched last, and a chunk is copied in
 * again when another was searched in between (readers of two files interleave at their awaits;
 * every chunk a finder loads is a view of its own).
 */
class SimdSearch {
  private readonly exports: FindExports;
  private view: Uint8Array;
  private chunk: Uint8Array | null = null;
  constructor(module: WebAssembly.Module) {
    this.exports = new WebAssembly.Instance(module).exports as unknown as FindExports;
    this.view = new Uint8Array(this.exports.memory.buffer);
  }
  find(bytes: Uint8Array, from: number): number {
    if (this.chunk !== bytes) {
      if (bytes.length > this.view.length) {
        this.exports.memory.grow(Math.ceil((bytes.length - this.view.length) / PAGE));
        this.view = new Uint8Array(this.exports.memory.buffer); // growing detached the old buffer
      }
      this.view.set(bytes);
      this.chunk = bytes;
    }
    return this.exports.find(from, bytes.length);
  }
}

let search: SimdSearch | null | undefined;

function simdSearch(): SimdSearch | null {
  if (search === undefined) {
    const bytes = findModuleBytes();
    search = typeof WebAssembly === "object" && WebAssembly.validate(bytes) ? new SimdSearch(new WebAssembly.Module(bytes)) : null;
  }
  return search;
}

/** Unsigned LEB128, as WebAssembly encodes sizes and indices. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const name = (s: string): number[] => [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

// Instruction encodings (WebAssembly core spec, SIMD proposal) used below.
const I32 = 0x7f, V128 = 0x7b;
const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, RETURN = 0x0f, VOID = 0x40;
const LOCAL_GET = 0x20, LOCAL_SET = 0x21, LOCAL_TEE = 0x22;
const I32_LOAD8_U = 0x2d, I32_CONST = 0x41, I32_EQ = 0x46, I32_NE = 0x47, I32_LT_U = 0x49, I32_GE_U = 0x4f, I32_GT_U = 0x4b;
const I32_CTZ = 0x68, I32_ADD = 0x6a, I32_AND = 0x71, I32_OR = 0x72;
const SIMD = 0xfd, V128_LOAD = 0x00, V128_CONST = 0x0c, I8X16_EQ = 0x23, I8X16_LT_U = 0x26;
const V128_ANDNOT = 0x4f, V128_OR = 0x50, V128_ANY_TRUE = 0x53, I8X16_BITMASK = 0x64;

const splat = (byte: number): number[] => [SIMD, V128_CONST, ...new Array<number>(16).fill(byte)];

/**
 * `find(i, end)`: the first special byte in memory[i, end), or end. Locals: 0 i, 1 end, 2 v
 * (16 bytes), 3 m (their special lanes), 4 c (one byte).
 */
function findModuleBytes(): Uint8Array<ArrayBuffer> {
  const [i, end, v, m, c] = [0, 1, 2, 3, 4];
  const body = [
    2, 2, V128, 1, I32, // locals: 2 x v128, 1 x i32
    BLOCK, VOID,
    LOOP, VOID,
    // 16 bytes at a time while they fit
    LOCAL_GET, i, I32_CONST, 16, I32_ADD, LOCAL_GET, end, I32_GT_U, BR_IF, 1,
    LOCAL_GET, i, SIMD, V128_LOAD, 0, 0, LOCAL_SET, v,
    LOCAL_GET, v, ...splat(0x20), SIMD, I8X16_LT_U,
    LOCAL_GET, v, ...splat(10), SIMD, I8X16_EQ,
    LOCAL_GET, v, ...splat(13), SIMD, I8X16_EQ,
    SIMD, V128_OR,
    SIMD, V128_ANDNOT, // control characters but \n and \r
    LOCAL_GET, v, ...splat(0x5c), SIMD, I8X16_EQ,
    SIMD, V128_OR,
    LOCAL_TEE, m, SIMD, V128_ANY_TRUE,
    IF, VOID,
    LOCAL_GET, i, LOCAL_GET, m, SIMD, I8X16_BITMASK, I32_CTZ, I32_ADD, RETURN,
    END,
    LOCAL_GET, i, I32_CONST, 16, I32_ADD, LOCAL_SET, i,
    BR, 0,
    END,
    END,
    // the rest one byte at a time
    BLOCK, VOID,
    LOOP, VOID,
    LOCAL_GET, i, LOCAL_GET, end, I32_GE_U, BR_IF, 1,
    LOCAL_GET, i, I32_LOAD8_U, 0, 0, LOCAL_SET, c,
    LOCAL_GET, c, I32_CONST, 0x20, I32_LT_U,
    LOCAL_GET, c, I32_CONST, 10, I32_NE, I32_AND,
    LOCAL_GET, c, I32_CONST, 13, I32_NE, I32_AND,
    LOCAL_GET, c, I32_CONST, 0xdc, 0x00, I32_EQ, // 0x5c as signed LEB128
    I32_OR,
    IF, VOID, LOCAL_GET, i, RETURN, END,
    LOCAL_GET, i, I32_CONST, 1, I32_ADD, LOCAL_SET, i,
    BR, 0,
    END,
    END,
    LOCAL_GET, end,
    END,
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, // "\0asm", version 1
    ...section(1, [1, 0x60, 2, I32, I32, 1, I32]), // type 0: (i32, i32) -> i32
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(5, [1, 0x00, 1]), // one memory, at least one page
    ...section(7, [2, ...name("memory"), 0x02, 0, ...name("find"), 0x00, 0]),
    ...section(10, [1, ...leb(body.length), ...body]),
  ]);
}
