import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { writeFileAtomic, writeFileAtomicAsync } from "../../src/checkpoint/atomic-file.js";
import { BatchLog } from "../../src/checkpoint/batch-log.js";
import { CheckpointError } from "../../src/checkpoint/checkpoint-error.js";
import { CommitLog } from "../../src/checkpoint/commit-log.js";
import { OffsetLog } from "../../src/checkpoint/offset-log.js";
import { readOrCreateStreamMetadata } from "../../src/checkpoint/stream-metadata.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-ckpt-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(root, String(n++));

void describe("atomic file write", () => {
  void it("writes the whole content and leaves no temp file", () => {
    const d = fresh();
    writeFileAtomic(path.join(d, "f"), "hello");
    writeFileAtomic(path.join(d, "f"), "world");
    assert.equal(fs.readFileSync(path.join(d, "f"), "utf8"), "world");
    assert.deepEqual(fs.readdirSync(d), ["f"]);
  });
  void it("refuses to replace an existing file when overwrite is false", () => {
    const d = fresh();
    assert.equal(writeFileAtomic(path.join(d, "f"), "a", { overwrite: false }), true);
    assert.equal(writeFileAtomic(path.join(d, "f"), "b", { overwrite: false }), false);
    assert.equal(fs.readFileSync(path.join(d, "f"), "utf8"), "a");
    assert.deepEqual(fs.readdirSync(d), ["f"]);
  });
  void it("async (on the writer thread, while this thread is busy): the same content, refusal and errors", async () => {
    const d = fresh();
    const big = new Uint8Array(3 << 20).map((_, i) => i % 251);
    const first = writeFileAtomicAsync(path.join(d, "f"), big, { overwrite: false });
    // This thread blocks (no event loop turn) until the file is there: a write that needed this
    // thread's event loop would never finish, and the deadline only bounds that failure.
    const until = Date.now() + 20_000;
    while (Date.now() < until && !fs.existsSync(path.join(d, "f")));
    assert.ok(fs.existsSync(path.join(d, "f")), "the file appeared while the calling thread was blocked");
    assert.equal(await first, true);
    assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(d, "f"))), big);
    assert.equal(await writeFileAtomicAsync(path.join(d, "f"), "b", { overwrite: false }), false);
    await writeFileAtomicAsync(path.join(d, "g"), "x");
    await writeFileAtomicAsync(path.join(d, "g"), "y");
    assert.equal(fs.readFileSync(path.join(d, "g"), "utf8"), "y");
    assert.deepEqual(fs.readdirSync(d).sort(), ["f", "g"]);
    // A path under a regular file: the error keeps its code, and the thread keeps working.
    await assert.rejects(writeFileAtomicAsync(path.join(d, "g", "h"), "z"), (e: NodeJS.ErrnoException) => e.code === "ENOTDIR" || e.code === "EEXIST");
    assert.equal(await writeFileAtomicAsync(path.join(d, "k"), "ok"), true);
  });
});

void describe("BatchLog", () => {
  void it("a prepared entry is invisible until published, is written once, and a discarded one leaves nothing", async () => {
    const log = new BatchLog<{ x: number }>(fresh());
    const first = await log.prepare(0, { x: 0 });
    assert.deepEqual(log.batchIds(), [], "not in place before publish");
    assert.equal(log.get(0), undefined);
    assert.equal(await first.publish(), true);
    assert.deepEqual(log.get(0), { x: 0 });
    const again = await log.prepare(0, { x: 99 });
    assert.equal(await again.publish(), false, "an entry is written once");
    assert.deepEqual(log.get(0), { x: 0 });
    (await log.prepare(1, { x: 1 })).discard();
    assert.deepEqual(fs.readdirSync(log.dir), ["0"], "no temp file is left");
  });
  void it("adds, reads, lists and purges entries with a version line", () => {
    const log = new BatchLog<{ x: number }>(fresh());
    assert.equal(log.getLatest(), undefined);
    assert.equal(log.add(0, { x: 0 }), true);
    assert.equal(log.add(1, { x: 1 }), true);
    assert.equal(log.add(1, { x: 99 }), false, "an entry is written once");
    log.add(2, { x: 2 });
    assert.deepEqual(log.get(1), { x: 1 });
    assert.deepEqual(log.getLatest(), { batchId: 2, entry: { x: 2 } });
    assert.equal(fs.readFileSync(path.join(log.dir, "0"), "utf8"), 'v1\n{"x":0}');
    log.purge(2);
    assert.deepEqual(log.batchIds(), [2]);
    // Later purges remove what lies between the last threshold and theirs, without listing.
    for (let id = 3; id <= 8; id++) log.add(id, { x: id });
    log.purge(4);
    assert.deepEqual(log.batchIds(), [4, 5, 6, 7, 8]);
    log.purge(7);
    assert.deepEqual(log.batchIds(), [7, 8]);
    // A threshold far ahead lists the directory again.
    log.add(5000, { x: 5000 });
    log.purge(4000);
    assert.deepEqual(log.batchIds(), [5000]);
    // A new log object over the same directory (a restart) starts by listing.
    const again = new BatchLog<{ x: number }>(log.dir);
    again.add(5001, { x: 1 });
    again.purge(5001);
    assert.deepEqual(again.batchIds(), [5001]);
  });
  void it("refuses an entry written by a newer format version", () => {
    const log = new BatchLog<{ x: number }>(fresh());
    fs.mkdirSync(log.dir, { recursive: true });
    fs.writeFileSync(path.join(log.dir, "0"), 'v2\n{"x":0}');
    assert.throws(() => log.get(0), (e: unknown) => e instanceof CheckpointError && e.errorClass === "CHECKPOINT_VERSION_TOO_NEW" && /v2.*up to v1/.test(e.message));
  });
  void it("reports a corrupt entry", () => {
    const log = new BatchLog<{ x: number }>(fresh());
    fs.mkdirSync(log.dir, { recursive: true });
    fs.writeFileSync(path.join(log.dir, "0"), "garbage");
    assert.throws(() => log.get(0), /format version line/);
  });
  void it("offset and commit logs live under offsets/ and commits/", () => {
    const d = fresh();
    new OffsetLog(d).add(0, { offsets: [3, { logOffset: 1 }], metadata: { batchWatermarkMs: 0, batchTimestampMs: 5, conf: { "sluice.sql.shuffle.partitions": "4" } } });
    new CommitLog(d).add(0, { nextBatchWatermarkMs: 0 });
    assert.deepEqual(new OffsetLog(d).get(0)?.offsets, [3, { logOffset: 1 }]);
    assert.deepEqual(fs.readdirSync(d).sort(), ["commits", "offsets"]);
  });
  void it("metadata keeps the query id", () => {
    const d = fresh();
    const a = readOrCreateStreamMetadata(d);
    assert.equal(readOrCreateStreamMetadata(d).id, a.id);
  });
});
