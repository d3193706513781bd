/** Unscaled decimal helpers (HALF_UP rounding, as Spark's decimal arithmetic). */
export function rescaleDecimal(x: bigint, from: number, to: number): bigint {
  if (to === from) return x;
  if (to > from) return x * 10n ** BigInt(to - from);
  return divideHalfUp(x, 10n ** BigInt(from - to));
}

export function divideHalfUp(a: bigint, b: bigint): bigint {
  const neg = (a < 0n) !== (b < 0n);
  const aa = a < 0n ? -a : a, bb = b < 0n ? -b : b;
  let q = aa / bb;
  if ((aa % bb) * 2n >= bb) q += 1n;
  return neg ? -q : q;
}

export function decimalMultiply(a: bigint, b: bigint, productScale: number, resultScale: number): bigint {
  return rescaleDecimal(a * b, productScale, resultScale);
}

/** a (scale s1) / b (scale s2) at result scale s. */
export function decimalDivide(a: bigint, s1: number, b: bigint, s2: number, s: number): bigint {
  // a/10^s1 / (b/10^s2) = (a * 10^(s2 + s - s1)) / b at scale s
  const shift = s2 + s - s1;
  const num = shift >= 0 ? a * 10n ** BigInt(shift) : a;
  const den = shift >= 0 ? b : b * 10n ** BigInt(-shift);
  return divideHalfUp(num, den);
}
