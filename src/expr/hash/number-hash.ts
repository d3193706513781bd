/**
 * The hash of a number by its bits, shared by the tables of numbers (aggregate/key-coder.ts,
 * the generated aggregation loops, expr/aggregates/number-set.ts, aggregate/group-value-bits.ts).
 */
const NUMBER_HASH_MUL = 0x9e3779b1;

const HASH_BITS = new Float64Array(1);
const HASH_WORDS = new Int32Array(HASH_BITS.buffer);

/**
 * A number's hash from its bits (MurmurHash3's 32-bit finalizer over the two words mixed), -0
 * hashing as 0 (they are one key; `===` equates them). NaN is never hashed (it has its own
 * code). Generated loops inline the same statements (`numberHashCode`).
 */
export function hashNumber(v: number): number {
  HASH_BITS[0] = v + 0;
  let h = Math.imul(HASH_WORDS[0]!, NUMBER_HASH_MUL) ^ HASH_WORDS[1]!;
  h ^= h >>> 16;
  h = Math.imul(h, FMIX_MUL1);
  h ^= h >>> 13;
  h = Math.imul(h, FMIX_MUL2);
  return h ^ (h >>> 16);
}

const FMIX_MUL1 = 0x85ebca6b, FMIX_MUL2 = 0xc2b2ae35;

/**
 * Statements computing `hashNumber(v)` into a new variable `out`, for a generated loop given
 * references to NUMBER_HASH_SCRATCH's arrays.
 */
export function numberHashCode(v: string, out: string, bits: string, words: string): string {
  return `${bits}[0] = ${v} + 0; let ${out} = Math.imul(${words}[0], ${NUMBER_HASH_MUL}) ^ ${words}[1]; ${out} ^= ${out} >>> 16; ${out} = Math.imul(${out}, ${FMIX_MUL1}); ${out} ^= ${out} >>> 13; ${out} = Math.imul(${out}, ${FMIX_MUL2}); ${out} ^= ${out} >>> 16;`;
}

export const NUMBER_HASH_SCRATCH = { bits: HASH_BITS, words: HASH_WORDS } as const;
