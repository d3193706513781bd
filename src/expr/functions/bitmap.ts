import { BinaryType, LongType } from "../../types/data-type.js";
import { type Long, toLong } from "../../types/long.js";
import type { ScalarFunctionDef } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { fn, row } from "./define.js";

/**
 * Spark 3.5's bitmap functions for exact distinct counts: a bitmap is BINARY of BITMAP_BYTES
 * bytes, bit i (of byte i/8, value 1 << i%8) standing for one value of a bucket of BITMAP_BITS.
 * These constants fix the format Spark writes; changing them breaks bitmaps already stored.
 */
export const BITMAP_BYTES = 4 * 1024;
export const BITMAP_BITS = BITMAP_BYTES * 8;

const big = (v: Long): bigint => BigInt(v);

/** bitmap_bucket_number(v): 1 + (v − 1) / 32768 for v > 0, else v / 32768 (division toward zero). */
const bucketNumber = fn({
  name: "bitmap_bucket_number", args: [LongType], result: LongType,
  doc: "bitmap_bucket_number(value) - The bitmap bucket holding value (1 + (value - 1) / 32768 for positive values).",
  impl: () => row((v: Long) => {
    const b = big(v), n = BigInt(BITMAP_BITS);
    return toLong(b > 0n ? 1n + (b - 1n) / n : b / n);
  }),
});

/** bitmap_bit_position(v): (v − 1) % 32768 for v > 0, else (−v) % 32768. */
const bitPosition = fn({
  name: "bitmap_bit_position", args: [LongType], result: LongType,
  doc: "bitmap_bit_position(value) - The bit of value within its bucket's bitmap (0-based).",
  impl: () => row((v: Long) => {
    const b = big(v), n = BigInt(BITMAP_BITS);
    return toLong(b > 0n ? (b - 1n) % n : -b % n);
  }),
});

const bitmapCount = fn({
  name: "bitmap_count", args: [BinaryType], result: LongType,
  doc: "bitmap_count(bitmap) - The number of bits set in bitmap.",
  impl: () => row((b: Uint8Array) => {
    let n = 0;
    for (const x of b) {
      let y = x;
      while (y) { y &= y - 1; n++; }
    }
    return n;
  }),
});

export const BITMAP_FUNCTIONS: readonly ScalarFunctionDef[] = [bucketNumber, bitPosition, bitmapCount];

registerFunctions(BITMAP_FUNCTIONS);
