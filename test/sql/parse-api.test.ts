import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ParseError } from "../../src/errors/errors.js";
import { parseDataType, parseExpression, parseQuery, parseStatement, parseStatements } from "../../src/sql/index.js";
import { decimalType } from "../../src/types/data-type.js";
import { daysFromCivil } from "../../src/types/datetime.js";
import { toDecimalUnscaled } from "../../src/types/values.js";

void describe("SQL front end API", () => {
  void it("parseExpression returns an Alias for `expr AS name`, as selectExpr needs", () => {
    const e = parseExpression("upper(name) AS shout");
    assert.equal(e.kind, "Alias");
    if (e.kind === "Alias") {
      assert.equal(e.name, "shout");
      assert.equal(e.child.kind, "UnresolvedFunction");
    }
  });

  void it("columns keep their name parts for the analyzer", () => {
    const e = parseExpression("t.s.`a.b`");
    assert.deepEqual(e.kind === "UnresolvedColumn" && e.nameParts, ["t", "s", "a.b"]);
  });

  void it("decimal literals hold the unscaled long that toDecimalUnscaled gives", () => {
    for (const text of ["1.5", "0.01", "123.4500", "-7.25"]) {
      const e = parseExpression(text);
      assert.equal(e.kind, "Literal");
      if (e.kind !== "Literal" || e.dataType.kind !== "decimal") return assert.fail(text);
      assert.equal(e.value, toDecimalUnscaled(text, decimalType(e.dataType.precision, e.dataType.scale)), text);
    }
  });

  void it("longs beyond 2^53 are exact bigints", () => {
    const e = parseExpression("9223372036854775807");
    assert.equal(e.kind === "Literal" && e.value, 9223372036854775807n);
  });

  void it("date and timestamp literals hold internal values", () => {
    const d = parseExpression("DATE '2024-03-01'");
    assert.equal(d.kind === "Literal" && d.value, daysFromCivil(2024, 3, 1));
    const t = parseExpression("TIMESTAMP '1970-01-01 00:00:01.5'");
    assert.equal(t.kind === "Literal" && t.value, 1_500_000);
  });

  void it("interval literals are frozen {months, days, micros}", () => {
    const e = parseExpression("INTERVAL 2 MONTHS 3 DAYS 4 SECONDS");
    assert.equal(e.kind, "Literal");
    if (e.kind === "Literal") {
      assert.deepEqual(e.value, { months: 2, days: 3, micros: 4_000_000 });
      assert.equal(e.dataType.kind, "interval");
      assert.ok(Object.isFrozen(e.value));
    }
  });

  void it("lambda parameters are LambdaVariables with NullType placeholders and distinct ids", () => {
    const e = parseExpression("zip_with(a, b, (x, y) -> x + y)");
    if (e.kind !== "UnresolvedFunction") return assert.fail("not a function");
    const lam = e.args[2]!;
    if (lam.kind !== "LambdaFunction") return assert.fail("not a lambda");
    assert.deepEqual(lam.params.map((p) => [p.name, p.dataType.kind]), [["x", "null"], ["y", "null"]]);
    assert.notEqual(lam.params[0]!.id, lam.params[1]!.id);
  });

  void it("plans and expressions are frozen", () => {
    const p = parseQuery("SELECT a FROM t WHERE b");
    assert.ok(Object.isFrozen(p));
    assert.ok(p.kind === "Project" && Object.isFrozen(p.projectList) && Object.isFrozen(p.child));
  });

  void it("statements are tagged by kind", () => {
    assert.equal(parseStatement("SELECT 1").kind, "Query");
    assert.deepEqual(parseStatements("SET a=1; SHOW TABLES; ").map((s) => s.kind), ["SetConfig", "ShowTables"]);
  });

  void it("parseDataType reads the same names as CAST", () => {
    assert.deepEqual(parseDataType("array<int>"), { kind: "array", elementType: { kind: "int" }, containsNull: true });
  });

  void it("a parser instance is not shared: parsing is re-entrant", () => {
    const a = parseQuery("SELECT (SELECT max(x) FROM u) FROM t");
    const b = parseQuery("SELECT (SELECT max(x) FROM u) FROM t");
    assert.deepEqual(JSON.stringify(a, (k, v: unknown) => (k === "id" ? undefined : v)), JSON.stringify(b, (k, v: unknown) => (k === "id" ? undefined : v)));
  });
});

void describe("SQL syntax errors", () => {
  void it("are ParseErrors with line, column and errorClass", () => {
    try {
      parseQuery("SELECT a\nFROM t\nWHERE a >");
      assert.fail("expected a ParseError");
    } catch (e) {
      assert.ok(e instanceof ParseError);
      assert.equal(e.line, 3);
      assert.equal(e.column, 10);
      assert.equal(e.errorClass, "PARSE_SYNTAX_ERROR");
      assert.match(e.message, /expected an expression/);
      // Spark's layout: a 0-based pos, the whole SQL, dashes up to the error and carets (three at the end of input).
      assert.match(e.message, /^\[PARSE_SYNTAX_ERROR\] .*\.\(line 3, pos 9\)\n\n== SQL ==\nSELECT a\nFROM t\nWHERE a >\n-{9}\^\^\^$/);
    }
  });

  void it("a failed parse leaves nothing behind for the next one", () => {
    assert.throws(() => parseQuery("SELECT sum(x) OVER w FROM t"), ParseError);
    assert.equal(parseQuery("SELECT sum(x) OVER (ORDER BY y) FROM t").kind, "Project");
  });

  void it("every public entry point throws ParseError on bad input", () => {
    assert.throws(() => parseStatement("DROP TABLE t"), ParseError);
    assert.throws(() => parseStatements("SELECT 1 SELECT 2"), ParseError);
    assert.throws(() => parseExpression("a +"), ParseError);
    assert.throws(() => parseDataType("array<"), ParseError);
    assert.throws(() => parseQuery("SET a=1"), ParseError);
  });
});
