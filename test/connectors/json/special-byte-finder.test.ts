import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { SIMD_MAX_CHUNK, specialByteFinder } from "../../../src/connectors/json/special-byte-finder.js";

/** The definition: a backslash, or a control character but \n and \r. */
function firstSpecial(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c || (c < 0x20 && c !== 10 && c !== 13)) return i;
  }
  return s.length;
}

const load = (f: ReturnType<typeof specialByteFinder>, s: string): void => f.load(Buffer.from(s, "latin1"), s);

void describe("special byte finder (JSON scanner)", () => {
  void it("finds every backslash and control character but \\n and \\r, in order", () => {
    const f = specialByteFinder();
    // Lengths around the 16-byte steps, the special in the vector part and in the tail.
    for (let len = 0; len < 70; len++) {
      for (const special of ["\\", "\t", "\x00", "\x1f", "\x0b"]) {
        for (let at = 0; at < len; at += 7) {
          const s = "a".repeat(at) + special + "\n\r".repeat(len).slice(0, Math.max(0, len - at - 1));
          load(f, s);
          assert.equal(f.next(0), firstSpecial(s, 0), JSON.stringify(s));
          assert.equal(f.next(at + 1), s.length, JSON.stringify(s));
        }
      }
    }
  });

  void it("agrees with the definition on random ASCII text (property)", () => {
    const f = specialByteFinder();
    const char = fc.oneof(
      { weight: 20, arbitrary: fc.integer({ min: 0x20, max: 0x7f }) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x1f }) },
      { weight: 1, arbitrary: fc.constant(0x5c) },
    );
    fc.assert(
      fc.property(fc.array(char, { maxLength: 300 }), fc.nat(), (codes, seed) => {
        const s = String.fromCharCode(...codes);
        load(f, s);
        const from = seed % (s.length + 1);
        assert.equal(f.next(from), firstSpecial(s, from));
      }),
      { numRuns: 2000 },
    );
  });

  void it("takes a chunk longer than its memory, then a shorter one", () => {
    const f = specialByteFinder();
    const long = "x".repeat(200_000) + "\\" + "y".repeat(10);
    load(f, long);
    assert.equal(f.next(0), 200_000);
    assert.equal(f.next(200_001), long.length);
    const short = "ab\tc";
    load(f, short);
    assert.equal(f.next(0), 2);
    assert.equal(f.next(3), 4); // not the old chunk's bytes past the new end
  });

  void it("searches a chunk past the SIMD limit too (one very long line)", () => {
    const f = specialByteFinder();
    const s = "x".repeat(SIMD_MAX_CHUNK + 100) + "\\" + "y".repeat(10) + "\t";
    load(f, s);
    assert.equal(f.next(0), SIMD_MAX_CHUNK + 100);
    assert.equal(f.next(SIMD_MAX_CHUNK + 101), s.length - 1);
    assert.equal(f.next(s.length), s.length);
  });

  void it("keeps two finders' chunks apart (readers interleave)", () => {
    const a = specialByteFinder(), b = specialByteFinder();
    const sa = "0123456789\\" + "z".repeat(40), sb = "z".repeat(30) + "\t";
    load(a, sa);
    load(b, sb);
    assert.equal(a.next(0), 10);
    assert.equal(b.next(0), 30);
    assert.equal(a.next(11), sa.length);
    assert.equal(b.next(31), sb.length);
  });
});
