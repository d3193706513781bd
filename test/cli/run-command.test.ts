/**
 * `sluice run pipeline.sql`: a streaming pipeline written in SQL (JSON file source with a
 * watermark → filter → windowed aggregate → Parquet sink), run with --available-now in-process,
 * continued from its checkpoint, stopped by SIGINT; and its one-line errors.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Capture, runCli as run } from "./cli-harness.js";
import { main } from "../../src/cli/main.js";
import { Session } from "../../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "sluice-run-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const input = join(dir, "in"), output = join(dir, "out"), ckpt = join(dir, "ckpt");
mkdirSync(input);
const pipeline = join(dir, "pipeline.sql");
writeFileSync(pipeline, `-- energy per kind and 10-minute window
SET sluice.sql.shuffle.partitions = 2;
CREATE TEMP VIEW readings (ts TIMESTAMP, kind STRING, v INT)
  USING json OPTIONS (path '${input}', watermark 'ts, 1 minute');
CREATE TEMP VIEW totals USING parquet OPTIONS (path '${output}');
INSERT INTO totals
SELECT window.start AS start, kind, sum(v) AS total, count(*) AS n
FROM readings
WHERE kind <> 'noise'
GROUP BY window(ts, '10 minutes'), kind;
`);
const line = (ts: string, kind: string, v: number): string => JSON.stringify({ ts, kind, v });

async function readTotals(): Promise<unknown[]> {
  const spark = Session.builder().create();
  const rows = await spark.read.parquet(output).orderBy("start", "kind").collect();
  return rows.map((r) => ({ ...r, start: (r["start"] as Date).toISOString() }));
}

test("sluice run --available-now runs a SQL pipeline to its end and writes the sink", async () => {
  writeFileSync(join(input, "1.json"), [line("2024-01-01T00:01:00Z", "a", 10), line("2024-01-01T00:05:00Z", "a", 5), line("2024-01-01T00:06:00Z", "noise", 1), line("2024-01-01T00:31:00Z", "b", 7)].join("\n"));
  const r = await run("run", pipeline, "--checkpoint", ckpt, "--available-now");
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /\[totals\] batch 0: 4 rows in \d+ ms/);
  assert.match(r.out, new RegExp(`totals: committed through batch \\d+; checkpoint ${join(ckpt, "totals")}`));
  assert.deepEqual(await readTotals(), [{ start: "2024-01-01T00:00:00.000Z", kind: "a", total: 15, n: 2 }]);
  // the progress log `sluice ui` reads back
  const logs = readdirSync(join(ckpt, "totals", "progress"));
  assert.equal(logs.length, 1);
  const events = readFileSync(join(ckpt, "totals", "progress", logs[0]!), "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { event: string }).event);
  assert.deepEqual([events[0], events.at(-1)], ["started", "terminated"]);
  assert.ok(events.includes("progress"));
});

test("a second run continues from the checkpoint: only new data, no duplicates", async () => {
  writeFileSync(join(input, "2.json"), line("2024-01-01T00:52:00Z", "b", 1));
  const r = await run("run", pipeline, "--checkpoint", ckpt, "--available-now", "--quiet");
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, "");
  assert.doesNotMatch(r.out, /batch 0;/);
  assert.deepEqual(await readTotals(), [
    { start: "2024-01-01T00:00:00.000Z", kind: "a", total: 15, n: 2 },
    { start: "2024-01-01T00:30:00.000Z", kind: "b", total: 7, n: 1 },
  ]);
  assert.equal(readdirSync(join(ckpt, "totals", "progress")).length, 2);
});

test("without a trigger flag it runs until SIGINT, then stops after the current batch and exits 0", async () => {
  const out = new Capture(), err = new Capture();
  const ended = main(["run", pipeline, "--checkpoint", ckpt], out, err);
  const deadline = Date.now() + 20_000;
  while (!err.text.includes("started totals") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.match(err.text, /started totals/);
  process.emit("SIGINT", "SIGINT");
  assert.equal(await ended, 0, err.text);
  assert.match(err.text, /SIGINT: stopping the query after the current batch/);
  assert.match(out.text, /totals: committed through batch \d+/);
});

test("several INSERTs run as several queries; sink options set outputMode; -c sets a session setting", async () => {
  const p = join(dir, "two.sql");
  const json = join(dir, "copy");
  writeFileSync(p, `CREATE TEMP VIEW src (ts TIMESTAMP, kind STRING, v INT) USING json OPTIONS (path '${input}');
CREATE TEMP VIEW copy USING json OPTIONS (path '${json}', checkpointLocation '${join(dir, "ckpt-copy")}');
CREATE TEMP VIEW counts USING console OPTIONS (outputMode 'complete', numRows '5');
CREATE TEMP VIEW kinds AS SELECT kind, v FROM src WHERE v > 1;
INSERT INTO copy (k, value) SELECT kind, v FROM kinds;
INSERT INTO counts SELECT kind, count(*) AS n FROM src GROUP BY kind;
`);
  const r = await run("run", p, "--once", "-c", "sluice.sql.shuffle.partitions=1");
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /started copy \(json, append, checkpoint .*ckpt-copy\)/);
  assert.match(r.err, /started counts \(console, complete/);
  const rows = await Session.builder().create().read.schema("k STRING, value INT").json(json).orderBy("k", "value").collect();
  assert.deepEqual(rows, [{ k: "a", value: 5 }, { k: "a", value: 10 }, { k: "b", value: 7 }]);
});

function pipelineFile(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

test("bad SQL: line, position and caret, exit 1", async () => {
  const r = await run("run", pipelineFile("bad.sql", `CREATE TEMP VIEW s USING rate;\nINSERT INTO o SELEC * FROM s;\n`));
  assert.equal(r.code, 1);
  assert.match(r.err, /^sluice run: \[PARSE_SYNTAX_ERROR\].*line 2, pos \d+/);
  assert.match(r.err, /\^/);
  assert.equal(r.out, "");
});

test("an unknown source or sink format is a one-line error, exit 1", async () => {
  const src = await run("run", pipelineFile("src.sql", `CREATE TEMP VIEW s USING nosuch OPTIONS (path '/x');\nCREATE TEMP VIEW o USING console;\nINSERT INTO o SELECT * FROM s;\n`));
  assert.equal(src.code, 1);
  assert.equal(src.err.trim().split("\n").length, 1, src.err);
  assert.match(src.err, /statement 1 \(CREATE TEMP VIEW s USING nosuch\).*Failed to find the streaming data source: nosuch/);
  const sink = await run("run", pipelineFile("sink.sql", `CREATE TEMP VIEW s USING rate;\nCREATE TEMP VIEW o USING nosuch;\nINSERT INTO o SELECT * FROM s;\n`));
  assert.equal(sink.code, 1);
  assert.equal(sink.err.trim().split("\n").length, 1, sink.err);
  assert.match(sink.err, /sink view `o` uses the format 'nosuch', which cannot be written by a stream/);
});

test("INSERT INTO an undeclared view, a pipeline without INSERT, a missing file: one-line errors, exit 1", async () => {
  const undeclared = await run("run", pipelineFile("undeclared.sql", `CREATE TEMP VIEW s USING rate;\nINSERT INTO nowhere SELECT * FROM s;\n`));
  assert.equal(undeclared.code, 1);
  assert.equal(undeclared.err, "sluice run: INSERT INTO `nowhere`: no sink view `nowhere` is declared before it; declare it first with CREATE TEMP VIEW nowhere USING <format> OPTIONS (path '...').\n");
  const none = await run("run", pipelineFile("none.sql", `CREATE TEMP VIEW s USING rate;\n`));
  assert.equal(none.code, 1);
  assert.match(none.err, /^sluice run: The pipeline has no INSERT INTO statement/);
  const missing = await run("run", join(dir, "missing.sql"));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /^sluice run: Cannot read the pipeline file .*missing\.sql/);
  const noCkpt = await run("run", pipelineFile("nockpt.sql", `CREATE TEMP VIEW s USING rate;\nCREATE TEMP VIEW o USING json OPTIONS (path '${join(dir, "o")}');\nINSERT INTO o SELECT * FROM s;\n`));
  assert.equal(noCkpt.code, 1);
  assert.match(noCkpt.err, /needs a checkpoint .*--checkpoint DIR/);
  assert.equal(existsSync(join(dir, "o")), false);
  const file = join(dir, "a-file");
  writeFileSync(file, "x");
  const unwritable = await run("run", pipeline, "--checkpoint", file, "--available-now");
  assert.equal(unwritable.code, 1);
  assert.match(unwritable.err, /^sluice run: Cannot use .*a-file\/totals as the checkpoint of totals: ENOTDIR; give a writable directory/);
});

test("a query failing at run time: its error on one line with the checkpoint to restart from, exit 1", async () => {
  const bad = join(dir, "bad-in");
  mkdirSync(bad);
  writeFileSync(join(bad, "1.json"), '{"x": "not a number"}\n');
  const c = join(dir, "ckpt-fail");
  const f = pipelineFile("fail.sql", `SET sluice.sql.ansi.enabled = true;
CREATE TEMP VIEW s (x STRING) USING json OPTIONS (path '${bad}');
CREATE TEMP VIEW o USING console;
INSERT INTO o SELECT CAST(x AS INT) AS n FROM s;
`);
  const r = await run("run", f, "--checkpoint", c, "--available-now", "-q");
  assert.equal(r.code, 1);
  assert.match(r.err, new RegExp(`^sluice run: query o failed: .*\\(restart from checkpoint ${join(c, "o")}\\)\\n$`));
});

test("unknown flag and conflicting triggers: clear message, non-zero exit; --help documents the pipeline", async () => {
  const flag = await run("run", pipeline, "--bogus");
  assert.equal(flag.code, 2);
  assert.match(flag.err, /unknown option '--bogus'/);
  const both = await run("run", pipeline, "--once", "--available-now");
  assert.equal(both.code, 1);
  assert.match(both.err, /--once and --available-now cannot be used together/);
  const help = await run("run", "--help");
  assert.equal(help.code, 0);
  assert.match(help.out, /INSERT INTO counts SELECT/);
});
