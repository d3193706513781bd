/**
 * Old checkpoints are fixtures (STYLE.md): test/fixtures/checkpoints/v1-memory-to-files/ was
 * written by checkpoint format v1 (see make-v1-memory-to-files.ts there): a memory stream → json
 * file sink query that committed batches 0 and 1 and was killed right after writing offsets/2.
 * The engine must restart from a copy of it: same query id, batch 2 re-run with its logged
 * offsets, later batches continuing, and the output holding every row once.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { DataFrame } from "../../src/api/dataframe.js";
import { Session } from "../../src/api/session.js";
import { V1_MEMORY_TO_FILES_BATCHES, v1MemoryToFilesQuery } from "../fixtures/checkpoints/v1-memory-to-files-query.js";

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "checkpoints", "v1-memory-to-files");
const spark = Session.builder().getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-old-checkpoint-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

void describe("restarting from committed checkpoint fixtures", () => {
  void it("v1-memory-to-files: re-runs the planned batch, continues, and the output holds every row once", async () => {
    assert.ok(fs.existsSync(path.join(fixture, "checkpoint", "offsets", "2")), `fixture missing at ${fixture}`);
    assert.ok(!fs.existsSync(path.join(fixture, "checkpoint", "commits", "2")), "the fixture's batch 2 is planned, not committed");
    const copy = path.join(root, "v1");
    fs.cpSync(fixture, copy, { recursive: true });
    const fixtureId = (JSON.parse(fs.readFileSync(path.join(fixture, "checkpoint", "metadata"), "utf8")) as { id: string }).id;

    const input = spark.memoryStream("id INT, word STRING");
    for (const rows of V1_MEMORY_TO_FILES_BATCHES) input.addData(rows);
    const q = await v1MemoryToFilesQuery(input.toDF() as unknown as DataFrame).writeStream.format("json").option("checkpointLocation", path.join(copy, "checkpoint")).start(path.join(copy, "output"));
    await q.processAllAvailable();
    assert.equal(q.id, fixtureId, "the query id comes from the checkpoint");
    assert.deepEqual(q.recentProgress.map((p) => [p.batchId, p.numInputRows]), [[2, 2]], "batch 2 re-run with its logged offsets, nothing else");
    input.addData([{ id: 6, word: "f" }]);
    await q.processAllAvailable();
    assert.equal(q.lastProgress?.batchId, 3);
    await q.stop();

    const rows = await spark.read.schema("id INT, word STRING, x INT").json(path.join(copy, "output")).orderBy("id").collect();
    assert.deepEqual(rows, [1, 3, 4, 5, 6].map((id) => ({ id, word: "abcdef"[id - 1]!.toUpperCase(), x: id * 10 })));
  });
});
