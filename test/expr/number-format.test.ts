import assert from "node:assert/strict";
import { test } from "node:test";
import { Session } from "../../src/index.js";

// Expected values: Spark's function reference and StringExpressionsSuite ("ToCharacter: positive tests").
const spark = Session.builder().create();
const ansi = Session.builder().config("sluice.sql.ansi.enabled", true).create();
const one = async (e: string): Promise<unknown> => Object.values((await spark.sql(`SELECT ${e}`).collect())[0]!)[0];

test("to_number / try_to_number: Spark's documented examples, DECIMAL(precision, scale) from the format", async () => {
  assert.deepEqual(spark.sql("SELECT to_number('454', '999') a, to_number('454.00', '000.00') b, to_number('12,454.8-', '99,999.9S') c").dtypes.map((d) => d[1]), ["decimal(3,0)", "decimal(5,2)", "decimal(6,1)"]);
  assert.equal(await one("to_number('454', '999')"), 454);
  assert.equal(await one("to_number('454.00', '000.00')"), 454);
  assert.equal(await one("to_number('12,454', '99,999')"), 12454);
  assert.equal(await one("to_number('$78.12', '$99.99')"), 78.12);
  assert.equal(await one("to_number('12,454.8-', '99,999.9S')"), -12454.8);
  assert.equal(await one("try_to_number('12,454.8-', '99,999.9S')"), -12454.8);
  assert.equal(await one("to_number('<12>', '99PR')"), -12);
  assert.equal(await one("to_number(' 12 ', '999')"), 12);
});

test("to_number: inputs that do not match (Spark's negative tests) fail, try_to_number gives null", async () => {
  for (const [s, f] of [["<454", "999PR"], ["454>", "999PR"], ["<<454>>", "999PR"], ["45", "S$999,099.99"], ["$345", "S$099,099.99"], ["4D5", "0D9"], ["foo", "99"]] as const) {
    assert.equal(await one(`try_to_number('${s}', '${f}')`), null, `${s} / ${f}`);
    await assert.rejects(spark.sql(`SELECT to_number('${s}', '${f}')`).collect(), /INVALID_FORMAT.MISMATCH_INPUT/, `${s} / ${f}`);
  }
  assert.throws(() => spark.sql("SELECT to_number('1', '')"), /INVALID_FORMAT.EMPTY/);
  assert.throws(() => spark.sql("SELECT to_number('1', 'S')"), /INVALID_FORMAT.WRONG_NUM_DIGIT/);
  assert.throws(() => spark.sql("SELECT to_number('1', '9$')"), /INVALID_FORMAT.CUR_MUST_BEFORE_DIGIT/);
  assert.throws(() => spark.sql("SELECT to_number('1', '9,,9')"), /INVALID_FORMAT.CONT_THOUSANDS_SEPS/);
  assert.throws(() => spark.sql("SELECT to_number('1', '9.9,9')"), /INVALID_FORMAT.THOUSANDS_SEPS_MUST_BEFORE_DEC/);
  assert.throws(() => spark.sql("SELECT to_number('1', '9.9.9')"), /INVALID_FORMAT.WRONG_NUM_TOKEN/);
  assert.throws(() => spark.sql("SELECT to_number('1', '9x')"), /INVALID_FORMAT.UNEXPECTED_TOKEN/);
});

test("to_char / to_varchar: Spark's documented examples", async () => {
  assert.equal(await one("to_char(454, '999')"), "454");
  assert.equal(await one("to_char(454.00, '000D00')"), "454.00");
  assert.equal(await one("to_char(12454, '99G999')"), "12,454");
  assert.equal(await one("to_char(78.12, '$99.99')"), "$78.12");
  assert.equal(await one("to_varchar(-12454.8, '99G999D9S')"), "12,454.8-");
});

test("to_char: Spark's StringExpressionsSuite cases", async () => {
  const cases: [string, string, string][] = [
    ["454", "9999", " 454"], ["454", "99999", "  454"], ["4", "0", "4"], ["45", "00", "45"], ["454", "000", "454"], ["454", "0000", "0454"], ["454", "00000", "00454"],
    ["0.4542", ".00000", ".45420"], ["454.2", "000.0", "454.2"], ["454", "000.0", "454.0"], ["454.2", "000.00", "454.20"], ["454", "000.00", "454.00"],
    ["0.4542", ".0000", ".4542"], ["4542", "0000.", "4542 "], ["454.2", "0000D00", "0454.20"], ["4542", "00000.", "04542 "], ["454.2", "9999.99", " 454.20"],
    ["454", "9999.99", " 454.00"], ["4542", "99999.", " 4542 "],
    ["12454", "0,0000", "1,2454"], ["12454", "00G000", "12,454"], ["124543", "000,000", "124,543"], ["12", "000,000", "000,012"], ["1245436", "0,000,000", "1,245,436"],
    ["12454", "000,000", "012,454"], ["12454", "0000,0000", "0001,2454"], ["12454367", "000,000,000", "012,454,367"], ["12454", "999,999", " 12,454"],
    ["12454", "9,9999", "1,2454"], ["12454", "99,9999", " 1,2454"], ["12454", "9999,9999", "   1,2454"], ["12454367", "999,999,999", " 12,454,367"],
    ["78.12", "$99.99", "$78.12"], ["78.12", "$00.00", "$78.12"],
    ["83028485", "S99999999999.9999999", "   +83028485.0000000"], ["0", "9999999999999999.999999999999999S", "               0.000000000000000+"],
    ["CAST(4.31 AS DECIMAL(38, 10))", "9999999999999999.999999999999999S", "               4.310000000000000+"],
    ["-454.8", "99G999.9S", "   454.8-"], ["-454.8", "00G000.0S", "00,454.8-"], ["-454", "S999", "-454"], ["-454", "999S", "454-"],
    ["-83028485", "99999999999.9999999S", "   83028485.0000000-"],
    ["4.31", "9999999999999999.999999999999999MI", "               4.310000000000000 "], ["-454.8", "99G999.9MI", "   454.8-"],
    ["-454.8", "00G000.0MI", "00,454.8-"], ["-454", "999MI", "454-"], ["-12454.8", "99G999D9MI", "12,454.8-"],
    ["-4.31", "MI9999999999999999.999999999999999", "               -4.310000000000000"],
    ["4.31", "9999999999999999.999999999999999PR", "               4.310000000000000  "], ["-123", "9999999999999999.999PR", "             <123.000>"],
    ["-123.4", "9999999999999999.999PR", "             <123.400>"], ["-454.8", "99G999.9PR", "   <454.8>"], ["-454.8", "00G000.0PR", "<00,454.8>"],
    ["-454", "999PR", "<454>"], ["-12454.8", "99G999D9PR", "<12,454.8>"],
    ["454", "0", "#"], ["454", "00", "##"], ["4.67", "9.9", "#.#"], ["4.67", "99.9", "##.#"],
  ];
  for (const [v, f, want] of cases) assert.equal(await one(`to_char(${v}, '${f}')`), want, `to_char(${v}, '${f}')`);
});

test("to_number reads back what to_char writes", async () => {
  for (const [v, f] of [["-12454.8", "99G999D9S"], ["78.12", "$99.99"], ["-454", "999PR"], ["12", "000,000"]] as const) {
    const s = await one(`to_char(${v}, '${f}')`);
    assert.equal(await one(`to_number('${String(s)}', '${f}')`), Number(v), `${v} ${f}`);
  }
  assert.deepEqual(Object.values((await ansi.sql("SELECT try_to_number('x', '9')").collect())[0]!), [null]);
});
