import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compileDateTimeFormat } from "../../src/types/datetime-format.js";
import { IllegalArgumentError } from "../../src/errors/errors.js";

const TS = 1704164645123456; // 2024-01-02 03:04:05.123456 UTC (a Tuesday)

void test("formats Spark patterns", () => {
  const f = (p: string, tz = "UTC"): string => compileDateTimeFormat(p).format(TS, tz);
  assert.equal(f("yyyy-MM-dd HH:mm:ss.SSS"), "2024-01-02 03:04:05.123");
  assert.equal(f("dd/MM/yyyy"), "02/01/2024");
  assert.equal(f("EEE, d MMM yyyy"), "Tue, 2 Jan 2024");
  assert.equal(f("EEEE MMMM"), "Tuesday January");
  assert.equal(f("hh:mm a"), "03:04 AM");
  assert.equal(f("yyyy-MM-dd'T'HH:mm:ssXXX"), "2024-01-02T03:04:05Z");
  assert.equal(f("yyyy-MM-dd HH:mm XXX", "Asia/Kolkata"), "2024-01-02 08:34 +05:30");
  assert.equal(f("HH:mm Z", "America/New_York"), "22:04 -0500");
  assert.equal(f("yy D Q"), "24 2 1");
  assert.equal(f("'It''s' yyyy"), "It's 2024");
  assert.equal(f("SSSSSS"), "123456");
  assert.equal(f("z"), "UTC");
});

void test("parses text with a pattern, null when it does not match", () => {
  const p = (pat: string, s: string, tz = "UTC"): number | null => compileDateTimeFormat(pat).parse(s, tz);
  assert.equal(p("yyyy-MM-dd HH:mm:ss", "2024-01-02 03:04:05"), 1704164645000000);
  assert.equal(p("dd/MM/yyyy", "02/01/2024"), 1704153600000000);
  assert.equal(p("yyyy-MM-dd HH:mm:ss.SSS", "2024-01-02 03:04:05.12"), 1704164645120000);
  assert.equal(p("yyyy-MM-dd HH:mm:ssXXX", "2024-01-02 03:04:05+01:00"), 1704164645000000 - 3600e6);
  assert.equal(p("yyyy-MM-dd", "2024-01-02", "America/Los_Angeles"), 1704153600000000 + 8 * 3600e6);
  assert.equal(p("d MMM yyyy hh:mm a", "2 jan 2024 03:04 PM"), 1704164645000000 - 5e6 + 12 * 3600e6);
  assert.equal(p("yyyy-MM-dd", "2024-02-30"), null);
  assert.equal(p("yyyy-MM-dd", "2024-01-02 extra"), null);
  assert.equal(p("yyyy-MM-dd", "nope"), null);
  assert.equal(p("yyyy-MM-dd[ HH:mm]", "2024-01-02"), 1704153600000000);
  assert.equal(p("yyyy-MM-dd[ HH:mm]", "2024-01-02 03:04"), 1704164640000000);
  assert.equal(compileDateTimeFormat("yyyy-MM-dd").parseDate("2024-01-02", "Asia/Tokyo"), 19724);
});

void test("invalid patterns are IllegalArgumentError naming the pattern", () => {
  assert.throws(() => compileDateTimeFormat("yyyy-MM-dd 'T"), (e: unknown) => e instanceof IllegalArgumentError && e.message.includes("'yyyy-MM-dd 'T'"));
  assert.throws(() => compileDateTimeFormat("YYYY"), /week-based/);
  assert.throws(() => compileDateTimeFormat("yyyy-bb"), /unknown pattern letter 'b'/);
});

void test("a pattern renders the same in a fixed-offset zone, call after call, as in a region zone with that offset", () => {
  // Africa/Abidjan is UTC and Asia/Kolkata +05:30 at every instant since 1945: region zones, which
  // compute every call; UTC and +05:30 may reuse the text of the previous instant's day or minute.
  const patterns = ["yyyy-MM-dd", "yyyy-MM-dd HH:mm", "HH:mm:ss", "EEE D a hh", "[yyyy-]MM-dd'T'HH"];
  const instants = fc.array(fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => s * 1_000_000 + 123), { minLength: 1, maxLength: 40 });
  const nearby = instants.map((xs) => xs.flatMap((x) => [x, x + 59_999_999, x - 1, x + 86_400_000_000]));
  fc.assert(
    fc.property(fc.constantFrom(...patterns), fc.oneof(instants, nearby), (p, xs) => {
      const f = compileDateTimeFormat(p);
      const all = (tz: string): string[] => xs.map((x) => f.format(x, tz));
      assert.deepEqual(all("UTC"), all("Africa/Abidjan"), `${p} in UTC`);
      assert.deepEqual(all("+05:30"), all("Asia/Kolkata"), `${p} in +05:30`);
    }),
  );
  // The same local minute in another zone: the text changes with the zone (pattern `xx`: the offset, +HHMM).
  const f = compileDateTimeFormat("HH:mm xx");
  assert.equal(f.format(TS + 19_800_000_000, "UTC"), "08:34 +0000");
  assert.equal(f.format(TS, "+05:30"), "08:34 +0530");
});
