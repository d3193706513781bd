import assert from "node:assert/strict";
import { test } from "node:test";
import { Session, col } from "../../src/index.js";

const spark = Session.builder().create();
const df = spark.createDataFrame([{ name: "a", amount: 1, amt_total: 2 }], "name STRING, amount INT, amt_total INT");
df.createOrReplaceTempView("err_t");
type ClassedError = Error & { errorClass?: string };
const fails = (fn: () => unknown, errorClass: string, ...fragments: string[]): void => {
  assert.throws(fn, (e: ClassedError) => {
    assert.equal(e.errorClass, errorClass, e.message);
    for (const f of fragments) assert.ok(e.message.includes(f), `message has ${f}: ${e.message}`);
    return true;
  });
};

test("an unknown column lists the closest candidates first", () => {
  fails(() => df.select(col("amont")), "UNRESOLVED_COLUMN.WITH_SUGGESTION", "`amont`", "Did you mean one of the following? [`amount`");
  fails(() => spark.sql("SELECT nme FROM err_t"), "UNRESOLVED_COLUMN.WITH_SUGGESTION", "`nme`", "[`err_t`.`name`");
  fails(() => spark.sql("SELECT x"), "UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", "`x`");
});

test("an ambiguous reference in a join names the candidates", () => {
  const other = spark.createDataFrame([{ name: "b" }], "name STRING");
  fails(() => df.join(other, df.col("name").eq(other.col("name"))).select("name"), "AMBIGUOUS_REFERENCE", "Reference `name` is ambiguous");
  fails(() => spark.sql("SELECT name FROM err_t a JOIN err_t b ON a.amount = b.amount"), "AMBIGUOUS_REFERENCE", "`a`.`name`", "`b`.`name`");
});

test("a type mismatch names both types", () => {
  fails(() => spark.sql("SELECT name + array(1) FROM err_t"), "DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES", '"STRING"', '"ARRAY<INT>"');
  fails(() => spark.sql("SELECT amount = array(1) FROM err_t"), "DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES", '"INT"', '"ARRAY<INT>"');
  fails(() => spark.sql("SELECT CAST(array(1) AS INT)"), "DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION", '"ARRAY<INT>"', '"INT"');
  fails(() => spark.sql("SELECT * FROM err_t WHERE amount"), "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE", "BOOLEAN", '"INT"');
});

test("an unknown function and a wrong argument count", () => {
  fails(() => spark.sql("SELECT no_such_fn(1)"), "UNRESOLVED_ROUTINE", "`no_such_fn`");
  fails(() => spark.sql("SELECT abs(1, 2)"), "WRONG_NUM_ARGS", "`abs`", "1");
});

test("an unknown table lists the known views", () => {
  fails(() => spark.sql("SELECT * FROM err_missing"), "TABLE_OR_VIEW_NOT_FOUND", "`err_missing`", "`err_t`");
});

test("a syntax error shows the line, the position and a caret under it", () => {
  assert.throws(() => spark.sql("SELECT name\nFROM err_t WHERE"), (e: ClassedError) => {
    assert.equal(e.errorClass, "PARSE_SYNTAX_ERROR");
    assert.match(e.message, /line 2, pos \d+/);
    assert.match(e.message, /== SQL ==/);
    const lines = e.message.split("\n");
    const caret = lines.findIndex((l) => /^\s*-*\^+\s*$/.test(l));
    assert.ok(caret > 0, `a caret line: ${e.message}`);
    return true;
  });
});
