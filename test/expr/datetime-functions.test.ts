import { test } from "node:test";
import assert from "node:assert/strict";
import { DateType, DoubleType, IntegerType, LongType, StringType, TimestampType, decimalType } from "../../src/types/data-type.js";
import { addInterval } from "../../src/expr/functions/datetime.js";
import { interval } from "../../src/types/interval.js";
import { CTX, type Arg, ev, evalCall } from "./eval-helper.js";

const s = (v: string | null): Arg => [v, StringType];
const i = (v: number | null): Arg => [v, IntegerType];
const date = (v: string): Arg => [v, StringType];
const TS = 1704164645123456; // 2024-01-02 03:04:05.123456 UTC
const ts = (v: number | null): Arg => [v, TimestampType];
const day = (y: number, m: number, dd: number): number => Date.UTC(y, m - 1, dd) / 86400000;

void test("date and time functions match Spark's documented examples", () => {
  const cases: [string, Arg[], unknown][] = [
    ["to_timestamp", [s("2016-12-31 00:12:00")], Date.UTC(2016, 11, 31, 0, 12) * 1000],
    ["to_timestamp", [s("2016-12-31"), s("yyyy-MM-dd")], Date.UTC(2016, 11, 31) * 1000],
    ["to_timestamp", [s("garbage"), s("yyyy-MM-dd")], null],
    ["to_date", [s("2009-07-30 04:17:52")], day(2009, 7, 30)],
    ["to_date", [s("2016-12-31"), s("yyyy-MM-dd")], day(2016, 12, 31)],
    ["date_format", [ts(TS), s("yyyy-MM-dd'T'HH:mm")], "2024-01-02T03:04"],
    ["date_format", [date("2016-04-08"), s("y")], "2016"],
    ["unix_timestamp", [s("2016-04-08"), s("yyyy-MM-dd")], 1460073600],
    ["to_unix_timestamp", [s("2016-04-08"), s("yyyy-MM-dd")], 1460073600],
    ["unix_timestamp", [], 1_700_000_000],
    ["from_unixtime", [l(0), s("yyyy-MM-dd HH:mm:ss")], "1970-01-01 00:00:00"],
    ["from_unixtime", [l(0)], "1970-01-01 00:00:00"],
    ["timestamp_seconds", [i(1230219000)], 1230219000e6],
    ["timestamp_seconds", [[1230219000.123, DoubleType]], 1230219000123000],
    ["timestamp_millis", [l(1230219000123)], 1230219000123000],
    ["timestamp_micros", [l(1230219000123123)], 1230219000123123],
    ["unix_seconds", [ts(-1)], -1], ["unix_millis", [ts(1500)], 1], ["unix_micros", [ts(7)], 7],
    ["date_add", [date("2016-07-30"), i(1)], day(2016, 7, 31)], ["date_sub", [date("2016-07-30"), i(1)], day(2016, 7, 29)],
    ["datediff", [date("2009-07-31"), date("2009-07-30")], 1], ["datediff", [date("2009-07-30"), date("2009-07-31")], -1],
    ["add_months", [date("2016-08-31"), i(1)], day(2016, 9, 30)], ["add_months", [date("2019-02-28"), i(1)], day(2019, 3, 28)],
    ["months_between", [s("1997-02-28 10:30:00"), s("1996-10-30")], 3.94959677],
    ["months_between", [s("1997-02-28 10:30:00"), s("1996-10-30"), [false, { kind: "boolean" }]], 3.9495967741935485],
    ["months_between", [s("2017-03-31"), s("2017-02-28")], 1],
    ["date_trunc", [s("YEAR"), s("2015-03-05T09:32:05.359")], Date.UTC(2015, 0, 1) * 1000],
    ["date_trunc", [s("MM"), s("2015-03-05T09:32:05.359")], Date.UTC(2015, 2, 1) * 1000],
    ["date_trunc", [s("HOUR"), s("2015-03-05T09:32:05.359")], Date.UTC(2015, 2, 5, 9) * 1000],
    ["date_trunc", [s("MILLISECOND"), s("2015-03-05T09:32:05.123456")], Date.UTC(2015, 2, 5, 9, 32, 5, 123) * 1000],
    ["date_trunc", [s("WEEK"), s("2024-01-03")], Date.UTC(2024, 0, 1) * 1000],
    ["date_trunc", [s("bogus"), s("2024-01-03")], null],
    ["trunc", [date("2019-08-04"), s("week")], day(2019, 7, 29)], ["trunc", [date("2019-08-04"), s("quarter")], day(2019, 7, 1)],
    ["trunc", [date("2009-02-12"), s("MM")], day(2009, 2, 1)], ["trunc", [date("2009-02-12"), s("day")], null],
    ["year", [date("2016-07-30")], 2016], ["quarter", [date("2016-08-31")], 3], ["month", [date("2016-07-30")], 7],
    ["day", [date("2009-07-30")], 30], ["dayofmonth", [date("2009-07-30")], 30], ["dayofweek", [date("2009-07-30")], 5],
    ["weekday", [date("2009-07-30")], 3], ["dayofyear", [date("2016-04-09")], 100], ["weekofyear", [date("2008-02-20")], 8],
    ["weekofyear", [date("2021-01-01")], 53],
    ["hour", [s("2009-07-30 12:58:59")], 12], ["minute", [s("2009-07-30 12:58:59")], 58], ["second", [s("2009-07-30 12:58:59")], 59],
    ["year", [ts(TS)], 2024],
    ["last_day", [date("2009-01-12")], day(2009, 1, 31)], ["next_day", [date("2015-01-14"), s("TU")], day(2015, 1, 20)],
    ["next_day", [date("2015-01-14"), s("xx")], null],
    ["make_date", [i(2013), i(7), i(15)], day(2013, 7, 15)], ["make_date", [i(2019), i(7), i(32)], null],
    ["make_timestamp", [i(2014), i(12), i(28), i(6), i(30), [45887000, decimalType(16, 6)]], Date.UTC(2014, 11, 28, 6, 30, 45, 887) * 1000],
    ["make_timestamp", [i(2019), i(6), i(30), i(23), i(59), [60000000, decimalType(16, 6)]], Date.UTC(2019, 6, 1) * 1000],
    ["make_timestamp", [i(2014), i(12), i(28), i(6), i(30), [45887000, decimalType(16, 6)], s("CET")], Date.UTC(2014, 11, 28, 5, 30, 45, 887) * 1000],
    ["from_utc_timestamp", [s("2016-08-31"), s("Asia/Seoul")], Date.UTC(2016, 7, 31, 9) * 1000],
    ["to_utc_timestamp", [s("2016-08-31"), s("Asia/Seoul")], Date.UTC(2016, 7, 30, 15) * 1000],
    ["date_part", [s("YEAR"), s("2019-08-12 01:00:00.123456")], 2019],
    ["date_part", [s("SECONDS"), s("2019-10-01 00:00:01.000001")], 1000001],
    ["extract", [s("doy"), date("2019-08-12")], 224],
    ["current_date", [], day(2023, 11, 14)],
    ["to_date", [s(null)], null], ["year", [[null, DateType]], null],
  ];
  for (const [name, args, want] of cases) assert.deepEqual(ev(name, ...args), want, `${name}(${args.map((a) => String(a[0])).join(", ")})`);
});

void test("time zone, ANSI and interval behaviour", () => {
  const la = { ...CTX, timeZone: "America/Los_Angeles" };
  assert.equal(evalCall("hour", [ts(TS)], la).value, 19);
  assert.equal(evalCall("to_timestamp", [s("2024-01-02 00:00:00")], la).value, Date.UTC(2024, 0, 2, 8) * 1000);
  assert.throws(() => evalCall("to_timestamp", [s("x"), s("yyyy")], { ...CTX, ansi: true }), /CANNOT_PARSE_TIMESTAMP/);
  assert.equal(evalCall("try_to_timestamp", [s("x"), s("yyyy")], { ...CTX, ansi: true }).value, null);
  assert.throws(() => evalCall("date_format", [ts(TS), s("YYYY")]), /week-based/);
  // 2024-03-09 12:00 in LA + 1 day crosses the DST change: still 12:00 local.
  const start = Date.UTC(2024, 2, 9, 20) * 1000;
  assert.equal(addInterval(start, interval(0, 1, 0), "America/Los_Angeles"), Date.UTC(2024, 2, 10, 19) * 1000);
  assert.equal(addInterval(start, interval(0, 0, 86400e6), "America/Los_Angeles"), Date.UTC(2024, 2, 10, 20) * 1000);
  assert.equal(addInterval(Date.UTC(2024, 0, 31) * 1000, interval(1, 0, 0), "UTC"), Date.UTC(2024, 1, 29) * 1000);
  assert.deepEqual(evalCall("date_part", [s("SECOND"), ts(TS)]).type, decimalType(8, 6));
});

function l(v: number | null): Arg {
  return [v, LongType];
}

void test("hour, minute and second are the local time of day's fields, in UTC, a fixed offset and a zone with DST, before and after 1970 (property)", async () => {
  const { localFields } = await import("../../src/types/datetime.js");
  const fc = (await import("fast-check")).default;
  fc.assert(fc.property(fc.integer({ min: -4e15, max: 4e15 }), fc.constantFrom("UTC", "+05:30", "-08:00", "America/Los_Angeles", "Europe/Berlin"), (micros, tz) => {
    const ctx = { ...CTX, timeZone: tz }, f = localFields(micros, tz);
    assert.deepEqual(["hour", "minute", "second"].map((name) => evalCall(name, [ts(micros)], ctx).value), [f.hour, f.minute, f.second], `${micros} in ${tz}`);
  }), { numRuns: 500 });
});
