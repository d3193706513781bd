import { AnalysisError } from "../../errors/errors.js";
import {
  BooleanType, type DataType, DoubleType, IntegerType, LongType, StringType, decimalType, isNumeric, MAX_DECIMAL_PRECISION,
} from "../../types/data-type.js";
import { type Long, longNeg, longRem, normalizeLong, wrapLong, longAdd, longSub, longMul } from "../../types/long.js";
import { registerFunctions } from "../function-registry.js";
import type { ArgInfo, ScalarFunctionDef } from "../function-def.js";
import { binaryArithmeticTypes, findWiderCommonType, quoted } from "../type-coercion.js";
import { comparatorFor } from "../value-order.js";
import { divPow10, doubleToDecimalParts, fitsPrecision, type RoundingMode, rescale, toBig } from "./decimal-util.js";
import { argError, checkArgCount, coerceArg, fn, row, scalar, typeError } from "./define.js";

/** Math functions. */

const D = DoubleType;

function unaryDouble(name: string, f: (x: number) => number | null, aliases?: string[], doc?: string): ScalarFunctionDef {
  return fn({ name, ...(aliases ? { aliases } : {}), args: [D], result: D, impl: () => row(f), ...(doc ? { doc } : {}) });
}
const positiveLog = (f: (x: number) => number) => (x: number): number | null => (x <= 0 ? null : f(x));

function sameNumericType(): (types: readonly DataType[]) => DataType {
  return (t) => t[0]!;
}

const abs = fn({
  name: "abs", args: ["numeric"], result: sameNumericType(),
  impl: (sig) => {
    switch (sig.argTypes[0]!.kind) {
      case "int": return row((x: number) => (x === -2147483648 ? x : Math.abs(x)));
      case "short": return row((x: number) => (x === -32768 ? x : Math.abs(x)));
      case "byte": return row((x: number) => (x === -128 ? x : Math.abs(x)));
      case "long": case "decimal": return row((x: Long) => (x < 0 ? longNeg(x) : x));
      default: return row((x: number) => Math.abs(x));
    }
  },
});
const negative = fn({
  name: "negative", args: ["numeric"], result: sameNumericType(),
  impl: (sig) => {
    switch (sig.argTypes[0]!.kind) {
      case "int": return row((x: number) => (-x | 0));
      case "short": return row((x: number) => ((-x << 16) >> 16));
      case "byte": return row((x: number) => ((-x << 24) >> 24));
      case "long": return row((x: Long) => longNeg(x));
      case "decimal": return row((x: Long) => normalizeLong(-toBig(x)));
      default: return row((x: number) => -x);
    }
  },
});
const positive = fn({ name: "positive", args: ["numeric"], result: sameNumericType(), impl: () => row((x: unknown) => x) });
const sign = fn({
  name: "sign", aliases: ["signum"], args: ["numeric"], result: D,
  impl: (sig) => (sig.argTypes[0]!.kind === "long" || sig.argTypes[0]!.kind === "decimal"
    ? row((x: Long) => (x > 0 ? 1 : x < 0 ? -1 : 0))
    : row((x: number) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : x < 0 ? -1 : x))),
});

const sqrt = unaryDouble("sqrt", Math.sqrt);
const cbrt = unaryDouble("cbrt", Math.cbrt);
const exp = unaryDouble("exp", Math.exp);
const expm1 = unaryDouble("expm1", Math.expm1);
const log10 = unaryDouble("log10", positiveLog(Math.log10));
const log2 = unaryDouble("log2", positiveLog(Math.log2));
const ln = unaryDouble("ln", positiveLog(Math.log));
const log1p = unaryDouble("log1p", (x) => (x <= -1 ? null : Math.log1p(x)));
const rint = unaryDouble("rint", (x) => {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x), d = x - f;
  const r = d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
  return r === 0 && x < 0 ? -0 : r;
});
const sin = unaryDouble("sin", Math.sin);
const cos = unaryDouble("cos", Math.cos);
const tan = unaryDouble("tan", Math.tan);
const cot = unaryDouble("cot", (x) => 1 / Math.tan(x));
const sec = unaryDouble("sec", (x) => 1 / Math.cos(x));
const csc = unaryDouble("csc", (x) => 1 / Math.sin(x));
const asin = unaryDouble("asin", Math.asin);
const acos = unaryDouble("acos", Math.acos);
const atan = unaryDouble("atan", Math.atan);
const sinh = unaryDouble("sinh", Math.sinh);
const cosh = unaryDouble("cosh", Math.cosh);
const tanh = unaryDouble("tanh", Math.tanh);
const asinh = unaryDouble("asinh", Math.asinh);
const acosh = unaryDouble("acosh", Math.acosh);
const atanh = unaryDouble("atanh", Math.atanh);
const degrees = unaryDouble("degrees", (x) => (x * 180) / Math.PI);
const radians = unaryDouble("radians", (x) => (x / 180) * Math.PI);

const log = fn({
  name: "log", args: [D, D], optional: 1, result: D,
  doc: "log([base, ]x) - The natural logarithm of x, or its logarithm in base.",
  impl: () => row((a: number, b?: number) => {
    if (b === undefined) return a <= 0 ? null : Math.log(a);
    if (a <= 0 || b <= 0) return null;
    return Math.log(b) / Math.log(a);
  }),
});
const pow = fn({ name: "pow", aliases: ["power"], args: [D, D], result: D, impl: () => row((a: number, b: number) => Math.pow(a, b)) });
const atan2 = fn({ name: "atan2", args: [D, D], result: D, impl: () => row((a: number, b: number) => Math.atan2(a, b)) });
const hypot = fn({ name: "hypot", args: [D, D], result: D, impl: () => row((a: number, b: number) => Math.hypot(a, b)) });
const pi = fn({ name: "pi", args: [], result: D, nullable: false, impl: () => row(() => Math.PI) });
const e = fn({ name: "e", args: [], result: D, nullable: false, impl: () => row(() => Math.E) });

// ---------------------------------------------------------------------------------------------
// round / bround

function roundDef(name: string, mode: RoundingMode): ScalarFunctionDef {
  return scalar({
    type: "scalar",
    name,
    minArgs: 1,
    maxArgs: 2,
    doc: `${name}(x[, d]) - x rounded to d decimal places (${mode === "HALF_UP" ? "HALF_UP" : "HALF_EVEN"}); d may be negative.`,
    resolve(args: readonly ArgInfo[]) {
      checkArgCount(name, args.length, 1, 2);
      const c0 = coerceArg(name, 0, args[0]!, "numeric");
      const t = c0 ?? args[0]!.dataType;
      let scale = 0;
      let c1: DataType | null = null;
      if (args.length === 2) {
        c1 = coerceArg(name, 1, args[1]!, IntegerType);
        if (!args[1]!.foldable) throw argError(`${name}`, `the second parameter (scale) must be a constant integer.`, "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT");
        scale = Number(args[1]!.value ?? 0);
      }
      let dataType: DataType = t;
      if (t.kind === "decimal") {
        const intDigits = t.precision - t.scale + 1;
        if (scale < 0) dataType = decimalType(Math.min(Math.max(intDigits, -scale + 1), MAX_DECIMAL_PRECISION), 0);
        else {
          const ns = Math.min(t.scale, scale);
          dataType = decimalType(Math.min(intDigits + ns, MAX_DECIMAL_PRECISION), ns);
        }
      }
      return { inputTypes: [c0, c1], dataType, state: scale };
    },
    compile(sig) {
      const scale = sig.state as number;
      const t = sig.argTypes[0]!;
      switch (t.kind) {
        case "double": case "float": {
          const fr = t.kind === "float" ? Math.fround : (x: number): number => x;
          return row((x: number) => {
            if (!Number.isFinite(x)) return x;
            const p = doubleToDecimalParts(x)!;
            const u = p.scale > scale ? rescale(p.unscaled, p.scale, scale, mode) : p.unscaled;
            const s = p.scale > scale ? scale : p.scale;
            return fr(s >= 0 ? Number(`${u}e-${s}`) : Number(`${u}e${-s}`));
          });
        }
        case "decimal": {
          const out = sig.dataType as { scale: number; precision: number };
          return row((x: Long) => {
            let u = toBig(x);
            if (scale < 0) u = divPow10(u, t.scale - scale, mode) * 10n ** BigInt(-scale);
            else if (scale < t.scale) u = rescale(u, t.scale, scale, mode);
            return fitsPrecision(u, out.precision) ? normalizeLong(u) : null;
          });
        }
        default: {
          if (scale >= 0) return row((x: unknown) => x);
          const kind = t.kind;
          return row((x: Long) => {
            const r = divPow10(toBig(x), -scale, mode) * 10n ** BigInt(-scale);
            if (kind === "long") return wrapLong(r);
            const n = Number(BigInt.asIntN(kind === "int" ? 32 : kind === "short" ? 16 : 8, r));
            return n;
          });
        }
      }
    },
  });
}

function ceilFloor(name: string, up: boolean, aliases?: string[]): ScalarFunctionDef {
  return fn({
    name, ...(aliases ? { aliases } : {}), args: ["numeric"],
    result: (t) => (t[0]!.kind === "decimal" ? decimalType(Math.min(t[0]!.precision - t[0]!.scale + 1, MAX_DECIMAL_PRECISION), 0) : LongType),
    doc: `${name}(x) - The ${up ? "smallest" : "largest"} integer ${up ? "not smaller" : "not larger"} than x (BIGINT, or DECIMAL(p-s+1, 0) for decimals).`,
    impl: (sig) => {
      const t = sig.argTypes[0]!;
      if (t.kind === "decimal") return row((x: Long) => normalizeLong(divPow10(toBig(x), t.scale, up ? "CEILING" : "FLOOR")));
      if (t.kind === "long" || t.kind === "int" || t.kind === "short" || t.kind === "byte") return row((x: Long) => x);
      return row((x: number) => {
        const r = up ? Math.ceil(x) : Math.floor(x);
        if (Number.isNaN(r)) return 0;
        if (r >= 2 ** 63) return normalizeLong(2n ** 63n - 1n);
        if (r <= -(2 ** 63)) return normalizeLong(-(2n ** 63n));
        return Number.isSafeInteger(r) ? r + 0 : normalizeLong(BigInt(r));
      });
    },
  });
}

// ---------------------------------------------------------------------------------------------
// greatest / least

function extremum(name: string, wantGreater: boolean): ScalarFunctionDef {
  return scalar({
    type: "scalar",
    name,
    minArgs: 2,
    maxArgs: Infinity,
    nullSafe: true,
    doc: `${name}(a, b, ...) - The ${wantGreater ? "largest" : "smallest"} non-null argument.`,
    resolve(args: readonly ArgInfo[]) {
      checkArgCount(name, args.length, 2, Infinity);
      const t = findWiderCommonType(args.map((a) => a.dataType), false);
      if (!t) {
        throw new AnalysisError(
          "DATATYPE_MISMATCH.DATA_DIFF_TYPES",
          `Cannot resolve "${name}" due to data type mismatch: Input to \`${name}\` should all be the same type, but it's [${args.map((a) => quoted(a.dataType)).join(", ")}].`,
        );
      }
      return { inputTypes: args.map((a) => (a.dataType.kind === t.kind && t.kind !== "decimal" ? null : t)), dataType: t, nullable: args.every((a) => a.nullable) };
    },
    compile(sig) {
      const cmp = comparatorFor(sig.dataType);
      return row((...xs: unknown[]) => {
        let best: unknown = null;
        for (const x of xs) {
          if (x === null) continue;
          if (best === null || (wantGreater ? cmp(x, best) > 0 : cmp(x, best) < 0)) best = x;
        }
        return best;
      });
    },
  });
}

// ---------------------------------------------------------------------------------------------
// mod / pmod and try_ arithmetic

function arith(name: string, op: "%" | "pmod" | "+" | "-" | "*" | "/", opts: { tryMode?: boolean; aliases?: string[] } = {}): ScalarFunctionDef {
  return scalar({
    type: "scalar",
    name,
    ...(opts.aliases ? { aliases: opts.aliases } : {}),
    minArgs: 2,
    maxArgs: 2,
    resolve(args: readonly ArgInfo[]) {
      checkArgCount(name, args.length, 2, 2);
      const bt = binaryArithmeticTypes(op, args[0]!.dataType, args[1]!.dataType, { leftSql: "left", rightSql: "right" });
      const same = (a: DataType, b: DataType): boolean => a.kind === b.kind && (a.kind !== "decimal" || JSON.stringify(a) === JSON.stringify(b));
      return {
        inputTypes: [same(bt.left, args[0]!.dataType) ? null : bt.left, same(bt.right, args[1]!.dataType) ? null : bt.right],
        dataType: bt.result,
      };
    },
    compile(sig) {
      const t = sig.argTypes[0]!, rt = sig.dataType;
      const tryMode = opts.tryMode ?? false;
      if (t.kind === "decimal" && rt.kind === "decimal") {
        const t2 = sig.argTypes[1]! as typeof t;
        return row((a: Long, b: Long) => decimalOp(op, toBig(a), t.scale, toBig(b), t2.scale, rt.scale, rt.precision));
      }
      if (t.kind === "double" || t.kind === "float") {
        const fr = t.kind === "float" ? Math.fround : (x: number): number => x;
        return row((a: number, b: number) => {
          switch (op) {
            case "+": return fr(a + b);
            case "-": return fr(a - b);
            case "*": return fr(a * b);
            case "/": return b === 0 ? null : fr(a / b);
            case "%": return b === 0 ? null : fr(a % b);
            case "pmod": {
              if (b === 0) return null;
              const r = a % b;
              return fr(r < 0 ? (r + b) % b : r);
            }
          }
        });
      }
      // integral
      const bits = t.kind === "long" ? 64 : t.kind === "int" ? 32 : t.kind === "short" ? 16 : 8;
      const lim = 2n ** BigInt(bits - 1);
      const fit = (r: bigint): Long | null => {
        if (r >= lim || r < -lim) return tryMode ? null : normalizeLong(BigInt.asIntN(bits, r));
        return normalizeLong(r);
      };
      return row((a: Long, b: Long) => {
        switch (op) {
          case "%": return b === 0 ? null : longRem(a, b);
          case "pmod": {
            if (b === 0) return null;
            const r = longRem(a, b);
            return r < 0 ? longRem(bits === 64 ? longAdd(r, b) : (r as number) + (b as number), b) : r;
          }
          case "+": return typeof a === "number" && typeof b === "number" && bits < 64 ? fit(BigInt(a + b)) : fit(BigInt(a) + BigInt(b));
          case "-": return bits === 64 && !tryMode ? longSub(a, b) : fit(BigInt(a) - BigInt(b));
          case "*": return bits === 64 && !tryMode ? longMul(a, b) : fit(BigInt(a) * BigInt(b));
          case "/": return b === 0 ? null : Number(a) / Number(b);
        }
      });
    },
  });
}

function decimalOp(op: string, a: bigint, sa: number, b: bigint, sb: number, rs: number, rp: number): Long | null {
  let r: bigint;
  switch (op) {
    case "+": r = rescale(a, sa, rs) + rescale(b, sb, rs); break;
    case "-": r = rescale(a, sa, rs) - rescale(b, sb, rs); break;
    case "*": r = rescale(a * b, sa + sb, rs); break;
    case "/": {
      if (b === 0n) return null;
      // a/b at scale rs: (a * 10^(rs - sa + sb)) / b, HALF_UP.
      const shift = rs - sa + sb;
      const num = shift >= 0 ? a * 10n ** BigInt(shift) : a;
      const den = shift >= 0 ? b : b * 10n ** BigInt(-shift);
      const q = num / den, rem = num - q * den;
      r = q;
      if (rem !== 0n && (rem < 0n ? -rem : rem) * 2n >= (den < 0n ? -den : den)) r += (num < 0n) !== (den < 0n) ? -1n : 1n;
      break;
    }
    case "%": case "pmod": {
      const s = Math.max(sa, sb);
      const x = rescale(a, sa, s), y = rescale(b, sb, s);
      if (y === 0n) return null;
      let m = x % y;
      if (op === "pmod" && m < 0n) m = (m + y) % y;
      r = rescale(m, s, rs);
      break;
    }
    default: return null;
  }
  return fitsPrecision(r, rp) ? normalizeLong(r) : null;
}

// ---------------------------------------------------------------------------------------------

const nanvl = fn({
  name: "nanvl", args: [D, D], result: D, nullSafe: true,
  impl: () => row((a: number | null, b: number | null) => (a === null ? null : Number.isNaN(a) ? b : a)),
});
const isnan = fn({
  name: "isnan", args: [D], result: BooleanType, nullSafe: true, nullable: false,
  impl: () => row((a: number | null) => a !== null && Number.isNaN(a)),
});

const factorial = fn({
  name: "factorial", args: [IntegerType], result: LongType,
  impl: () => row((n: number) => {
    if (n < 0 || n > 20) return null;
    let r = 1n;
    for (let i = 2n; i <= BigInt(n); i++) r *= i;
    return normalizeLong(r);
  }),
});
const bin = fn({ name: "bin", args: [LongType], result: StringType, impl: () => row((n: Long) => BigInt.asUintN(64, BigInt(n)).toString(2)) });

const conv = fn({
  name: "conv", args: [StringType, IntegerType, IntegerType], result: StringType,
  doc: "conv(num, fromBase, toBase) - num converted between bases (2..36); a negative toBase prints signed.",
  impl: () => row((s: string, from: number, to: number) => {
    const fb = Math.abs(from), tb = Math.abs(to);
    if (fb < 2 || fb > 36 || tb < 2 || tb > 36) return null;
    const t = s.trim();
    const neg = t.startsWith("-");
    const digits = neg ? t.slice(1) : t;
    let v = 0n;
    let any = false;
    for (const c of digits.toLowerCase()) {
      const d = parseInt(c, 36);
      if (Number.isNaN(d) || d >= fb) break;
      v = v * BigInt(fb) + BigInt(d);
      any = true;
      if (v >= 2n ** 64n) { v = 2n ** 64n - 1n; }
    }
    if (!any) return "0";
    if (neg) v = BigInt.asUintN(64, -v);
    if (to < 0) {
      const signed = BigInt.asIntN(64, v);
      return (signed < 0n ? "-" + (-signed).toString(tb) : signed.toString(tb)).toUpperCase();
    }
    return v.toString(tb).toUpperCase();
  }),
});

function shift(name: string, f: (a: bigint, n: number, bits: number) => bigint): ScalarFunctionDef {
  return fn({
    name, args: ["integral", IntegerType],
    result: (t) => (t[0]!.kind === "long" ? LongType : IntegerType),
    impl: (sig) => {
      const bits = sig.argTypes[0]!.kind === "long" ? 64 : 32;
      return row((a: Long, n: number) => normalizeLong(BigInt.asIntN(bits, f(BigInt(a), ((n % bits) + bits) % bits, bits))));
    },
  });
}
const shiftleft = shift("shiftleft", (a, n) => a << BigInt(n));
const shiftright = shift("shiftright", (a, n) => a >> BigInt(n));
const shiftrightunsigned = shift("shiftrightunsigned", (a, n, bits) => BigInt.asUintN(bits, a) >> BigInt(n));

const bitCount = fn({
  name: "bit_count", args: ["any"], result: IntegerType,
  check: (t) => { if (!(t[0]!.kind === "boolean" || (isNumeric(t[0]!) && t[0]!.kind !== "decimal" && t[0]!.kind !== "float" && t[0]!.kind !== "double"))) throw typeError("bit_count", 0, `("INTEGRAL" or "BOOLEAN")`, t[0]!); },
  impl: (sig) => {
    const k = sig.argTypes[0]!.kind;
    const bits = k === "long" ? 64 : k === "int" ? 32 : k === "short" ? 16 : 8;
    return row((a: Long | boolean) => {
      if (typeof a === "boolean") return a ? 1 : 0;
      let x = BigInt.asUintN(bits, BigInt(a)), c = 0;
      while (x) { c += Number(x & 1n); x >>= 1n; }
      return c;
    });
  },
});
const bitGet = fn({
  name: "bit_get", aliases: ["getbit"], args: ["integral", IntegerType], result: { kind: "byte" },
  impl: (sig) => {
    const k = sig.argTypes[0]!.kind;
    const bits = k === "long" ? 64 : k === "int" ? 32 : k === "short" ? 16 : 8;
    return row((a: Long, p: number) => {
      if (p < 0 || p >= bits) throw argError("bit_get", `Invalid bit position: ${p} exceeds the bit upper limit`, "INVALID_PARAMETER_VALUE.BIT_POSITION_RANGE");
      return Number((BigInt.asUintN(bits, BigInt(a)) >> BigInt(p)) & 1n);
    });
  },
});

const widthBucket = fn({
  name: "width_bucket", args: [D, D, D, LongType], result: LongType,
  impl: () => row((v: number, min: number, max: number, n: Long) => {
    const nb = Number(n);
    if (nb <= 0 || !Number.isFinite(v) || !Number.isFinite(min) || !Number.isFinite(max) || min === max) return null;
    if (min < max) {
      if (v < min) return 0;
      if (v >= max) return nb + 1;
      return Math.floor((nb * (v - min)) / (max - min)) + 1;
    }
    if (v > min) return 0;
    if (v <= max) return nb + 1;
    return Math.floor((nb * (min - v)) / (min - max)) + 1;
  }),
});

/** Spark's XORShiftRandom is replaced by a seeded xorshift64*: same distribution, not Spark's exact sequence. */
function randDef(name: string, gaussian: boolean, aliases?: string[]): ScalarFunctionDef {
  return scalar({
    type: "scalar",
    name,
    ...(aliases ? { aliases } : {}),
    minArgs: 0,
    maxArgs: 1,
    deterministic: false,
    doc: `${name}([seed]) - ${gaussian ? "A standard normal" : "A uniform [0, 1)"} random double (non-deterministic; seeded per query).`,
    resolve(args: readonly ArgInfo[]) {
      checkArgCount(name, args.length, 0, 1);
      let seed: number;
      if (args.length === 1) {
        const a = args[0]!;
        if (!a.foldable) throw argError(name, "the seed must be a constant.", "DATATYPE_MISMATCH.NON_FOLDABLE_INPUT");
        if (!(a.dataType.kind === "int" || a.dataType.kind === "long" || a.dataType.kind === "null")) throw typeError(name, 0, `("INT" or "BIGINT")`, a.dataType);
        seed = Number(a.value ?? 0);
      } else seed = Math.floor(Math.random() * 2 ** 31);
      return { inputTypes: args.map(() => null), dataType: D, nullable: false, state: seed };
    },
    compile(sig) {
      let s = BigInt.asUintN(64, BigInt(sig.state as number) * 0x9e3779b97f4a7c15n + 1n) || 1n;
      const next = (): number => {
        s ^= s >> 12n; s ^= BigInt.asUintN(64, s << 25n); s ^= s >> 27n;
        const r = BigInt.asUintN(64, s * 0x2545f4914f6cdd1dn);
        return Number(r >> 11n) / 2 ** 53;
      };
      if (!gaussian) return row(() => next());
      return row(() => {
        let u = 0;
        while (u === 0) u = next();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
      });
    },
  });
}

export const MATH_FUNCTIONS: readonly ScalarFunctionDef[] = [
  abs, negative, positive, sign, sqrt, cbrt, exp, expm1, ln, log, log10, log2, log1p, pow, roundDef("round", "HALF_UP"),
  roundDef("bround", "HALF_EVEN"), ceilFloor("ceil", true, ["ceiling"]), ceilFloor("floor", false), rint, sin, cos, tan, cot, sec, csc,
  asin, acos, atan, atan2, sinh, cosh, tanh, asinh, acosh, atanh, degrees, radians, pi, e, extremum("greatest", true),
  extremum("least", false), arith("mod", "%"), arith("pmod", "pmod"), arith("try_add", "+", { tryMode: true }),
  arith("try_subtract", "-", { tryMode: true }), arith("try_multiply", "*", { tryMode: true }), arith("try_divide", "/", { tryMode: true }),
  arith("try_mod", "%", { tryMode: true }),
  randDef("rand", false, ["random"]), randDef("randn", true), hypot, factorial, bin, conv, nanvl, isnan, shiftleft, shiftright,
  shiftrightunsigned, bitCount, bitGet, widthBucket,
];

registerFunctions(MATH_FUNCTIONS);

