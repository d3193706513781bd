import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { FIELD_SCANNER_OPTION } from "../../../src/connectors/json/json-reader.js";
import type { SourceFilter } from "../../../src/connectors/source-filter.js";
import { type ReadResult, readSource, tempDir, writeText } from "../helpers.js";

// The JSON reader's field scanner (json-field-scanner.ts) must give exactly what the general path
// (JSON.parse or the lenient parser, then the converters) gives: every file here is read both
// ways and compared, rows or error.

const { dir, cleanup } = tempDir();
after(cleanup);
let n = 0;

async function readBoth(
  text: string,
  schema: string,
  options: Record<string, string> = {},
): Promise<{ fast: unknown; general: unknown }> {
  const d = `${dir}/case${n++}`;
  writeText(`${d}/a.json`, text);
  const read = async (scanner: boolean): Promise<unknown> => {
    try {
      return (
        await readSource(
          "json",
          d,
          {
            ...options,
            ...(scanner ? {} : { [FIELD_SCANNER_OPTION]: "false" }),
          },
          { schema },
        )
      ).rows;
    } catch (e) {
      return { error: (e as Error).message };
    }
  };
  return { fast: await read(true), general: await read(false) };
}

async function same(
  text: string,
  schema: string,
  options: Record<string, string> = {},
): Promise<unknown> {
  const { fast, general } = await readBoth(text, schema, options);
  assert.deepEqual(
    fast,
    general,
    `scanner and general path differ on ${JSON.stringify(text)} (${schema}, ${JSON.stringify(options)})`,
  );
  return fast;
}

const SCHEMA =
  "s string, l bigint, i int, d double, b boolean, _corrupt_record string";

const TRICKY = [
  '{"s":"plain","l":1,"i":2,"d":1.5,"b":true}',
  '{"s":"esc \\" \\\\ \\/ \\b \\f \\n \\r \\t end"}',
  '{"s":"\\u0041\\u00e9\\u4e2d\\ud83d\\ude00 lone \\ud800 x"}',
  '{"s":"bad \\x escape"}',
  '{"s":"bad \\u12 escape"}',
  '{"s":"unicode é 中 😀 raw"}',
  '{"s":"tab\tinside"}',
  '{"s":123,"l":"123","i":"7","d":"1.5","b":"true"}',
  '{"s":12345678901234567890}',
  '{"s":1.0,"l":1.0,"i":1e2,"d":-0}',
  '{"l":9007199254740993,"i":2147483648}',
  '{"l":-9223372036854775808}',
  '{"l":9223372036854775808}',
  '{"d":1e400,"l":1e300}',
  '{"d":0.1234567890123456789,"l":-0}',
  '{"d":NaN}',
  '{"d":"Infinity","l":01}',
  '{"s":"missing others"}',
  '{"x":1,"y":[1,{"z":"\\n"}],"s":"extra","w":{"a":{"b":[true,false,null]}}}',
  '{"s":"first","s":"last","l":1,"l":null}',
  '{"s":null,"l":null,"i":null,"d":null,"b":null}',
  '   {  "s" : "spaces" , "l" : 5  }   ',
  '\t{"s":"tabs around"}\t',
  "{}",
  "{ }",
  '[{"s":"array row 1"},{"s":"array row 2"}]',
  "[]",
  '"just a string"',
  "42",
  "null",
  '{"s":"unterminated}',
  '{"s":"x",}',
  '{"s":"x"',
  '{"s":"x"} trailing',
  "{'s':'single quotes'}",
  '{s:"unquoted"}',
  '{"s":"x" /* comment */}',
  '{"s":"x","n":[1,2,}',
  '{"s":"x","n":{"k":}}',
  '{"s":"x","n":tru}',
  '{"s":"x","n":nul}',
  '{"s":"x","n":-}',
  '{"s":"x","n":1.}',
  '{"s":"x","n":.5}',
  '{"s":"x","n":1e}',
  '{"s":"x","n":+1}',
  '{"\\u0073":"escaped key"}',
  '{"_corrupt_record":"not me","s":"y"}',
  '{"s":[1,2]}',
  '{"s":{"a":1}}',
  '{"b":1}',
  '{"i":3.5}',
  '{"__proto__":"p","s":"q"}',
  '{"s":"' + "deep" + '","n":' + "[".repeat(80) + "]".repeat(80) + "}",
];

void describe("JSON field scanner = general path", () => {
  // A file whose text is all ASCII is scanned as decoded text, others as bytes: test both.
  const ASCII = TRICKY.filter((l) => /^[\x00-\x7f]*$/.test(l));

  void it("on tricky lines, in PERMISSIVE, DROPMALFORMED and FAILFAST modes", async () => {
    for (const text of [TRICKY.join("\n") + "\n", ASCII.join("\n") + "\n"]) {
      const rows = (await same(text, SCHEMA)) as Record<string, unknown>[];
      assert.equal(rows[0]!.s, "plain");
      await same(text, SCHEMA, { mode: "DROPMALFORMED" });
      await same(text, SCHEMA, { mode: "FAILFAST" });
    }
    for (const line of TRICKY) {
      await same(line + "\n", SCHEMA, { mode: "FAILFAST" });
      await same(line, "s string, l bigint");
    }
  });

  void it("with a renamed corrupt-record column, a pruned schema and the lenient options off", async () => {
    for (const text of [TRICKY.join("\n") + "\n", ASCII.join("\n") + "\n"]) {
      await same(text, "d double, bad string, s string", {
        columnNameOfCorruptRecord: "bad",
      });
      await same(text, "s string");
      await same(text, "l bigint, b boolean", {
        allowSingleQuotes: "false",
        allowNonNumericNumbers: "false",
      });
    }
  });

  void it("on blank lines, CRLF, a lone CR, a byte order mark and a last line without newline", async () => {
    const lines = ['{"s":"a"}', "", "   ", '{"s":"b","l":2}', "\t", '{"s":"c"'];
    await same(lines.join("\n"), SCHEMA);
    await same(lines.join("\r\n") + "\r\n", SCHEMA);
    await same(lines.join("\r\n") + "\r\n", SCHEMA, { mode: "FAILFAST" });
    await same(lines.join("\n").replace('"b"', '"b\r"'), SCHEMA, {
      mode: "FAILFAST",
    });
    await same('{"s":"a"}\r{"s":"b"}\n{"s":"c\n', SCHEMA, { mode: "FAILFAST" });
    await same('\ufeff{"s":"bom"}\n{"s":"x"}\n', SCHEMA);
  });

  void it("names the file and line of a malformed record in FAILFAST, past many good lines", async () => {
    // Several chunks of lines (json-reader.ts SCAN_CHUNK), the non-ASCII ones read as bytes.
    const lines = Array.from({ length: 5000 }, (_, k) =>
      JSON.stringify({
        s: `row ${k} ${k > 3000 && k < 3100 ? "é" : "e"}`.repeat(k % 7),
        l: k,
      }),
    );
    lines[4321] = '{"s":"broken';
    const { fast } = await readBoth(lines.join("\n") + "\n", SCHEMA, {
      mode: "FAILFAST",
    });
    assert.match((fast as { error: string }).error, /line 4322: \{"s":"broken/);
    await same(lines.join("\n") + "\n", SCHEMA, { mode: "FAILFAST" });
    await same(lines.join("\n") + "\n", SCHEMA);
  });

  void it("skips the scanned rows pushed filters reject, and only those", async () => {
    const lines = ['{"s":"view","l":1}', '{"s":"click","l":2}', '{"s":null,"l":3}', '{"l":4}', '{"s":"view","l":"bad"}', "{broken", '{"s":"view\\u0021","l":5}', '{"s":"view","l":6,"b":true}'];
    const d = `${dir}/case${n++}`;
    writeText(`${d}/a.json`, lines.join("\n") + "\n");
    const filters: SourceFilter[] = [{ op: "=", column: "s", value: "view" }, { op: "isNotNull", column: "l" }];
    const read = async (scanner: boolean): Promise<ReadResult> =>
      readSource("json", d, scanner ? {} : { [FIELD_SCANNER_OPTION]: "false" }, { schema: SCHEMA, filters });
    const fast = await read(true), general = await read(false);
    const pass = (r: Record<string, unknown>): boolean => r.s === "view" && r.l !== null;
    assert.deepEqual(fast.rows.filter(pass), general.rows.filter(pass));
    assert.deepEqual(fast.rows.map((r) => r.l), [1, null, null, 6]);
    assert.equal(fast.metrics.rowsDecoded, general.metrics.rowsDecoded);
  });

  void it("reads the string columns a pushed filter does not test only for the rows it keeps, with the same values (property)", async () => {
    const schema = "s string, t string, l bigint, u string";
    const filters: SourceFilter[] = [{ op: "=", column: "s", value: "view" }];
    const s = fc.constantFrom('"view"', '"click"', '"vi\\u0065w"', "null", '"view"');
    // All-ASCII files are scanned as decoded text, others as bytes.
    const t = (ascii: boolean): fc.Arbitrary<string> => fc.oneof(fc.string({ unit: ascii ? "grapheme-ascii" : "grapheme", maxLength: 6 }).map((x) => JSON.stringify(x)), fc.constantFrom('"a\\"b"', "12", "1.5", "true", "null", "[1]", '{"k":"v"}', '"tab\there"', ascii ? '"\\u00e9"' : '"é中"'));
    const line = (ascii: boolean): fc.Arbitrary<string> => fc.tuple(s, t(ascii), t(ascii), fc.integer({ min: -5, max: 5 }), fc.boolean(), fc.nat(9)).map(([sv, tv, uv, l, dup, broken]) => {
      const fields = [`"t":${tv}`, `"s":${sv}`, `"l":${l}`, `"u":${uv}`];
      if (dup) fields.push(`"t":${uv}`);
      return `{${fields.join(",")}${broken === 0 ? "" : "}"}`;
    });
    let d = 0;
    await fc.assert(
      fc.asyncProperty(fc.boolean().chain((ascii) => fc.array(line(ascii), { minLength: 1, maxLength: 30 })), fc.constantFrom("PERMISSIVE", "DROPMALFORMED"), async (lines, mode) => {
        const at = `${dir}/lazy${d++}`;
        writeText(`${at}/a.json`, lines.join("\n") + "\n");
        const read = (scanner: boolean): Promise<ReadResult> => readSource("json", at, { mode, ...(scanner ? {} : { [FIELD_SCANNER_OPTION]: "false" }) }, { schema, filters });
        const fast = await read(true), general = await read(false);
        const pass = (r: Record<string, unknown>): boolean => r.s === "view";
        assert.deepEqual(fast.rows.filter(pass), general.rows.filter(pass));
      }),
      { numRuns: 150 },
    );
  });

  void it("on a file of many chunks, with escapes and control characters at every alignment and beyond a chunk's end", async () => {
    // Over 60,000 bytes (a scan chunk) several times; a special character in each of four byte
    // positions of a word, some lines with none, so the search for the next one runs across words
    // and stops at its chunk's end.
    const lines: string[] = [];
    for (let i = 0; lines.join("\n").length < 200_000; i++) {
      const pad = "x".repeat(i % 7);
      if (i % 50 === 3) lines.push(`{"s":"${pad}a\\"b","l":${i}}`);
      else if (i % 50 === 17) lines.push(`{"s":"${pad}tab\there","l":${i}}`);
      else if (i % 50 === 29) lines.push(`{"s":"${pad}ctl\u0001x","l":${i}}`);
      else lines.push(`{"s":"${pad}plain ${i}","l":${i},"x":"${"y".repeat(i % 13)}"}`);
    }
    const rows = (await same(lines.join("\n") + "\n", SCHEMA)) as { s: string | null }[];
    assert.equal(rows.length, lines.length);
    assert.equal(rows.filter((r) => r.s?.includes("\t")).length, lines.filter((l) => l.includes("tab")).length, "tabs read");
  });

  void it("on random records (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .boolean()
          .chain((ascii) =>
            fc.array(randomLine(ascii), { minLength: 1, maxLength: 12 }),
          ),
        fc.constantFrom("\n", "\r\n"),
        fc.constantFrom("PERMISSIVE", "DROPMALFORMED", "FAILFAST"),
        async (lines, sep, mode) => {
          await same(lines.join(sep) + sep, SCHEMA, { mode });
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** A JSON-ish line: mostly records of the schema's fields and others, some malformed; only ASCII characters when `ascii`. */
function randomLine(ascii: boolean): fc.Arbitrary<string> {
  const key = fc.constantFrom(
    "s",
    "l",
    "i",
    "d",
    "b",
    "x",
    "ss",
    "S",
    "_corrupt_record",
    "\\u0073",
    ascii ? "\\u00e9" : "é",
  );
  const str = fc.oneof(
    fc
      .string({ unit: ascii ? "grapheme-ascii" : "grapheme", maxLength: 8 })
      .map((x) => JSON.stringify(x)),
    fc.constantFrom(
      '"a\\"b"',
      '"\\u00e9\\n"',
      '"\\ud83d\\ude00"',
      '"bad\\q"',
      '"tab\there"',
      '"1.5"',
      '"true"',
    ),
  );
  const num = fc.oneof(
    fc.integer().map(String),
    fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .map((x) => JSON.stringify(x)),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
    fc.constantFrom(
      "-0",
      "1e5",
      "1E+2",
      "2.50",
      "01",
      "1.",
      "-",
      "NaN",
      "Infinity",
    ),
  );
  const scalar = fc.oneof(
    str,
    num,
    fc.constantFrom("true", "false", "null", "tru", "nulll"),
  );
  const value = fc.oneof(
    { weight: 5, arbitrary: scalar },
    {
      weight: 1,
      arbitrary: fc
        .array(scalar, { maxLength: 3 })
        .map((a) => `[${a.join(",")}]`),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.tuple(key, scalar), { maxLength: 2 })
        .map((kv) => `{${kv.map(([k, v]) => `"${k}":${v}`).join(",")}}`),
    },
  );
  // Mostly a value the column takes, so that most records are the scanner's to read.
  const typed: Record<string, fc.Arbitrary<string>> = {
    s: str,
    l: fc.oneof(
      fc.integer().map(String),
      fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String),
    ),
    i: fc.integer().map(String),
    d: fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .map((x) => JSON.stringify(x)),
    b: fc.boolean().map(String),
  };
  const field = key.chain((k) =>
    fc.tuple(
      fc.constant(k),
      typed[k]
        ? fc.oneof(
            { weight: 6, arbitrary: typed[k] },
            { weight: 1, arbitrary: value },
          )
        : value,
    ),
  );
  const ws = fc.constantFrom("", "", "", "", "", "", " ", "  ", "\t");
  const record = fc
    .tuple(fc.array(fc.tuple(ws, field, ws, ws), { maxLength: 6 }), ws)
    .map(
      ([fields, w]) =>
        `${w}{${fields.map(([a, [k, v], b, c]) => `${a}"${k}"${b}:${c}${v}`).join(",")}}${w}`,
    );
  return fc.oneof(
    { weight: 8, arbitrary: record },
    {
      weight: 1,
      arbitrary: record.chain((r) =>
        fc.nat(r.length).map((k) => r.slice(0, k)),
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom("", "[", "{}", "[{}]") },
  );
}
