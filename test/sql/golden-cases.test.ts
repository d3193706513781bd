/**
 * SQL behaviour as data: every file in test/sql/cases/*.txt is a list of cases
 *
 *   === <kind>: <title>
 *   <SQL text>
 *   ---
 *   <expected tree text, or the full error message>
 *
 * where <kind> is `query`, `expr`, `statement`, `script`, `type`, or `error <query|expr|statement|type>`.
 * Lines before the first case and lines starting with `#` right after a header are comments.
 * Run with SLUICE_UPDATE_GOLDEN=1 to rewrite the expected parts from the current output (then review the diff).
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ParseError } from "../../src/errors/errors.js";
import { parseDataType, parseExpression, parseQuery, parseStatement, parseStatements } from "../../src/sql/index.js";
import { simpleString } from "../../src/types/data-type.js";
import { exprText, planText, statementText } from "./tree-text.js";

const dir = join(import.meta.dirname, "cases");
const update = process.env.SLUICE_UPDATE_GOLDEN === "1";

interface Case { header: string; kind: string; title: string; sql: string; expected: string }

function parseCases(text: string): { preamble: string; cases: Case[] } {
  const blocks = text.split(/^(?==== )/m);
  const preamble = blocks[0]!.startsWith("=== ") ? "" : blocks.shift()!;
  const cases = blocks.map((b) => {
    const nl = b.indexOf("\n");
    const header = b.slice(0, nl);
    const body = b.slice(nl + 1);
    const sep = body.search(/^---$/m);
    if (sep < 0) throw new Error(`case '${header}' has no --- line`);
    const m = /^=== ([a-z ]+?)(?::\s*(.*))?$/.exec(header);
    if (!m) throw new Error(`bad case header '${header}'`);
    const sql = body.slice(0, sep).split("\n").filter((l) => !l.startsWith("#")).join("\n").replace(/\n+$/, "");
    return { header, kind: m[1]!, title: m[2] ?? "", sql, expected: body.slice(sep + 4).replace(/\s+$/, "") };
  });
  return { preamble, cases };
}

function run(kind: string, sql: string): string {
  switch (kind) {
    case "query": return planText(parseQuery(sql));
    case "expr": return exprText(parseExpression(sql));
    case "statement": return statementText(parseStatement(sql));
    case "script": return parseStatements(sql).map(statementText).join("\n;\n");
    case "type": return simpleString(parseDataType(sql));
    default: {
      const m = /^error (query|expr|statement|type)$/.exec(kind);
      if (!m) throw new Error(`unknown case kind '${kind}'`);
      try {
        run(m[1]!, sql);
      } catch (e) {
        if (e instanceof ParseError) return e.message;
        throw e;
      }
      return "(no error)";
    }
  }
}

for (const file of readdirSync(dir).filter((f) => f.endsWith(".txt")).sort()) {
  const path = join(dir, file);
  const original = readFileSync(path, "utf8");
  const { preamble, cases } = parseCases(original);
  void describe(`sql cases: ${file}`, () => {
    const outputs: string[] = [];
    for (const c of cases) {
      let actual: string;
      try {
        actual = run(c.kind, c.sql);
      } catch (e) {
        actual = `(threw) ${e instanceof Error ? e.message : String(e)}`;
      }
      outputs.push(actual);
      void it(`${c.kind}: ${c.title || c.sql.split("\n")[0]}`, () => {
        if (!update) assert.equal(actual, c.expected, `SQL:\n${c.sql}`);
      });
    }
    if (update) {
      const rebuilt = preamble + cases.map((c, i) => {
        const rawBody = original.split(c.header + "\n")[1]!;
        const sqlPart = rawBody.slice(0, rawBody.search(/^---$/m));
        return `${c.header}\n${sqlPart}---\n${outputs[i]}\n\n`;
      }).join("");
      writeFileSync(path, rebuilt.replace(/\n+$/, "\n"));
    }
  });
}
