import { test } from "node:test";
import assert from "node:assert/strict";
import { BinaryType, IntegerType, LongType, NullType, StringType, arrayType, DoubleType, decimalType } from "../../src/types/data-type.js";
import { AnalysisError } from "../../src/errors/errors.js";
import fc from "fast-check";
import { javaRegex, javaSplit } from "../../src/expr/functions/text-util.js";
import { type Arg, CTX, def, ev, evalCall } from "./eval-helper.js";

const s = (v: string | null): Arg => [v, StringType];
const i = (v: number | null): Arg => [v, IntegerType];

void test("string functions match Spark's documented examples", () => {
  const cases: [string, Arg[], unknown][] = [
    ["concat", [s("Spark"), s("SQL")], "SparkSQL"],
    ["concat", [s("a"), i(1)], "a1"],
    ["concat", [s("a"), s(null)], null],
    ["concat_ws", [s(" "), s("Spark"), s(null), s("SQL")], "Spark SQL"],
    ["concat_ws", [s(","), [["a", null, "b"], arrayType(StringType)], s("c")], "a,b,c"],
    ["concat_ws", [s(null), s("a")], null],
    ["substring", [s("Spark SQL"), i(5)], "k SQL"],
    ["substring", [s("Spark SQL"), i(-3)], "SQL"],
    ["substring", [s("Spark SQL"), i(5), i(1)], "k"],
    ["substring", [s("Spark SQL"), i(0), i(2)], "Sp"],
    ["substr", [s("Spark SQL"), i(-3), i(2)], "SQ"],
    ["substring", [s(null), i(1)], null],
    ["left", [s("Spark SQL"), i(3)], "Spa"],
    ["right", [s("Spark SQL"), i(3)], "SQL"],
    ["right", [s("Spark SQL"), i(-1)], ""],
    ["split", [s("oneAtwoBthreeC"), s("[ABC]")], ["one", "two", "three", ""]],
    ["split", [s("oneAtwoBthreeC"), s("[ABC]"), i(2)], ["one", "twoBthreeC"]],
    ["regexp_extract", [s("100-200"), s("(\\d+)-(\\d+)"), i(1)], "100"],
    ["regexp_extract", [s("foo"), s("(\\d+)")], ""],
    ["regexp_extract_all", [s("100-200, 300-400"), s("(\\d+)-(\\d+)"), i(1)], ["100", "300"]],
    ["regexp_replace", [s("100-200"), s("(\\d+)"), s("num")], "num-num"],
    ["regexp_replace", [s("abc"), s("(b)"), s("[$1]")], "a[b]c"],
    ["rlike", [s("%SystemDrive%\\Users\\John"), s("%SystemDrive%\\\\Users.*")], true],
    ["like", [s("Spark"), s("_park")], true],
    ["like", [s("Spark"), s("%RK")], false],
    ["ilike", [s("Spark"), s("%RK")], true],
    ["like", [s("a_b"), s("a/_b"), s("/")], true],
    ["like", [s("axb"), s("a\\_b")], false],
    ["lower", [s("SparkSql")], "sparksql"],
    ["ucase", [s("SparkSql")], "SPARKSQL"],
    ["initcap", [s("sPark sql")], "Spark Sql"],
    ["trim", [s("    SparkSQL   ")], "SparkSQL"],
    ["trim", [s("SSparkSQLS"), s("SL")], "parkSQ"],
    ["ltrim", [s("    SparkSQL   ")], "SparkSQL   "],
    ["rtrim", [s("    SparkSQL   ")], "    SparkSQL"],
    ["btrim", [s("SSparkSQLS"), s("SL")], "parkSQ"],
    ["length", [s("Spark SQL ")], 10],
    ["length", [s("😀a")], 2],
    ["char_length", [s(null)], null],
    ["octet_length", [s("Spark SQL")], 9],
    ["bit_length", [s("Spark SQL")], 72],
    ["lpad", [s("hi"), i(5), s("??")], "???hi"],
    ["lpad", [s("hi"), i(1), s("??")], "h"],
    ["rpad", [s("hi"), i(5)], "hi   "],
    ["repeat", [s("123"), i(2)], "123123"],
    ["reverse", [s("Spark SQL")], "LQS krapS"],
    ["reverse", [[[2, 1, 4, 3], arrayType(IntegerType)]], [3, 4, 1, 2]],
    ["instr", [s("SparkSQL"), s("SQL")], 6],
    ["locate", [s("bar"), s("foobarbar")], 4],
    ["locate", [s("bar"), s("foobarbar"), i(5)], 7],
    ["position", [s("bar"), s("foobarbar"), i(0)], 0],
    ["replace", [s("ABCabc"), s("abc"), s("DEF")], "ABCDEF"],
    ["replace", [s("a.b.c"), s(".")], "abc"],
    ["replace", [s("a.b"), s("."), s("$&$1$$")], "a$&$1$$b"],
    ["translate", [s("AaBbCc"), s("abc"), s("123")], "A1B2C3"],
    ["translate", [s("AaBbCc"), s("abc"), s("1")], "A1BC"],
    ["format_string", [s("Hello World %d %s"), i(100), s("days")], "Hello World 100 days"],
    ["printf", [s("%.2f|%5s|%-5s|%x|%e|%%"), [3.14159, DoubleType], s("ab"), s("ab"), i(255), [12345.678, DoubleType]], "3.14|   ab|ab   |ff|1.234568e+04|%"],
    ["format_string", [s("%s and %s"), s("a"), s(null)], "a and null"],
    ["format_number", [[12332.123456, DoubleType], i(4)], "12,332.1235"],
    ["format_number", [[12332.5, DoubleType], i(0)], "12,332"],
    ["format_number", [[12345, decimalType(10, 2)], i(1)], "123.4"], ["format_number", [[12355, decimalType(10, 2)], i(1)], "123.6"],
    ["format_number", [[1234567, LongType], i(2)], "1,234,567.00"],
    ["ascii", [s("222")], 50],
    ["ascii", [s("")], 0],
    ["chr", [[65, LongType]], "A"],
    ["char", [[321, LongType]], "A"],
    ["chr", [[-1, LongType]], ""],
    ["base64", [s("Spark SQL")], "U3BhcmsgU1FM"],
    ["unbase64", [s("U3BhcmsgU1FM")], Uint8Array.from(Buffer.from("Spark SQL"))],
    ["hex", [[17, LongType]], "11"],
    ["hex", [[-1, LongType]], "FFFFFFFFFFFFFFFF"],
    ["hex", [s("Spark SQL")], "537061726B2053514C"],
    ["unhex", [s("537061726B2053514C")], Uint8Array.from(Buffer.from("Spark SQL"))],
    ["unhex", [s("zz")], null],
    ["decode", [[Uint8Array.from(Buffer.from("abc")), BinaryType], s("utf-8")], "abc"],
    ["encode", [s("abc"), s("utf-8")], Uint8Array.from([97, 98, 99])],
    ["startswith", [s("Spark SQL"), s("Spark")], true],
    ["endswith", [s("Spark SQL"), s("SQL")], true],
    ["contains", [s("Spark SQL"), s("k S")], true],
    ["levenshtein", [s("kitten"), s("sitting")], 3],
    ["levenshtein", [s("kitten"), s("sitting"), i(2)], -1],
    ["soundex", [s("Miller")], "M460"],
    ["soundex", [s("Tymczak")], "T522"],
    ["overlay", [s("Spark SQL"), s("_"), i(6)], "Spark_SQL"],
    ["overlay", [s("Spark SQL"), s("CORE"), i(7)], "Spark CORE"],
    ["overlay", [s("Spark SQL"), s("ANSI "), i(7), i(0)], "Spark ANSI SQL"],
    ["overlay", [s("Spark SQL"), s("tructured"), i(2), i(4)], "Structured SQL"],
    ["space", [i(2)], "  "],
    ["substring_index", [s("www.apache.org"), s("."), i(2)], "www.apache"],
    ["substring_index", [s("www.apache.org"), s("."), i(-2)], "apache.org"],
    ["find_in_set", [s("ab"), s("abc,b,ab,c,def")], 3],
  ];
  for (const [name, args, want] of cases) assert.deepEqual(ev(name, ...args), want, `${name}(${args.map((a) => String(a[0])).join(", ")})`);
});

void test("string functions check their arguments", () => {
  assert.throws(() => evalCall("upper", [[[1], arrayType(IntegerType)]]), (e: unknown) => e instanceof AnalysisError && e.message.includes('"ARRAY<INT>"') && e.message.includes("upper"));
  assert.throws(() => evalCall("substring", [s("a")]), /WRONG_NUM_ARGS|requires/);
  assert.equal(evalCall("concat", []).value, "");
  assert.deepEqual(evalCall("split", [s("a"), s(",")]).type, arrayType(StringType, false));
  assert.equal(ev("upper", [null, NullType]), null);
  assert.match(String(ev("uuid")), /^[0-9a-f-]{36}$/);
});

void test("split by a plain separator gives the parts the regular expression gives, at any limit", () => {
  const text = fc.string({ unit: fc.constantFrom("a", "b", "/", ",", " "), maxLength: 12 });
  const separator = fc.constantFrom("/", ",", ", ", "//", "ab", "a");
  const limit = fc.constantFrom(-1, 0, 1, 2, 3);
  fc.assert(
    fc.property(text, separator, limit, (x, sep, n) => {
      const byRegex = javaSplit(x, javaRegex(sep.replace(/[/,]/g, "\\$&"), "split", true), n > 0 ? n : -1);
      assert.deepEqual(evalCall("split", [s(x), s(sep), i(n)]).value, byRegex);
      if (n === -1) assert.deepEqual(evalCall("split", [s(x), s(sep)]).value, byRegex);
    }),
  );
  assert.deepEqual(evalCall("split", [s("/a//b/"), s("/")]).value, ["", "a", "", "b", ""], "leading and trailing empty parts kept, as Spark");
  assert.deepEqual(evalCall("split", [s("a.b"), s(".")]).value, ["", "", "", ""], "a regex metacharacter still splits as a regex");
});

void test("regexp_extract: one compiled call over rows whose pattern and group change (the pattern is checked again on each change)", () => {
  const d = def("regexp_extract");
  const infos = [StringType, StringType, IntegerType].map((t) => ({ dataType: t, nullable: false, foldable: false, value: undefined }));
  const sig = d.resolve(infos, CTX);
  const f = d.compile({ ...sig, argTypes: [StringType, StringType, IntegerType] }, CTX) as (s: string, p: string, idx?: number) => string;
  const url = "q=1&channel_id=42&x=y";
  const rows: [string, string, number, string | RegExp][] = [
    [url, "(&|^)channel_id=([^&]*)", 2, "42"],
    [url, "(&|^)channel_id=([^&]*)", 2, "42"],
    ["channel_id=7", "(&|^)channel_id=([^&]*)", 2, "7"],
    ["nothing here", "(&|^)channel_id=([^&]*)", 2, ""],
    [url, "(&|^)channel_id=([^&]*)", 1, "&"],
    [url, "(&|^)channel_id=([^&]*)", 0, "&channel_id=42"],
    // Same pattern, a group it lacks: an error on this row, not the answer remembered for the pattern.
    [url, "(&|^)channel_id=([^&]*)", 3, /the regex has 2 groups, but the specified group index is 3/],
    [url, "(&|^)channel_id=([^&]*)", 3, /the regex has 2 groups/],
    [url, "(&|^)channel_id=([^&]*)", 2, "42"],
    [url, "x=(\\w)", 1, "y"],
    [url, "x=(\\w)", 2, /the regex has 1 groups/],
    [url, "x=(\\w)", 1, "y"],
    [url, "([", 1, /INVALID_PARAMETER_VALUE|invalid/],
    [url, "([", 1, /INVALID_PARAMETER_VALUE|invalid/],
    [url, "id=(\\d+)", 1, "42"],
    [url, "id=(\\d+)", -1, /must be >= 0/],
  ];
  for (const [str, p, idx, want] of rows) {
    if (typeof want === "string") assert.equal(f(str, p, idx), want, `${str} ${p} ${idx}`);
    else assert.throws(() => f(str, p, idx), want, `${str} ${p} ${idx}`);
  }
  assert.equal(f("a1", "a(\\d)"), "1");
  assert.equal(ev("regexp_extract", s(null), s("(a)"), i(1)), null);
});
