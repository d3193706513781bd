// min/max of strings per group (agg-slot.ts StringExtremeSlot): Spark orders strings by their
// UTF-8 bytes, which is code point order (a character above U+FFFF sorts after every BMP one,
// though its UTF-16 surrogates are below U+E000); nulls are skipped; a group of nulls gives null.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Session, functions as F, expr, parseSchemaDDL } from "../../src/index.js";

const spark = Session.builder().appName("string-min-max-test").create();
spark.conf.set("sluice.executor.threads", 1);

const byCodePoint = (a: string, b: string): number => {
  const x = [...a].map((c) => c.codePointAt(0)!), y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
};

describe("min and max of strings", () => {
  it("per group, in code point order, skipping nulls and rows a FILTER drops; null for a group without values", async () => {
    const text = fc.option(fc.constantFrom("", "a", "ab", "b", "\uE000", "\u{1F600}", "z\u{1F600}", "zz", "Ω"), { nil: null });
    await fc.assert(fc.asyncProperty(fc.array(fc.record({ g: fc.integer({ min: 0, max: 5 }), s: text, k: fc.boolean() }), { minLength: 1, maxLength: 60 }), async (rows) => {
      const df = spark.createDataFrame(rows, parseSchemaDDL("g INT, s STRING, k BOOLEAN"));
      const got = await df.groupBy("g").agg(F.max("s").alias("hi"), F.min("s").alias("lo"), expr("max(s) FILTER (WHERE k)").alias("khi")).collect();
      const groups = [...new Set(rows.map((r) => r.g))];
      assert.equal(got.length, groups.length);
      for (const r of got) {
        const g = Number(r["g"]);
        const vals = rows.filter((x) => x.g === g && x.s !== null).map((x) => x.s!).sort(byCodePoint);
        const kept = rows.filter((x) => x.g === g && x.s !== null && x.k).map((x) => x.s!).sort(byCodePoint);
        assert.equal(r["hi"], vals.at(-1) ?? null, `max of group ${g}`);
        assert.equal(r["lo"], vals[0] ?? null, `min of group ${g}`);
        assert.equal(r["khi"], kept.at(-1) ?? null, `max with FILTER of group ${g}`);
      }
    }), { numRuns: 150 });
  });
});
