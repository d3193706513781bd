import { type Long, normalizeLong } from "../../types/long.js";

/**
 * Exact decimal helpers over unscaled integers (the internal value of DECIMAL(p, s) is the
 * unscaled long; its scale is in the type).
 */

export type RoundingMode = "HALF_UP" | "HALF_EVEN" | "FLOOR" | "CEILING" | "DOWN";

const POW10: bigint[] = [];
for (let i = 0, p = 1n; i <= 80; i++, p *= 10n) POW10.push(p);

export function pow10(n: number): bigint {
  return POW10[n] ?? 10n ** BigInt(n);
}

/** Divides `u` by 10^k with the given rounding (k >= 0). */
export function divPow10(u: bigint, k: number, mode: RoundingMode): bigint {
  if (k === 0) return u;
  const d = pow10(k);
  const q = u / d;
  const r = u - q * d;
  if (r === 0n) return q;
  const neg = u < 0n;
  const absR = neg ? -r : r;
  switch (mode) {
    case "DOWN": return q;
    case "FLOOR": return neg ? q - 1n : q;
    case "CEILING": return neg ? q : q + 1n;
    case "HALF_UP": {
      const twice = absR * 2n;
      return twice >= d ? (neg ? q - 1n : q + 1n) : q;
    }
    case "HALF_EVEN": {
      const twice = absR * 2n;
      if (twice > d || (twice === d && (q & 1n) !== 0n)) return neg ? q - 1n : q + 1n;
      return q;
    }
  }
}

/** The unscaled value at `toScale` (rounding when the scale shrinks). */
export function rescale(u: bigint, fromScale: number, toScale: number, mode: RoundingMode = "HALF_UP"): bigint {
  if (toScale >= fromScale) return u * pow10(toScale - fromScale);
  return divPow10(u, fromScale - toScale, mode);
}

export function fitsPrecision(u: bigint, precision: number): boolean {
  const lim = pow10(precision);
  return u < lim && u > -lim;
}

/** Parses decimal text (`-12.5`, `1e3`, `.5`) into an unscaled integer and scale; null if malformed. */
export function parseDecimalText(text: string): { unscaled: bigint; scale: number } | null {
  const m = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return null;
  const ip = m[2] ?? "", fp = m[3] ?? "";
  if (ip === "" && fp === "") return null;
  let u = BigInt((ip + fp) || "0");
  if (m[1] === "-") u = -u;
  let scale = fp.length - Number(m[4] ?? 0);
  if (scale < 0) { u *= pow10(-scale); scale = 0; }
  return { unscaled: u, scale };
}

/** The exact decimal of a double's shortest text (as Scala's BigDecimal(double)); null for NaN/Infinity. */
export function doubleToDecimalParts(v: number): { unscaled: bigint; scale: number } | null {
  if (!Number.isFinite(v)) return null;
  return parseDecimalText(String(v));
}

export function toBig(u: Long): bigint {
  return typeof u === "bigint" ? u : BigInt(u);
}

export function fromBig(u: bigint): Long {
  return normalizeLong(u);
}

/** A decimal's value as a double. */
export function decimalToNumber(u: Long, scale: number): number {
  if (typeof u === "number" && scale === 0) return u;
  if (typeof u === "number" && Math.abs(u) < 2 ** 52 && scale <= 22) return u / 10 ** scale;
  const big = toBig(u);
  const neg = big < 0n;
  let s = (neg ? -big : big).toString();
  if (scale > 0) {
    s = s.padStart(scale + 1, "0");
    s = s.slice(0, s.length - scale) + "." + s.slice(s.length - scale);
  }
  return Number((neg ? "-" : "") + s);
}
