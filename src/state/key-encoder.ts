import { encodeKeyElement, type StateKey } from "./state-key.js";

/**
 * Encodes many keys of one shape (a batch's grouping keys) with a memo per position: a value
 * equal to the previous row's value at that position (a window, a timestamp, a home id repeated
 * over consecutive rows) reuses its encoding. The result equals `encodeKey(values)`.
 */
export class KeyEncoder {
  private readonly lastValues: unknown[];
  private readonly lastEncoded: string[];

  constructor(readonly width: number) {
    this.lastValues = new Array<unknown>(width).fill(NONE);
    this.lastEncoded = new Array<string>(width).fill("");
  }

  encode(values: readonly unknown[]): StateKey {
    let out = "";
    for (let j = 0; j < this.width; j++) {
      const v = values[j];
      if (!sameValue(v, this.lastValues[j])) {
        this.lastEncoded[j] = encodeKeyElement(v);
        this.lastValues[j] = v;
      }
      out += this.lastEncoded[j]!;
    }
    return out;
  }
}

const NONE: unique symbol = Symbol("none");

/** Same encoding for sure: identical primitives (not -0 against 0, which encode alike anyway), or flat arrays of such (window structs). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return typeof a !== "object" || a === null;
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (let i = 0; i < a.length; i++) {
      const x: unknown = a[i], y: unknown = b[i];
      if (x !== y || (typeof x === "object" && x !== null)) return false;
    }
    return true;
  }
  return false;
}
