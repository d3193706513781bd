/**
 * `sluice ui DIR...`: the web UI's JSON API over finished queries, read back from the progress
 * log `sluice run` keeps in the checkpoint, or reconstructed from a bare checkpoint; bad input.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { after, before, test } from "node:test";
import { Capture, runCli as run } from "./cli-harness.js";
import { main } from "../../src/cli/main.js";
import { Session } from "../../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "sluice-ui-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const root = join(dir, "ckpt"), bare = join(dir, "bare");

before(async () => {
  const input = join(dir, "in");
  mkdirSync(input);
  writeFileSync(join(input, "1.json"), '{"k":"a","v":1}\n{"k":"b","v":2}\n{"k":"a","v":3}\n');
  const pipeline = join(dir, "p.sql");
  writeFileSync(pipeline, `CREATE TEMP VIEW src (k STRING, v INT) USING json OPTIONS (path '${input}');
CREATE TEMP VIEW big USING json OPTIONS (path '${join(dir, "out")}');
INSERT INTO big SELECT k, v FROM src WHERE v > 1;
`);
  const r = await run("run", pipeline, "--checkpoint", root, "--available-now", "-q");
  assert.equal(r.code, 0, r.err);
  // a checkpoint written by the API, without a progress log
  const spark = Session.builder().create();
  const q = await spark.readStream.schema("k STRING, v INT").json(input).writeStream.format("memory").queryName("ui_cli_bare").option("checkpointLocation", bare).start();
  await q.processAllAvailable();
  await q.stop();
});

/** Starts `sluice ui ...` in-process; returns its URL and a function that stops it (SIGINT) and resolves with the exit code. */
async function startUi(...args: string[]): Promise<{ url: string; stop: () => Promise<number>; out: Capture }> {
  const out = new Capture(), err = new Capture();
  const ended = main(["ui", ...args, "--port", "0"], out, err);
  let code: number | null = null;
  void ended.then((c) => (code = c));
  const deadline = Date.now() + 30_000;
  while (!/http:\/\/\S+/.test(out.text) && code === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const url = /http:\/\/\S+/.exec(out.text)?.[0];
  assert.ok(url, `no URL printed; stderr: ${err.text}`);
  return {
    url,
    out,
    stop: async () => {
      process.emit("SIGINT", "SIGINT");
      return ended;
    },
  };
}

test("sluice ui serves /api/v1/queries for the runs in a checkpoint root's progress logs", async () => {
  const ui = await startUi(root);
  try {
    assert.match(ui.out.text, /^Sluice UI at http:\/\/127\.0\.0\.1:\d+\/ \(1 run from 1 checkpoint\); Ctrl-C to stop\n$/);
    const res = await fetch(new URL("api/v1/queries", ui.url));
    assert.equal(res.status, 200);
    const queries = (await res.json()) as { name: string; status: string; batches: number; inputRowsTotal: number; runId: string }[];
    assert.equal(queries.length, 1);
    assert.equal(queries[0]!.name, "big");
    assert.equal(queries[0]!.status, "finished");
    assert.ok(queries[0]!.batches >= 1);
    assert.equal(queries[0]!.inputRowsTotal, 3);
    const detail = (await (await fetch(new URL(`api/v1/queries/${queries[0]!.runId}`, ui.url))).json()) as { plan: string | null; lastProgress: { numInputRows: number } | null };
    assert.match(detail.plan ?? "", /Logical Plan/);
    const progress = (await (await fetch(new URL(`api/v1/queries/${queries[0]!.runId}/progress`, ui.url))).json()) as { batchId: number }[];
    assert.equal(progress[0]!.batchId, 0);
    const bad = await fetch(new URL("api/v1/queries/no%20such", ui.url));
    assert.equal(bad.status, 400);
  } finally {
    assert.equal(await ui.stop(), 0);
  }
});

test("a checkpoint without a progress log is shown from its offset and commit logs", async () => {
  const ui = await startUi(bare, join(root, "big"));
  try {
    const queries = (await (await fetch(new URL("api/v1/queries", ui.url))).json()) as { name: string; status: string; lastBatchId: number | null }[];
    assert.deepEqual(queries.map((q) => q.name).sort(), ["bare", "big"]);
    const b = queries.find((q) => q.name === "bare")!;
    assert.equal(b.status, "finished");
    assert.equal(b.lastBatchId, 0);
  } finally {
    assert.equal(await ui.stop(), 0);
  }
});

test("bad input: not a checkpoint, a bad port, an unknown flag — clear message, non-zero exit", async () => {
  const none = await run("ui", join(dir, "missing"));
  assert.equal(none.code, 1);
  assert.match(none.err, /^sluice ui: No checkpoint directory at .*missing\.\n$/);
  const notCkpt = await run("ui", join(dir, "in"));
  assert.equal(notCkpt.code, 1);
  assert.match(notCkpt.err, /is not a streaming checkpoint/);
  const port = await run("ui", root, "--port", "99999");
  assert.equal(port.code, 1);
  assert.match(port.err, /--port must be a port number/);
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
  try {
    const inUse = await run("ui", root, "--port", String((busy.address() as { port: number }).port));
    assert.equal(inUse.code, 1);
    assert.match(inUse.err, /^sluice ui: Cannot start the Sluice UI: port \d+ is in use/);
  } finally {
    busy.close();
  }
  const flag = await run("ui", root, "--bogus");
  assert.equal(flag.code, 2);
  assert.match(flag.err, /unknown option '--bogus'/);
});
