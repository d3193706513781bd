import { ExecutionError } from "../../errors/errors.js";
import { type Long, longAdd, longDiv, longMul, longNeg, longRem, longSub, normalizeLong } from "../../types/long.js";

/**
 * Helpers that generated code calls. Kept tiny and monomorphic so V8 inlines them; anything
 * that needs exact 64-bit or decimal arithmetic goes through types/long.ts.
 */
export const rt = {
  longAdd, longSub, longMul, longDiv, longRem, longNeg,
  /** Java's floorMod for pmod. */
  /** Adding 0 turns JavaScript's -0 into 0: integral results have no negative zero. */
  pmodNum: (a: number, b: number): number => (((a % b) + b) % b) + 0,
  pmodLong: (a: Long, b: Long): Long => longRem(longAdd(longRem(a, b), b), b),
  /** Spark orders NaN above every other double and treats NaN = NaN and -0.0 = 0.0. */
  dblEq: (a: number, b: number): boolean => a === b || (a !== a && b !== b),
  dblLt: (a: number, b: number): boolean => (a !== a ? false : b !== b ? true : a < b),
  dblLe: (a: number, b: number): boolean => (b !== b ? true : a !== a ? false : a <= b),
  divideByZero: (): never => {
    throw new ExecutionError("DIVIDE_BY_ZERO", "[DIVIDE_BY_ZERO] Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead. If necessary set \"sluice.sql.ansi.enabled\" to \"false\" to bypass this error.");
  },
  intOverflow: (op: string): never => {
    throw new ExecutionError("ARITHMETIC_OVERFLOW", `[ARITHMETIC_OVERFLOW] integer overflow in ${op}. Use 'try_${op === "+" ? "add" : op === "-" ? "subtract" : "multiply"}' to tolerate overflow and return NULL instead.`);
  },
  /** Long results of ANSI arithmetic must stay within 64 bits. */
  checkLong: (v: Long, op: string): Long => {
    if (typeof v === "bigint" && (v > 9223372036854775807n || v < -9223372036854775808n)) rt.intOverflow(op);
    return v;
  },
  /** Exact long arithmetic without wrapping, for ANSI overflow detection. */
  longAddExact: (a: Long, b: Long): Long => {
    const r = BigInt(a) + BigInt(b);
    if (r > 9223372036854775807n || r < -9223372036854775808n) rt.intOverflow("+");
    return normalizeLong(r);
  },
  longMulExact: (a: Long, b: Long): Long => {
    if (typeof a === "number" && typeof b === "number") {
      const r = a * b;
      if (r <= Number.MAX_SAFE_INTEGER && r >= -Number.MAX_SAFE_INTEGER) return r;
    }
    const r = BigInt(a) * BigInt(b);
    if (r > 9223372036854775807n || r < -9223372036854775808n) rt.intOverflow("*");
    return normalizeLong(r);
  },
  /** Lexicographic comparison of Uint8Arrays (binary ordering). */
  compareBytes: (a: Uint8Array, b: Uint8Array): number => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  },
  /** Grows a long/decimal output from a Float64Array into a plain array when a bigint must be stored. */
  widen: (out: Float64Array | unknown[], upTo: number, nulls: Uint8Array | null): unknown[] => {
    if (Array.isArray(out)) return out;
    const a = new Array<unknown>(out.length);
    for (let i = 0; i < upTo; i++) a[i] = nulls !== null && nulls[i] === 1 ? null : out[i];
    for (let i = upTo; i < out.length; i++) a[i] = null;
    return a;
  },
};

export type Runtime = typeof rt;
