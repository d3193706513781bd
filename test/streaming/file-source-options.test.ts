import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { Session } from "../../src/api/session.js";
import type { DataFrame } from "../../src/api/dataframe.js";
import { IllegalArgumentError } from "../../src/errors/errors.js";
import { FileStreamSource } from "../../src/streaming/file-stream-source.js";
import { ReadLimit } from "../../src/streaming/source.js";
import { IntegerType, structField, structType } from "../../src/types/data-type.js";

const spark = Session.builder().getOrCreate();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-file-source-options-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string): string => path.join(root, `${name}-${n++}`);
const T0 = Date.now() - 60_000;

/** Writes a file atomically (temp name, then rename), with a given modification time. */
function putFile(dir: string, name: string, text: string, mtimeMs: number): string {
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${name}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.utimesSync(tmp, mtimeMs / 1000, mtimeMs / 1000);
  const p = path.join(dir, name);
  fs.renameSync(tmp, p);
  return p;
}

/** Runs `df` with Trigger.AvailableNow into a fresh memory sink; returns rows per batch. */
async function runAvailableNow(df: DataFrame, ckpt = fresh("ckpt"), trigger: { availableNow: true } | { once: true } = { availableNow: true }): Promise<Record<string, unknown>[][]> {
  const batches: Record<string, unknown>[][] = [];
  const q = await df.writeStream.option("checkpointLocation", ckpt).foreachBatch(async (b) => void batches.push(await b.collect())).trigger(trigger).start();
  await q.awaitTermination();
  return batches;
}

const ids = (batches: Record<string, unknown>[][]): number[][] => batches.map((b) => b.map((r) => r["id"] as number));

/** Three 9-byte files, one row each, ids 1..3 oldest first. */
function threeFiles(): string {
  const input = fresh("in");
  for (const i of [1, 2, 3]) putFile(input, `f${i}.json`, `{"id":${i}}\n`, T0 + i * 1000);
  assert.equal(fs.statSync(path.join(input, "f1.json")).size, 9);
  return input;
}

void describe("file stream source: maxBytesPerTrigger", () => {
  const read = (input: string, opts: Record<string, string | number>) => spark.readStream.format("json").schema("id INT").options(opts).load(input);

  void it("takes files while their total size stays within the limit", async () => {
    assert.deepEqual(ids(await runAvailableNow(read(threeFiles(), { maxBytesPerTrigger: 18 }))), [[1, 2], [3]]);
    assert.deepEqual(ids(await runAvailableNow(read(threeFiles(), { maxBytesPerTrigger: 20 }))), [[1, 2], [3]]);
  });

  void it("always takes at least one file", async () => {
    assert.deepEqual(ids(await runAvailableNow(read(threeFiles(), { maxBytesPerTrigger: 5 }))), [[1], [2], [3]]);
  });

  void it("with maxFilesPerTrigger both limits apply", async () => {
    assert.deepEqual(ids(await runAvailableNow(read(threeFiles(), { maxBytesPerTrigger: 27, maxFilesPerTrigger: 1 }))), [[1], [2], [3]]);
    assert.deepEqual(ids(await runAvailableNow(read(threeFiles(), { maxBytesPerTrigger: 18, maxFilesPerTrigger: 3 }))), [[1, 2], [3]]);
  });

  void it("accepts byte units; Trigger.Once ignores the limit", async () => {
    assert.deepEqual(ids(await runAvailableNow(read(threeFiles(), { maxBytesPerTrigger: "1k" }))), [[1, 2, 3]]);
    assert.deepEqual(ids(await runAvailableNow(read(threeFiles(), { maxBytesPerTrigger: 5 }), fresh("ckpt"), { once: true })), [[1, 2, 3]]);
  });

  void it("applies with the default trigger too", async () => {
    const batches: number[][] = [];
    const q = await read(threeFiles(), { maxBytesPerTrigger: 18 }).writeStream.option("checkpointLocation", fresh("ckpt"))
      .foreachBatch(async (b) => void batches.push((await b.collect()).map((r) => r["id"] as number))).start();
    await q.processAllAvailable();
    await q.stop();
    assert.deepEqual(batches, [[1, 2], [3]]);
  });

  void it("rejects a bad value", () => {
    for (const bad of ["0", "-1", "lots", "1q"]) {
      assert.throws(() => read(fresh("in"), { maxBytesPerTrigger: bad }), (e: unknown) => e instanceof IllegalArgumentError && /maxBytesPerTrigger/.test(e.message), bad);
    }
  });
});

void describe("file stream source: fileNameOnly", () => {
  void it("a name seen in one directory is not read again from another, also after a restart", async () => {
    const input = fresh("in"), ckpt = fresh("ckpt");
    putFile(path.join(input, "a"), "x.json", '{"id":1}\n', T0 + 1000);
    putFile(path.join(input, "b"), "x.json", '{"id":2}\n', T0 + 2000);
    putFile(path.join(input, "b"), "y.json", '{"id":3}\n', T0 + 3000);
    const df = () => spark.readStream.format("json").schema("id INT").option("fileNameOnly", true).load(input);
    assert.deepEqual(ids(await runAvailableNow(df(), ckpt)), [[1, 3]]);
    putFile(path.join(input, "c"), "x.json", '{"id":4}\n', T0 + 4000);
    putFile(path.join(input, "c"), "z.json", '{"id":5}\n', T0 + 5000);
    assert.deepEqual(ids(await runAvailableNow(df(), ckpt)), [[5]]);
  });

  void it("without it every path is a new file", async () => {
    const input = fresh("in");
    putFile(path.join(input, "a"), "x.json", '{"id":1}\n', T0 + 1000);
    putFile(path.join(input, "b"), "x.json", '{"id":2}\n', T0 + 2000);
    assert.deepEqual(ids(await runAvailableNow(spark.readStream.format("json").schema("id INT").load(input))), [[1, 2]]);
  });
});

void describe("file stream source: cleanSource", () => {
  const read = (input: string, opts: Record<string, string | number>) => spark.readStream.format("json").schema("id INT").options(opts).load(input);
  const isBadOption = (option: RegExp) => (e: unknown) => e instanceof IllegalArgumentError && option.test(e.message);

  void it("rejects bad values, naming the option and the allowed values", () => {
    assert.throws(() => read(fresh("in"), { cleanSource: "move" }), isBadOption(/cleanSource.*archive, delete, off/));
    assert.throws(() => read(fresh("in"), { cleanSource: "archive" }), isBadOption(/sourceArchiveDir/));
    const input = fresh("in");
    assert.throws(() => read(input, { cleanSource: "archive", sourceArchiveDir: path.join(input, "archive") }), isBadOption(/sourceArchiveDir.*must not be inside the source path/));
    assert.throws(() => read(path.join(input, "*.json"), { cleanSource: "archive", sourceArchiveDir: path.join(input, "archive") }), isBadOption(/sourceArchiveDir/));
    read(input, { cleanSource: "OFF" });
    read(input, { cleanSource: "Delete" });
    read(input, { cleanSource: "archive", sourceArchiveDir: fresh("archive") });
  });

  void it("off (the default) leaves the files", async () => {
    const input = threeFiles();
    await runAvailableNow(read(input, {}));
    assert.deepEqual(fs.readdirSync(input).sort(), ["f1.json", "f2.json", "f3.json"]);
  });

  void it("delete removes a batch's files only after the batch committed", async () => {
    const input = threeFiles(), ckpt = fresh("ckpt");
    const exists = (i: number) => fs.existsSync(path.join(input, `f${i}.json`));
    const during: boolean[][] = [];
    const q = await read(input, { cleanSource: "delete", maxFilesPerTrigger: 1 }).writeStream.option("checkpointLocation", ckpt)
      .foreachBatch(async (df) => {
        await df.collect();
        during.push([1, 2, 3].map(exists));
      }).trigger({ availableNow: true }).start();
    await q.awaitTermination();
    assert.deepEqual(during, [[true, true, true], [false, true, true], [false, false, true]], "files of the running batch are still there");
    assert.deepEqual(fs.readdirSync(input), []);
  });

  void it("a failed batch keeps its files; the re-run reads them and then cleans them", async () => {
    const input = threeFiles(), ckpt = fresh("ckpt");
    const seen: number[][] = [];
    let fail = true;
    const start = () => read(input, { cleanSource: "delete", maxFilesPerTrigger: 2 }).writeStream.option("checkpointLocation", ckpt)
      .foreachBatch(async (df, id) => {
        const rows = (await df.collect()).map((r) => r["id"] as number);
        if (id === 1 && fail) throw new Error("sink down");
        seen.push(rows);
      }).trigger({ availableNow: true }).start();
    const q = await start();
    await assert.rejects(q.awaitTermination(), /sink down/);
    assert.deepEqual(fs.readdirSync(input), ["f3.json"], "batch 0 committed and cleaned, batch 1 not");
    fail = false;
    const q2 = await start();
    await q2.awaitTermination();
    assert.deepEqual(seen, [[1, 2], [3]]);
    assert.deepEqual(fs.readdirSync(input), []);
  });

  void it("archive moves files under sourceArchiveDir, keeping their path", async () => {
    const input = fresh("in"), archive = fresh("archive");
    const p1 = putFile(path.join(input, "sub"), "a.json", '{"id":1}\n', T0 + 1000);
    const p2 = putFile(input, "b.json", '{"id":2}\n', T0 + 2000);
    const df = read(input, { cleanSource: "archive", sourceArchiveDir: archive, maxFilesPerTrigger: 1 });
    assert.deepEqual(ids(await runAvailableNow(df)), [[1], [2]]);
    assert.ok(!fs.existsSync(p1) && !fs.existsSync(p2));
    assert.equal(fs.readFileSync(path.join(archive, p1), "utf8"), '{"id":1}\n');
    assert.equal(fs.readFileSync(path.join(archive, p2), "utf8"), '{"id":2}\n');
  });
});

void describe("file stream source: partition directories", () => {
  function partitioned(): string {
    const input = fresh("in");
    putFile(path.join(input, "p=1"), "a.json", '{"id":1}\n', T0 + 1000);
    putFile(path.join(input, "p=2"), "b.json", '{"id":2}\n{"id":3}\n', T0 + 2000);
    return input;
  }

  void it("become columns when the user schema names them, with its types", async () => {
    const df = spark.readStream.format("json").schema("p STRING, id INT").load(partitioned());
    assert.deepEqual(df.schema.fields.map((f) => [f.name, f.dataType.kind]), [["p", "string"], ["id", "int"]]);
    const [rows] = await runAvailableNow(df);
    assert.deepEqual(rows, [{ p: "1", id: 1 }, { p: "2", id: 2 }, { p: "2", id: 3 }]);
  });

  void it("are left out when the user schema does not name them", async () => {
    const [rows] = await runAvailableNow(spark.readStream.format("json").schema("id INT").load(partitioned()));
    assert.deepEqual(rows, [{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  void it("are discovered and typed with schema inference, also for files added later", async () => {
    const input = partitioned(), ckpt = fresh("ckpt");
    spark.conf.set("sluice.sql.streaming.schemaInference", true);
    let df: DataFrame;
    try {
      df = spark.readStream.format("json").load(input);
    } finally {
      spark.conf.unset("sluice.sql.streaming.schemaInference");
    }
    assert.deepEqual(df.schema.fields.map((f) => [f.name, f.dataType.kind]), [["id", "long"], ["p", "int"]]);
    assert.deepEqual(await runAvailableNow(df, ckpt), [[{ id: 1, p: 1 }, { id: 2, p: 2 }, { id: 3, p: 2 }]]);
    putFile(path.join(input, "p=3"), "c.json", '{"id":4}\n', T0 + 3000);
    assert.deepEqual(await runAvailableNow(df, ckpt), [[{ id: 4, p: 3 }]]);
  });
});

void describe("file stream source: read limits by value", () => {
  void it("defaultReadLimit composes maxFiles and maxBytes; latestOffset honours any equal limit, not one object", () => {
    const input = threeFiles();
    const meta = fresh("meta");
    const source = new FileStreamSource("json", [input], { maxFilesPerTrigger: "3", maxBytesPerTrigger: "18" }, structType([structField("id", IntegerType)]), "UTC", meta, false);
    assert.deepEqual(source.defaultReadLimit(), ReadLimit.composite(ReadLimit.maxFiles(3), ReadLimit.maxBytes(18)));
    // A limit built elsewhere (the engine's, a test's) with the same parts takes the same files.
    const end = source.latestOffset({ logOffset: -1 }, ReadLimit.composite(ReadLimit.maxBytes(18), ReadLimit.maxFiles(3)));
    assert.deepEqual(end, { logOffset: 0 });
    const end2 = source.latestOffset(end, ReadLimit.maxFiles(5));
    assert.deepEqual(end2, { logOffset: 1 });
    const log = (id: number): string[] => (JSON.parse(fs.readFileSync(path.join(meta, String(id)), "utf8").split("\n")[1]!) as { path: string }[]).map((f) => path.basename(f.path));
    assert.deepEqual(log(0), ["f1.json", "f2.json"]);
    assert.deepEqual(log(1), ["f3.json"]);
    assert.deepEqual(source.latestOffset(end2, ReadLimit.allAvailable()), end2);
  });
});
