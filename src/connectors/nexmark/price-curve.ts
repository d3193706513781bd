/**
 * The Nexmark price curve, Math.round(10^x * 100) for x in [0, 6], without Math.pow: V8's pow
 * costs about 75 ns, most of a bid's generation. 10^x is a table entry 10^(j/256) times
 * e^(r ln 10) for the remaining r < 1/256 (a Taylor polynomial), within 1e-7 of the exact value
 * up to 10^8; only where that lands within 1e-6 of a half cent (about two draws in a million)
 * does Math.pow decide the rounding. So every price equals Math.round(Math.pow(10, x) * 100)
 * (checked for all 2^32 draws of the generator: rnd() * 6).
 */
const STEPS = 256;
const POWERS = Float64Array.from({ length: 6 * STEPS + 1 }, (_, j) => Math.pow(10, j / STEPS));

export function priceAt(x: number): number {
  const j = (x * STEPS) | 0;
  // Exact: x and j / STEPS are within a factor of two of each other (Sterbenz), or j = 0.
  const r = (x - j / STEPS) * Math.LN10;
  const y = POWERS[j]! * (1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r / 720)))))) * 100;
  const half = y + 0.5, cents = Math.floor(half), above = half - cents;
  return above >= 1e-6 && above <= 1 - 1e-6 ? cents : exactPrice(x);
}

// Apart, so that priceAt stays small enough for V8 to inline into the generator's loops.
function exactPrice(x: number): number {
  return Math.round(Math.pow(10, x) * 100);
}
