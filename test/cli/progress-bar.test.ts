import assert from "node:assert/strict";
import { test } from "node:test";
import { Session } from "../../src/index.js";
import { ProgressBar } from "../../src/cli/progress-bar.js";

function output(isTTY: boolean): { text: string; isTTY: boolean; write(s: string): void } {
  return { text: "", isTTY, write(s: string) { this.text += s; } };
}

test("on a terminal the bar redraws one line with rows, rate and time, then erases it", () => {
  let t = 0;
  const out = output(true);
  const bar = new ProgressBar(out, () => t);
  t = 150; bar.rowsRead(1000);
  t = 200; bar.rowsRead(1000); // within 100 ms of the last draw: not redrawn
  t = 2000; bar.rowsRead(2000);
  bar.finish();
  const draws = out.text.split("\r\x1b[2K").filter((s) => s !== "");
  assert.equal(draws.length, 2);
  assert.match(draws[0]!, /1,000 rows · 0\.1 s · 6,667 rows\/s/);
  assert.match(draws[1]!, /4,000 rows · 2\.0 s · 2,000 rows\/s/);
  assert.ok(out.text.endsWith("\r\x1b[2K"), "the line is erased at the end");
});

test("in a log, short work prints nothing and long work prints plain lines", () => {
  let t = 0;
  const quiet = output(false);
  const a = new ProgressBar(quiet, () => t, 5000);
  t = 1000; a.rowsRead(10);
  a.finish();
  assert.equal(quiet.text, "");
  const loud = output(false);
  t = 0;
  const b = new ProgressBar(loud, () => t, 5000);
  t = 6000; b.rowsRead(600);
  t = 7000; b.finish();
  assert.deepEqual(loud.text.trim().split("\n"), ["progress: 600 rows · 6.0 s · 100 rows/s", "done: 600 rows · 7.0 s · 86 rows/s"]);
});

test("the engine reports every row it reads to the session's progress listener", async () => {
  const spark = Session.builder().create();
  let rows = 0;
  spark.progress = { rowsRead: (n) => (rows += n) };
  await spark.range(0, 50_000).filter("id % 2 = 0").count();
  assert.equal(rows, 50_000);
});
