import { hashNumber } from "../../expr/hash/number-hash.js";

/**
 * One open-addressing table of (group, number) -> bits for every group of a count(DISTINCT)
 * pass (SharedDistinctCounts, past its dense tables): the values a group saw, with the bits of
 * the calls that saw each. A JavaScript Map per group cost Nexmark q16 (8,433 channel-days, four
 * distinct counts of bidders and of auctions) a third of its time. Values compare as SQL groups
 * them: -0 is 0, NaN one value (kept apart: NaN equals nothing in the table).
 */
export class GroupValueBits {
  private gids = new Int32Array(1024);
  private vals = new Float64Array(1024);
  /** 0: an empty slot (a value is only recorded with some bit). */
  private bits = new Int32Array(1024);
  private mask = 1023;
  private count = 0;
  private nanBits: Map<number, number> | null = null;

  /** Records value v of group g with bits b (b !== 0). */
  or(g: number, x: number, b: number): void {
    if (x !== x) {
      const nan = (this.nanBits ??= new Map());
      nan.set(g, (nan.get(g) ?? 0) | b);
      return;
    }
    const v = x === 0 ? 0 : x;
    const gids = this.gids, vals = this.vals, bits = this.bits, mask = this.mask;
    let h = slotOf(g, v) & mask;
    for (;;) {
      const old = bits[h]!;
      if (old === 0) break;
      if (gids[h] === g && vals[h] === v) {
        if ((old | b) !== old) bits[h] = old | b;
        return;
      }
      h = (h + 1) & mask;
    }
    gids[h] = g;
    vals[h] = v;
    bits[h] = b;
    if (++this.count * 2 > mask) this.grow();
  }

  /** Calls f(group, value, bits) for every recorded value. */
  forEach(f: (g: number, v: number, bits: number) => void): void {
    const { gids, vals, bits } = this;
    for (let h = 0; h < bits.length; h++) if (bits[h] !== 0) f(gids[h]!, vals[h]!, bits[h]!);
    if (this.nanBits) for (const [g, b] of this.nanBits) f(g, NaN, b);
  }

  private grow(): void {
    const { gids, vals, bits } = this;
    const size = bits.length * 2;
    this.gids = new Int32Array(size);
    this.vals = new Float64Array(size);
    this.bits = new Int32Array(size);
    this.mask = size - 1;
    this.count = 0;
    for (let h = 0; h < bits.length; h++) if (bits[h] !== 0) this.or(gids[h]!, vals[h]!, bits[h]!);
  }
}

function slotOf(g: number, v: number): number {
  return hashNumber(v) ^ Math.imul(g, 0x9e3779b1);
}
