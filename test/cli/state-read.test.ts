/**
 * `sluice state read` and `sluice state operators` over the checkpoint of a real streaming word
 * count: the table as show() prints it, JSON lines, options, --help, and one-line errors.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runCli as run } from "./cli-harness.js";
import { Session } from "../../src/index.js";


const dir = mkdtempSync(join(tmpdir(), "sluice-state-cli-"));
const ckpt = join(dir, "ckpt");
after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  const spark = Session.builder().create();
  const input = spark.memoryStream("word STRING");
  const q = await input.toDF().groupBy("word").count().writeStream.format("memory").queryName("state_cli_wc").outputMode("complete").option("checkpointLocation", ckpt).start();
  for (const words of [["apple", "pear", "apple"], ["apple", "fig"]]) {
    input.addData(words.map((word) => ({ word })));
    await q.processAllAvailable();
  }
  await q.stop();
});

// The three words hash to state partition 3 of 4: Spark's pmod(hash(word), 4), which
// `SELECT pmod(hash('apple'), 4)` shows.
test("state read prints the operator's state as show() does", async () => {
  const r = await run("state", "read", ckpt);
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    [
      "State of operator 0 (stateStoreSave) at batch 1: 3 rows in 4 partitions",
      "+-------+-----+------------+",
      "|key    |value|partition_id|",
      "+-------+-----+------------+",
      "|{apple}|{3}  |3           |",
      "|{fig}  |{1}  |3           |",
      "|{pear} |{1}  |3           |",
      "+-------+-----+------------+",
      "",
    ].join("\n"),
  );
});

test("state read --batch, -n, --json", async () => {
  const first = await run("state", "read", ckpt, "--batch", "0");
  assert.equal(first.code, 0, first.err);
  assert.match(first.out, /^State of operator 0 \(stateStoreSave\) at batch 0: 2 rows in 4 partitions\n/);
  assert.match(first.out, /\|\{apple\}\|\{2\}  \|3 +\|/);
  assert.doesNotMatch(first.out, /fig/);

  const one = await run("state", "read", ckpt, "-n", "1");
  assert.match(one.out, /only showing top 1 row\n$/);

  const json = await run("state", "read", ckpt, "--json");
  assert.equal(json.code, 0, json.err);
  assert.deepEqual(json.out.trim().split("\n").map((l) => JSON.parse(l) as unknown), [
    { key: { word: "apple" }, value: { "count(1)": 3 }, partition_id: 3 },
    { key: { word: "fig" }, value: { "count(1)": 1 }, partition_id: 3 },
    { key: { word: "pear" }, value: { "count(1)": 1 }, partition_id: 3 },
  ]);
  const json1 = await run("state", "read", ckpt, "--json", "--batch", "0", "-n", "1");
  assert.deepEqual(json1.out.trim().split("\n").map((l) => JSON.parse(l) as unknown), [{ key: { word: "apple" }, value: { "count(1)": 2 }, partition_id: 3 }]);
});

test("state operators lists the stateful operators", async () => {
  const r = await run("state", "operators", ckpt);
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    [
      "+----------+--------------+--------------+-------------+----------+----------+-----------+-----------------+",
      "|operatorId|operatorName  |stateStoreName|numPartitions|minBatchId|maxBatchId|keySchema  |valueSchema      |",
      "+----------+--------------+--------------+-------------+----------+----------+-----------+-----------------+",
      "|0         |stateStoreSave|default       |4            |0         |1         |word STRING|`count(1)` BIGINT|",
      "+----------+--------------+--------------+-------------+----------+----------+-----------+-----------------+",
      "",
    ].join("\n"),
  );
  const json = await run("state", "operators", ckpt, "--json");
  assert.deepEqual(JSON.parse(json.out) as unknown, {
    operatorId: 0, operatorName: "stateStoreSave", stateStoreName: "default", numPartitions: 4, minBatchId: 0, maxBatchId: 1,
    keyColumns: ["word"], keySchema: "word STRING", valueSchema: "`count(1)` BIGINT",
  });
});

test("--help on both commands", async () => {
  const read = await run("state", "read", "--help");
  assert.equal(read.code, 0);
  assert.match(read.out, /Usage: sluice state read \[options\] <dir>/);
  assert.match(read.out, /--operator <n>/);
  assert.match(read.out, /--batch <b>/);
  assert.match(read.out, /--json/);
  const ops = await run("state", "operators", "--help");
  assert.equal(ops.code, 0);
  assert.match(ops.out, /Usage: sluice state operators \[options\] <dir>/);
  const state = await run("state", "--help");
  assert.match(state.out, /read \[options\] <dir>/);
  assert.match(state.out, /operators \[options\] <dir>/);
});

test("errors are one clear line and exit 1", async () => {
  const cases: [string[], RegExp][] = [
    [["state", "read", ckpt, "--operator", "5"], /^sluice state read: The checkpoint at .* has no stateful operator 5: the checkpoint has operator 0 \(stateStoreSave\)\.\n$/],
    [["state", "read", ckpt, "--batch", "9"], /^sluice state read: Batch 9 is not committed in the checkpoint at .* \(committed batches: 0\.\.1\); .*\n$/],
    [["state", "read", ckpt, "--batch", "-1"], /^sluice state read: --batch must be a non-negative integer, got '-1'\.\n$/],
    [["state", "read", ckpt, "-n", "0"], /^sluice state read: --num-rows must be a positive integer, got '0'\.\n$/],
    [["state", "read", join(dir, "nope")], /^sluice state read: No checkpoint directory at .*nope\.\n$/],
    [["state", "operators", join(dir, "nope")], /^sluice state operators: No checkpoint directory at .*nope\.\n$/],
  ];
  for (const [args, message] of cases) {
    const r = await run(...args);
    assert.equal(r.code, 1, args.join(" "));
    assert.equal(r.out, "");
    assert.match(r.err, message);
  }
  const unknown = await run("state", "read", ckpt, "--bogus");
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.err, /unknown option '--bogus'/);
});
