import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCli as run } from "./cli-harness.js";



const dir = mkdtempSync(join(tmpdir(), "sluice-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("sluice sql prints a query result as show() does", async () => {
  const r = await run("sql", "SELECT 1 + 1 AS two, 'x' AS s");
  assert.equal(r.code, 0);
  assert.equal(r.out, "+---+---+\n|two|  s|\n+---+---+\n|  2|  x|\n+---+---+\n");
});

test("sluice sql queries files as tables", async () => {
  writeFileSync(join(dir, "words.json"), ['{"w":"a"}', '{"w":"b"}', '{"w":"a"}'].join("\n"));
  const r = await run("sql", `SELECT w, count(*) AS n FROM json.\`${join(dir, "words.json")}\` GROUP BY w ORDER BY n DESC, w`);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, "+---+---+\n|  w|  n|\n+---+---+\n|  a|  2|\n|  b|  1|\n+---+---+\n");
});

test("sluice sql -f runs a script and prints the last statement's result", async () => {
  const f = join(dir, "q.sql");
  writeFileSync(f, "CREATE TEMP VIEW v AS SELECT * FROM VALUES (1, 'a'), (2, 'b') AS t(id, name);\nSELECT name FROM v WHERE id = 2;\n");
  const r = await run("sql", "-f", f, "--json");
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, '{"name":"b"}\n');
});

test("sluice sql reports bad SQL with line, column and caret, and exits 1", async () => {
  const r = await run("sql", "SELECT a FROM");
  assert.equal(r.code, 1);
  assert.match(r.err, /line 1, pos \d+/);
  assert.match(r.err, /\^/);
  assert.equal(r.out, "");
});

test("an unknown flag is a clear error with a non-zero exit", async () => {
  const r = await run("sql", "--bogus", "SELECT 1");
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown option '--bogus'/);
});

test("--help lists the commands", async () => {
  const r = await run("--help");
  assert.equal(r.code, 0);
  assert.match(r.out, /sql \[options\] \[query\]/);
});
