import * as fs from "node:fs";
import * as path from "node:path";
import { prepareFileAtomic, writeFileAtomic, writeFileAtomicAsync, type PreparedFile } from "./atomic-file.js";
import { CheckpointError } from "./checkpoint-error.js";

/**
 * A directory of numbered entries, one file per batch id (`<dir>/0`, `<dir>/1`, ...), each
 * written once and atomically, in the manner of Spark's HDFSMetadataLog. An entry is text: a
 * format version line (`v1`) then the entry's JSON. A reader refuses an entry whose version is
 * newer than it knows, so an old engine never misreads a newer checkpoint.
 *
 * I/O is synchronous, but for addAsync, which the trigger loop uses for a batch's offsets so that
 * reading the batch's data overlaps the write.
 */
export class BatchLog<T> {
  /**
   * Whether entries are fsync'ed (file and directory) before add/put return: durable across a
   * power loss. Off (`sluice.sql.streaming.checkpoint.fsync=false`), entries are still atomic
   * and survive the process being killed.
   */
  fsync = true;

  /** Every entry below this id is gone (-1: not known until a purge lists the directory). */
  private purgedBelow = -1;

  constructor(
    readonly dir: string,
    /** The newest format version this code writes and reads. Changing the layout means a new version. */
    readonly version = 1,
  ) {}

  private file(batchId: number): string {
    return path.join(this.dir, String(batchId));
  }

  /** Writes entry `batchId`; false (nothing written) when it exists already. */
  add(batchId: number, entry: T): boolean {
    checkBatchId(batchId);
    return writeFileAtomic(this.file(batchId), this.serialize(entry), { overwrite: false, fsync: this.fsync });
  }

  /** {@link add} with the file operations on libuv's thread pool (the caller goes on meanwhile). */
  addAsync(batchId: number, entry: T): Promise<boolean> {
    checkBatchId(batchId);
    return writeFileAtomicAsync(this.file(batchId), this.serialize(entry), { overwrite: false, fsync: this.fsync });
  }

  /**
   * {@link add} in two steps: the entry is written and fsync'ed under a temp name now, and
   * `publish()` puts it in place (false when it exists already), so its fsync can overlap other
   * writes that must be durable before it appears.
   */
  prepare(batchId: number, entry: T): Promise<PreparedFile> {
    checkBatchId(batchId);
    return prepareFileAtomic(this.file(batchId), this.serialize(entry), { overwrite: false, fsync: this.fsync });
  }

  /** Writes entry `batchId`, replacing an existing one (only for entries nobody has acted on). */
  put(batchId: number, entry: T): void {
    checkBatchId(batchId);
    writeFileAtomic(this.file(batchId), this.serialize(entry), { fsync: this.fsync });
  }

  get(batchId: number): T | undefined {
    const f = this.file(batchId);
    let text: string;
    try {
      text = fs.readFileSync(f, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
    return this.deserialize(text, f);
  }

  /** Batch ids present, ascending. */
  batchIds(): number[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
    return names.filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
  }

  /** The entry with the highest batch id, or undefined when the log is empty. */
  getLatest(): { batchId: number; entry: T } | undefined {
    const ids = this.batchIds();
    for (let i = ids.length - 1; i >= 0; i--) {
      const entry = this.get(ids[i]!);
      if (entry !== undefined) return { batchId: ids[i]!, entry };
    }
    return undefined;
  }

  /** Entries with start <= id <= end, ascending (missing ids skipped). */
  getRange(start: number, end: number): { batchId: number; entry: T }[] {
    return this.batchIds()
      .filter((id) => id >= start && id <= end)
      .map((id) => ({ batchId: id, entry: this.get(id)! }))
      .filter((x) => x.entry !== undefined);
  }

  /**
   * Removes entries with id < thresholdBatchId. The first purge lists the directory; later ones
   * remove the ids between the last threshold and this one (a query purges after every batch,
   * and listing a hundred entries each time cost a third of a millisecond per batch).
   */
  purge(thresholdBatchId: number): void {
    const from = this.purgedBelow;
    const ids = from < 0 || thresholdBatchId - from > 1000 ? this.batchIds() : Array.from({ length: Math.max(0, thresholdBatchId - from) }, (_, i) => from + i);
    for (const id of ids) {
      if (id >= thresholdBatchId) continue;
      try {
        fs.unlinkSync(this.file(id));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      }
    }
    this.purgedBelow = Math.max(from, thresholdBatchId);
  }

  protected serialize(entry: T): string {
    return `v${this.version}\n${JSON.stringify(entry)}`;
  }

  protected deserialize(text: string, file: string): T {
    const nl = text.indexOf("\n");
    const head = (nl < 0 ? text : text.slice(0, nl)).trim();
    const m = /^v(\d+)$/.exec(head);
    if (!m) throw new CheckpointError("CHECKPOINT_CORRUPT", `The checkpoint file ${file} does not start with a format version line such as "v1" (found ${JSON.stringify(head.slice(0, 20))}).`);
    const v = Number(m[1]);
    if (v > this.version) {
      throw new CheckpointError(
        "CHECKPOINT_VERSION_TOO_NEW",
        `The checkpoint file ${file} has format version v${v}, but this version of Sluice reads up to v${this.version}. The checkpoint was written by a newer Sluice; upgrade Sluice to use it.`,
      );
    }
    try {
      return JSON.parse(text.slice(nl + 1)) as T;
    } catch (e) {
      throw new CheckpointError("CHECKPOINT_CORRUPT", `The checkpoint file ${file} does not hold valid JSON after its version line: ${(e as Error).message}.`);
    }
  }
}

function checkBatchId(id: number): void {
  if (!Number.isSafeInteger(id) || id < 0) throw new CheckpointError("INVALID_BATCH_ID", `A batch id must be a non-negative integer, got ${id}.`);
}
