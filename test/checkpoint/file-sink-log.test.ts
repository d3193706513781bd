import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import { CheckpointError } from "../../src/checkpoint/checkpoint-error.js";
import { FILE_SINK_METADATA_DIR, FileSinkLog, type FileSinkLogOptions, committedSinkFiles } from "../../src/checkpoint/file-sink-log.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-file-sink-log-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(root, `out-${n++}`);

const entry = (batch: number) => [{ path: `part-${batch}.json`, size: 10 + batch, modificationTime: 1000 + batch }];
const names = (out: string): string[] => fs.readdirSync(path.join(out, FILE_SINK_METADATA_DIR)).filter((f) => !f.startsWith(".")).sort((a, b) => parseInt(a) - parseInt(b) || a.localeCompare(b));
const files = (out: string, batches: readonly number[]): string[] => batches.map((b) => path.join(out, `part-${b}.json`));
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function write(out: string, opts: FileSinkLogOptions, batches: readonly number[]): FileSinkLog {
  const log = new FileSinkLog(out, opts);
  log.fsync = false;
  for (const b of batches) assert.equal(log.add(b, entry(b)), true, `batch ${b} written`);
  return log;
}

void describe("FileSinkLog compaction (Spark's FileStreamSinkLog)", () => {
  void it("every compactInterval batches writes N.compact with every file so far and deletes what it covers", () => {
    const out = fresh();
    const log = write(out, { compactInterval: 3, cleanupDelayMs: 0, deletion: true }, range(0, 1));
    assert.deepEqual(names(out), ["0", "1"]);
    log.add(2, entry(2));
    assert.deepEqual(names(out), ["2.compact"]);
    for (const b of range(3, 7)) log.add(b, entry(b));
    assert.deepEqual(names(out), ["5.compact", "6", "7"]);
    const compact = fs.readFileSync(path.join(out, FILE_SINK_METADATA_DIR, "5.compact"), "utf8").split("\n");
    assert.equal(compact[0], "v1");
    assert.deepEqual((JSON.parse(compact[1]!) as { path: string }[]).map((e) => e.path), range(0, 5).map((b) => `part-${b}.json`));
    assert.deepEqual(log.allFiles(), files(out, range(0, 7)));
    assert.deepEqual(committedSinkFiles(out), files(out, range(0, 7)));
    assert.equal(log.latestBatchId(), 7);
  });

  void it("keeps covered entries until they are older than cleanupDelay, and reads each file once meanwhile", () => {
    const out = fresh();
    const log = write(out, { compactInterval: 2, cleanupDelayMs: 60_000, deletion: true }, range(0, 4));
    assert.deepEqual(names(out), ["0", "1.compact", "2", "3.compact", "4"]);
    assert.deepEqual(log.allFiles(), files(out, range(0, 4)));
    // Age the covered entries past the delay: the next commit deletes them.
    const old = (Date.now() - 120_000) / 1000;
    for (const f of ["0", "1.compact", "2"]) fs.utimesSync(path.join(out, FILE_SINK_METADATA_DIR, f), old, old);
    log.add(5, entry(5));
    assert.deepEqual(names(out), ["3.compact", "4", "5.compact"]);
    assert.deepEqual(log.allFiles(), files(out, range(0, 5)));
  });

  void it("deletion=false keeps every entry", () => {
    const out = fresh();
    write(out, { compactInterval: 2, cleanupDelayMs: 0, deletion: false }, range(0, 3));
    assert.deepEqual(names(out), ["0", "1.compact", "2", "3.compact"]);
    assert.deepEqual(committedSinkFiles(out), files(out, range(0, 3)));
  });

  void it("a batch at or below the latest (also one inside a compaction) is not written again", () => {
    const out = fresh();
    const log = write(out, { compactInterval: 3, cleanupDelayMs: 0, deletion: true }, range(0, 3));
    assert.equal(log.add(1, entry(99)), false);
    assert.equal(log.add(3, entry(99)), false);
    assert.deepEqual(log.allFiles(), files(out, range(0, 3)));
  });

  void it("a changed interval (a restart with another setting) still merges the latest compaction", () => {
    const out = fresh();
    write(out, { compactInterval: 3, cleanupDelayMs: 0, deletion: true }, range(0, 4));
    assert.deepEqual(names(out), ["2.compact", "3", "4"]);
    const log = write(out, { compactInterval: 5, cleanupDelayMs: 0, deletion: true }, range(5, 10));
    assert.deepEqual(names(out), ["9.compact", "10"]);
    assert.deepEqual(log.allFiles(), files(out, range(0, 10)));
  });

  void it("a manifest written before compaction existed (entries only) reads as before", () => {
    const out = fresh();
    write(out, { compactInterval: 1000, cleanupDelayMs: 0, deletion: true }, range(0, 4));
    assert.deepEqual(new FileSinkLog(out).allFiles(), files(out, range(0, 4)));
  });

  void it("a missing entry after the latest compaction is an error naming the manifest, never a silent gap", () => {
    const out = fresh();
    write(out, { compactInterval: 3, cleanupDelayMs: 0, deletion: true }, range(0, 5 - 1));
    fs.rmSync(path.join(out, FILE_SINK_METADATA_DIR, "3"));
    assert.throws(() => new FileSinkLog(out).allFiles(), (e: unknown) => e instanceof CheckpointError && e.message.includes(path.join(out, FILE_SINK_METADATA_DIR)) && /no entry for batch 3/.test(e.message));
  });

  void it("refuses a compaction written by a newer format version", () => {
    const out = fresh();
    write(out, { compactInterval: 2, cleanupDelayMs: 0, deletion: true }, range(0, 1));
    fs.writeFileSync(path.join(out, FILE_SINK_METADATA_DIR, "1.compact"), 'v9\n[]');
    assert.throws(() => new FileSinkLog(out).allFiles(), /format version v9/);
  });

  void it("a reader in another process always sees a whole prefix of the batches while the writer compacts and deletes", async () => {
    const out = fresh();
    const batches = 300;
    fs.mkdirSync(path.join(out, FILE_SINK_METADATA_DIR), { recursive: true });
    const writer = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "file-sink-log-writer.ts");
    const child = spawn(process.execPath, ["--import", "tsx", writer, out, String(batches)], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    let running = true;
    void exited.then(() => (running = false));
    const seen = new Set<number>();
    let reads = 0;
    while (running) {
      const got = new FileSinkLog(out).allFiles();
      assert.deepEqual(got, files(out, range(0, got.length - 1)), `read ${reads}: a whole prefix of the batches`);
      seen.add(got.length);
      reads++;
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(await exited, 0, stderr);
    assert.deepEqual(new FileSinkLog(out).allFiles(), files(out, range(0, batches - 1)));
    assert.ok(reads > 0);
    process.stdout.write(`# ${reads} reads during the writes saw ${seen.size} different prefixes\n`);
  });
});
