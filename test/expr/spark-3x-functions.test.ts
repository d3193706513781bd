import assert from "node:assert/strict";
import { test } from "node:test";
import { Session } from "../../src/index.js";

// Examples from Spark's SQL function reference (expected values as documented there).
const spark = Session.builder().create();
const one = async (expr: string): Promise<unknown> => Object.values((await spark.sql(`SELECT ${expr} AS v`).collect())[0]!)[0];
const ansi = Session.builder().config("sluice.sql.ansi.enabled", true).create();

test("array_append, array_prepend, array_compact, array_size", async () => {
  assert.deepEqual(await one("array_append(array('b', 'd', 'c', 'a'), 'd')"), ["b", "d", "c", "a", "d"]);
  assert.deepEqual(await one("array_append(array(1, 2, 3, null), null)"), [1, 2, 3, null, null]);
  assert.equal(await one("array_append(CAST(null as Array<Int>), 2)"), null);
  assert.deepEqual(await one("array_prepend(array('b', 'd', 'c', 'a'), 'd')"), ["d", "b", "d", "c", "a"]);
  assert.deepEqual(await one("array_prepend(array(1, 2, 3, null), null)"), [null, 1, 2, 3, null]);
  assert.equal(await one("array_prepend(CAST(null as Array<Int>), 2)"), null);
  assert.deepEqual(await one("array_compact(array(1, 2, 3, null))"), [1, 2, 3]);
  assert.deepEqual(await one(`array_compact(array("a", "b", "c"))`), ["a", "b", "c"]);
  assert.equal(await one("array_size(array('b', 'd', 'c', 'a'))"), 4);
  assert.deepEqual(spark.sql("SELECT array_append(array(1, 2), 2.5D) AS v").dtypes, [["v", "array<double>"]]);
});

test("array_insert (Spark 4 negative positions, padding, index 0 refused)", async () => {
  assert.deepEqual(await one("array_insert(array(1, 2, 3, 4), 5, 5)"), [1, 2, 3, 4, 5]);
  assert.deepEqual(await one("array_insert(array(5, 4, 3, 2), -1, 1)"), [5, 4, 3, 2, 1]);
  assert.deepEqual(await one("array_insert(array(5, 3, 2, 1), -4, 4)"), [5, 4, 3, 2, 1]);
  assert.deepEqual(await one("array_insert(array(1, 2), 5, 9)"), [1, 2, null, null, 9]);
  assert.deepEqual(await one("array_insert(array(1, 2), -5, 9)"), [9, null, null, 1, 2]);
  await assert.rejects(spark.sql("SELECT array_insert(array(1), 0, 2)").collect(), /INVALID_INDEX_OF_ZERO/);
});

test("split_part, regexp_count, regexp_substr, regexp_instr", async () => {
  assert.equal(await one("split_part('11.12.13', '.', 3)"), "13");
  assert.equal(await one("split_part('11.12.13', '.', -1)"), "13");
  assert.equal(await one("split_part('11.12.13', '.', 4)"), "");
  assert.equal(await one("split_part('11.12.13', '', 1)"), "11.12.13");
  assert.equal(await one("regexp_count('Steven Jones and Stephen Smith are the best players', 'Ste(v|ph)en')"), 2);
  assert.equal(await one("regexp_count('abcdefghijklmnopqrstuvwxyz', '[a-z]{3}')"), 8);
  assert.equal(await one("regexp_substr('Steven Jones and Stephen Smith are the best players', 'Ste(v|ph)en')"), "Steven");
  assert.equal(await one("regexp_substr('Steven Jones and Stephen Smith are the best players', 'Jeck')"), null);
  assert.equal(await one("regexp_instr('user@spark.apache.org', '@[^.]*')"), 5);
  assert.equal(await one("regexp_instr('abc', 'x')"), 0);
  assert.equal(await one("regexp_instr('xxabc', 'a(b)c', 1)"), 4);
});

test("url_encode, url_decode, try_url_decode, luhn_check, try_mod", async () => {
  assert.equal(await one("url_encode('https://spark.apache.org')"), "https%3A%2F%2Fspark.apache.org");
  assert.equal(await one("url_encode('a b!~*é')"), "a+b%21%7E*%C3%A9");
  assert.equal(await one("url_decode('https%3A%2F%2Fspark.apache.org')"), "https://spark.apache.org");
  assert.equal(await one("url_decode('a+b%21%7E*%C3%A9')"), "a b!~*é");
  assert.equal(await one("try_url_decode('https%3A%2F%2Fspark.apache.org')"), "https://spark.apache.org");
  assert.equal(await one("try_url_decode('bad%zz')"), null);
  await assert.rejects(spark.sql("SELECT url_decode('bad%zz')").collect(), /CANNOT_DECODE_URL/);
  assert.equal(await one("luhn_check('8112189876')"), true);
  assert.equal(await one("luhn_check('79927398713')"), true);
  assert.equal(await one("luhn_check('79927398714')"), false);
  assert.equal(await one("luhn_check('')"), false);
  assert.equal(await one("try_mod(3, 2)"), 1);
  assert.equal(await one("try_mod(1, 0)"), null);
  assert.deepEqual(Object.values((await ansi.sql("SELECT try_mod(3.0, 2.0), try_mod(2L, 2L), try_mod(1, 0)").collect())[0]!), [1, 0, null]);
});

test("mask", async () => {
  const cases: [string, string | null][] = [
    ["mask('abcd-EFGH-8765-4321')", "xxxx-XXXX-nnnn-nnnn"],
    ["mask('abcd-EFGH-8765-4321', 'Q')", "xxxx-QQQQ-nnnn-nnnn"],
    ["mask('AbCD123-@$#', 'Q', 'q')", "QqQQnnn-@$#"],
    ["mask('AbCD123-@$#')", "XxXXnnn-@$#"],
    ["mask('AbCD123-@$#', 'Q')", "QxQQnnn-@$#"],
    ["mask('AbCD123-@$#', 'Q', 'q', 'd')", "QqQQddd-@$#"],
    ["mask('AbCD123-@$#', 'Q', 'q', 'd', 'o')", "QqQQdddoooo"],
    ["mask('AbCD123-@$#', NULL, 'q', 'd', 'o')", "AqCDdddoooo"],
    ["mask('AbCD123-@$#', NULL, NULL, 'd', 'o')", "AbCDdddoooo"],
    ["mask('AbCD123-@$#', NULL, NULL, NULL, 'o')", "AbCD123oooo"],
    ["mask(NULL, NULL, NULL, NULL, 'o')", null],
    ["mask(NULL)", null],
    ["mask('AbCD123-@$#', NULL, NULL, NULL, NULL)", "AbCD123-@$#"],
  ];
  for (const [e, want] of cases) assert.equal(await one(e), want, e);
  assert.throws(() => spark.sql("SELECT mask('a', 'XY')"), /one character/);
});

test("elt: the n-th argument; out of range is null, or an error with ANSI mode", async () => {
  assert.equal(await one("elt(1, 'scala', 'java')"), "scala");
  assert.equal(await one("elt(2, 'a', 1)"), "1");
  assert.equal(await one("elt(2, 'a', NULL)"), null);
  assert.equal(await one("elt(3, 'a', 'b')"), null);
  await assert.rejects(ansi.sql("SELECT elt(3, 'a', 'b')").collect(), /INVALID_ARRAY_INDEX/);
});

test("cast-alias functions int(x), string(x), ... are CAST(x AS type)", async () => {
  const df = spark.sql("SELECT int('12') AS a, string(1.5) AS b, bigint(3.9) AS c, decimal('1.25') AS d, boolean('true') AS e, double('2.5') AS f, tinyint(300) AS g");
  assert.deepEqual(df.dtypes.map((t) => t[1]), ["int", "string", "bigint", "decimal(10,0)", "boolean", "double", "tinyint"]);
  assert.deepEqual(Object.values((await df.collect())[0]!), [12, "1.5", 3, 1, true, 2.5, 44]);
  assert.deepEqual(spark.sql("SELECT int('1')").columns, ["CAST(1 AS INT)"]);
  assert.throws(() => spark.sql("SELECT int(1, 2)"), /requires 1 parameters/);
});

test("current_user / user / session_user, current_database / current_schema, current_catalog", async () => {
  const r = (await spark.sql("SELECT current_user() AS a, current_user AS b, user() AS c, session_user() AS d, current_database() AS e, current_schema() AS f, current_catalog() AS g").collect())[0]!;
  assert.equal(typeof r.a, "string");
  assert.ok((r.a as string).length > 0);
  assert.deepEqual([r.b, r.c, r.d], [r.a, r.a, r.a]);
  assert.deepEqual([r.e, r.f, r.g], ["default", "default", "spark_catalog"]);
});

test("make_interval", async () => {
  const r = (await spark.sql("SELECT make_interval(100, 11, 1, 1, 12, 30, 01.001001) a, make_interval(100, null, 3) b, make_interval(0, 1, 0, 1, 0, 0, 100.000001) c, make_interval() d").collect())[0]!;
  assert.deepEqual(r.a, { months: 100 * 12 + 11, days: 8, micros: 12 * 3600e6 + 30 * 60e6 + 1001001 });
  assert.equal(r.b, null);
  assert.deepEqual(r.c, { months: 1, days: 1, micros: 100000001 });
  assert.deepEqual(r.d, { months: 0, days: 0, micros: 0 });
  // Seconds with fewer than 6 decimals count as seconds, not as microseconds.
  assert.deepEqual(Object.values((await spark.sql("SELECT make_interval(0, 0, 0, 0, 0, 0, 1.5), make_interval(0, 0, 0, 0, 0, 1, 2)").collect())[0]!), [{ months: 0, days: 0, micros: 1500000 }, { months: 0, days: 0, micros: 62000000 }]);
  assert.match(await spark.sql("SELECT make_interval(100, 11, 1, 1, 12, 30, 01.001001) a").showString(20, false), /\|100 years 11 months 8 days 12 hours 30 minutes 1\.001001 seconds\|/);
  assert.match(await spark.sql("SELECT make_interval(0, 1, 0, 1, 0, 0, 100.000001) a").showString(20, false), /\|1 months 1 days 1 minutes 40\.000001 seconds\|/);
});

test("bitmap_bucket_number, bitmap_bit_position, bitmap_count, bitmap_construct_agg, bitmap_or_agg", async () => {
  const vals = async (q: string): Promise<unknown[]> => Object.values((await spark.sql(q).collect())[0]!);
  assert.deepEqual(await vals("SELECT bitmap_bit_position(1), bitmap_bit_position(123), bitmap_bucket_number(123), bitmap_bucket_number(0)"), [0, 122, 1, 0]);
  assert.deepEqual(await vals("SELECT substring(hex(bitmap_construct_agg(bitmap_bit_position(col))), 0, 6) FROM VALUES (1), (2), (3) AS tab(col)"), ["070000"]);
  assert.deepEqual(await vals("SELECT bitmap_count(X '1010'), bitmap_count(X 'FFFF'), bitmap_count(X '0')"), [2, 16, 0]);
  assert.deepEqual(await vals("SELECT substring(hex(bitmap_or_agg(col)), 0, 6) FROM VALUES (X '10'), (X '20'), (X '40') AS tab(col)"), ["700000"]);
  assert.deepEqual(await vals("SELECT bitmap_count(bitmap_construct_agg(bitmap_bit_position(col))), length(bitmap_construct_agg(bitmap_bit_position(col))) FROM VALUES (1), (2), (2), (5) AS tab(col)"), [3, 4096]);
  await assert.rejects(spark.sql("SELECT bitmap_construct_agg(col) FROM VALUES (40000L) AS tab(col)").collect(), /INVALID_BITMAP_POSITION/);
});

test("parse_url and try_parse_url (java.net.URI parts, raw)", async () => {
  const vals = async (q: string): Promise<unknown[]> => Object.values((await spark.sql(q).collect())[0]!);
  assert.deepEqual(await vals("SELECT parse_url('http://spark.apache.org/path?query=1', 'HOST'), parse_url('http://spark.apache.org/path?query=1', 'QUERY'), parse_url('http://spark.apache.org/path?query=1', 'QUERY', 'query')"), ["spark.apache.org", "query=1", "1"]);
  const u = "'http://user:pw@spark.apache.org:8080/path/a.html?query=1&b=x%20y#frag'";
  const parts = ["HOST", "PATH", "QUERY", "REF", "PROTOCOL", "FILE", "AUTHORITY", "USERINFO", "NOPE"];
  assert.deepEqual(await vals(`SELECT ${parts.map((p) => `parse_url(${u}, '${p}')`).join(", ")}, parse_url(${u}, 'QUERY', 'b'), parse_url(${u}, 'QUERY', 'c')`), [
    "spark.apache.org", "/path/a.html", "query=1&b=x%20y", "frag", "http", "/path/a.html?query=1&b=x%20y", "user:pw@spark.apache.org:8080", "user:pw", null, "x%20y", null,
  ]);
  // A registry-based authority has no host; an illegal character makes the URL invalid.
  assert.deepEqual(await vals("SELECT parse_url('http://a_b.com/x', 'HOST'), parse_url('http://a_b.com/x', 'AUTHORITY'), parse_url('inva lid://x', 'HOST'), try_parse_url('inva lid://x', 'HOST')"), [null, "a_b.com", null, null]);
  await assert.rejects(ansi.sql("SELECT parse_url('inva lid://x', 'HOST')").collect(), /INVALID_URL/);
  assert.deepEqual(Object.values((await ansi.sql("SELECT try_parse_url('inva lid://x', 'HOST')").collect())[0]!), [null]);
});

test("aes_encrypt / aes_decrypt / try_aes_decrypt in Spark's layouts (documented ciphertexts)", async () => {
  const str = async (q: string): Promise<unknown> => Object.values((await spark.sql(`SELECT ${q}`).collect())[0]!)[0];
  assert.equal(await str("cast(aes_decrypt(unhex('83F16B2AA704794132802D248E6BFD4E380078182D1544813898AC97E709B28A94'), '0000111122223333') AS STRING)"), "Spark");
  assert.equal(await str("cast(aes_decrypt(unhex('6E7CA17BBB468D3084B5744BCA729FB7B2B7BCB8E4472847D02670489D95FA97DBBA7D3210'), '0000111122223333', 'GCM') AS STRING)"), "Spark SQL");
  assert.equal(await str("cast(aes_decrypt(unbase64('3lmwu+Mw0H3fi5NDvcu9lg=='), '1234567890abcdef', 'ECB', 'PKCS') AS STRING)"), "Spark SQL");
  assert.equal(await str("cast(aes_decrypt(unbase64('2NYmDCjgXTbbxGA3/SnJEfFC/JQ7olk2VQWReIAAFKo='), '1234567890abcdef', 'CBC') AS STRING)"), "Apache Spark");
  assert.equal(await str("cast(aes_decrypt(unbase64('AAAAAAAAAAAAAAAAQiYi+sTLm7KD9UcZ2nlRdYDe/PX4'), 'abcdefghijklmnop12345678ABCDEFGH', 'GCM', 'DEFAULT', 'This is an AAD mixed into the input') AS STRING)"), "Spark");
  // Deterministic layouts: ECB, and GCM with a given IV and AAD, reproduce those ciphertexts.
  assert.equal(await str("base64(aes_encrypt('Spark SQL', '1234567890abcdef', 'ECB', 'PKCS'))"), "3lmwu+Mw0H3fi5NDvcu9lg==");
  assert.equal(await str("base64(aes_encrypt('Spark', 'abcdefghijklmnop12345678ABCDEFGH', 'GCM', 'DEFAULT', unhex('000000000000000000000000'), 'This is an AAD mixed into the input'))"), "AAAAAAAAAAAAAAAAQiYi+sTLm7KD9UcZ2nlRdYDe/PX4");
  // Random IVs: two encryptions differ, both decrypt.
  const [a, b] = Object.values((await spark.sql("SELECT hex(aes_encrypt('x', '0000111122223333')) a, hex(aes_encrypt('x', '0000111122223333')) b").collect())[0]!);
  assert.notEqual(a, b);
  assert.equal(await str(`cast(aes_decrypt(unhex('${String(a)}'), '0000111122223333') AS STRING)`), "x");
  assert.equal(await str("cast(aes_decrypt(aes_encrypt('round trip', '0000111122223333', 'CBC'), '0000111122223333', 'CBC') AS STRING)"), "round trip");
  assert.equal(await str("try_aes_decrypt(X'00112233445566778899AABBCCDDEEFF00112233445566778899', '0000111122223333')"), null);
  await assert.rejects(spark.sql("SELECT aes_decrypt(X'00112233445566778899AABBCCDDEEFF00112233445566778899', '0000111122223333')").collect(), /AES_CRYPTO_ERROR/);
  await assert.rejects(spark.sql("SELECT aes_encrypt('x', 'short')").collect(), /AES_KEY_LENGTH/);
  await assert.rejects(spark.sql("SELECT aes_encrypt('x', '0000111122223333', 'ECB', 'NONE')").collect(), /AES_MODE/);
});

test("to_binary / try_to_binary, and the UTF-8 validity functions", async () => {
  const vals = async (q: string): Promise<unknown[]> => Object.values((await spark.sql(q).collect())[0]!);
  assert.deepEqual(await vals("SELECT hex(to_binary('abc', 'utf-8')), cast(to_binary('537061726B') AS STRING), cast(to_binary('U3Bhcms=', 'base64') AS STRING), to_binary('abc', NULL), hex(to_binary('F', 'HEX'))"), ["616263", "Spark", "Spark", null, "0F"]);
  assert.deepEqual(await vals("SELECT try_to_binary('xyz', 'hex'), try_to_binary('U3Bhcms', 'base64'), hex(try_to_binary('abc', 'utf8'))"), [null, null, "616263"]);
  await assert.rejects(spark.sql("SELECT to_binary('xyz', 'hex')").collect(), /CONVERSION_INVALID_INPUT/);
  assert.throws(() => spark.sql("SELECT to_binary('abc', 'utf-16')"), /BINARY_FORMAT|must be one of/);
  const bad = spark.createDataFrame([{ s: "a\uD800b" }, { s: "ok" }], "s STRING");
  const rows = await bad.selectExpr("is_valid_utf8(s) AS v", "make_valid_utf8(s) AS m", "try_validate_utf8(s) AS t").collect();
  assert.deepEqual(rows, [{ v: false, m: "a\uFFFDb", t: null }, { v: true, m: "ok", t: "ok" }]);
  await assert.rejects(bad.selectExpr("validate_utf8(s)").collect(), /INVALID_UTF8_STRING/);
});

test("the DataFrame functions for the Spark 3.4+ additions", async () => {
  const { functions: F, col } = await import("../../src/index.js");
  const df = spark.createDataFrame([{ s: "abcd-EFGH-8765", a: [1, 2], n: 2 }], "s STRING, a ARRAY<INT>, n INT");
  const [r] = await df.select(
    F.mask("s").alias("m"), F.array_append("a", 3).alias("ap"), F.array_insert("a", 1, 0).alias("ins"), F.split_part("s", "-", 2).alias("sp"),
    F.regexp_count("s", "[0-9]").alias("rc"), F.elt(col("n"), "s", "s").alias("e"), F.make_interval(1, 2).alias("mi"),
    F.luhn_check(F.lit("79927398713")).alias("lu"), F.url_encode(F.lit("a b")).alias("ue"),
  ).collect();
  assert.deepEqual(r, { m: "xxxx-XXXX-nnnn", ap: [1, 2, 3], ins: [0, 1, 2], sp: "EFGH", rc: 4, e: "abcd-EFGH-8765", mi: { months: 14, days: 0, micros: 0 }, lu: true, ue: "a+b" });
  const st = await spark.range(1).select(F.stack(2, F.lit(1), F.lit(2))).collect();
  assert.deepEqual(st, [{ col0: 1 }, { col0: 2 }]);
  const [h] = await spark.range(4).agg(F.histogram_numeric("id", 4).alias("h"), F.bitmap_count(F.bitmap_construct_agg("id")).alias("b")).collect();
  assert.deepEqual(h, { h: [{ x: 0, y: 1 }, { x: 1, y: 1 }, { x: 2, y: 1 }, { x: 3, y: 1 }], b: 4 });
});

test("try_make_interval: null on overflow even with ANSI mode on; to_number / to_char in the functions module", async () => {
  await assert.rejects(ansi.sql("SELECT make_interval(2147483647, 12)").collect(), /ARITHMETIC_OVERFLOW/);
  assert.deepEqual(Object.values((await ansi.sql("SELECT try_make_interval(2147483647, 12), try_make_interval(1)").collect())[0]!), [null, { months: 12, days: 0, micros: 0 }]);
  const { functions: F } = await import("../../src/index.js");
  const [r] = await spark.createDataFrame([{ s: "12,454.8-" }], "s STRING").select(F.to_number("s", "99G999D9S").alias("n"), F.to_char(F.lit(454), "0000").alias("c")).collect();
  assert.deepEqual(r, { n: -12454.8, c: "0454" });
});

test("make_timestamp reads fractional seconds with their own scale (Spark's example); try_make_timestamp gives null for invalid fields even with ANSI mode on", async () => {
  const ts = (await spark.sql("SELECT make_timestamp(2014, 12, 28, 6, 30, 45.887, 'UTC') AS t").collect())[0]!.t as Date;
  assert.equal(ts.toISOString(), "2014-12-28T06:30:45.887Z");
  await assert.rejects(ansi.sql("SELECT make_timestamp(2024, 13, 1, 0, 0, 0)").collect(), /Invalid timestamp fields/);
  const r = (await ansi.sql("SELECT try_make_timestamp(2024, 13, 1, 0, 0, 0) a, try_make_timestamp(2014, 12, 28, 6, 30, 45.887, 'UTC') b").collect())[0]!;
  assert.equal(r.a, null);
  assert.equal((r.b as Date).toISOString(), "2014-12-28T06:30:45.887Z");
});
