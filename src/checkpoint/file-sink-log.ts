import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "./atomic-file.js";
import { BatchLog } from "./batch-log.js";
import { CheckpointError } from "./checkpoint-error.js";

/** The manifest directory a streaming file sink keeps in its output directory. */
export const FILE_SINK_METADATA_DIR = "_sluice_metadata";

/** One file a sink batch wrote, relative to the output directory. */
export interface SinkFileEntry {
  readonly path: string;
  readonly size: number;
  readonly modificationTime: number;
}

/** How the manifest compacts and cleans up (Spark's `spark.sql.streaming.fileSink.log.*`). */
export interface FileSinkLogOptions {
  /** Every this many batches, `N.compact` holds all entries so far (batch N with (N+1) % interval = 0). */
  readonly compactInterval: number;
  /** Entries older than the latest compaction are deleted (when a compaction is written) once they are this old (ms), so readers listing the manifest meanwhile still find them. */
  readonly cleanupDelayMs: number;
  /** Whether entries older than the latest compaction are deleted at all. */
  readonly deletion: boolean;
}

export const DEFAULT_FILE_SINK_LOG_OPTIONS: FileSinkLogOptions = Object.freeze({ compactInterval: 10, cleanupDelayMs: 10 * 60_000, deletion: true });

const COMPACT_SUFFIX = ".compact";
/** A reader that keeps losing races with the writer's cleanup gives up after this many listings. */
const MAX_LISTINGS = 10;

/** The manifest's files: delta ids and compact ids, ascending. */
interface Listing {
  readonly deltas: readonly number[];
  readonly compacts: readonly number[];
}

/**
 * `<output>/_sluice_metadata/`: the files each batch of a streaming file sink committed (Spark's
 * FileStreamSinkLog). Readers of the output directory list files from the manifest only, so files
 * of a batch that crashed before its entry was written are never read.
 *
 * Layout: `N` is batch N's entry (its files); every `compactInterval` batches (batch N with
 * (N+1) % compactInterval = 0) the entry is written as `N.compact` instead, holding every file
 * committed through batch N (the previous compaction plus the entries after it). The committed
 * files are therefore the latest `C.compact` plus the entries `C+1 ..`. Entries and compactions
 * below the latest compaction are deleted when a compaction is written, if older than
 * `cleanupDelayMs` (readers that listed them meanwhile list again). Each file is written
 * once and atomically, so a crash leaves either the whole entry or none; the interval may change
 * between runs (a compaction always merges the latest one before it).
 */
export class FileSinkLog extends BatchLog<SinkFileEntry[]> {
  /** The latest batch id this writer knows is committed (listed once, then kept by add). */
  private latestKnown: number | null = null;

  constructor(
    readonly outputDir: string,
    readonly options: FileSinkLogOptions = DEFAULT_FILE_SINK_LOG_OPTIONS,
  ) {
    super(path.join(outputDir, FILE_SINK_METADATA_DIR), 1);
    if (!Number.isSafeInteger(options.compactInterval) || options.compactInterval < 1) {
      throw new CheckpointError("INVALID_CONF_VALUE", `The file sink's compactInterval must be a positive integer, got ${options.compactInterval}.`);
    }
  }

  private listing(): Listing {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { deltas: [], compacts: [] };
      throw e;
    }
    const ids = (re: RegExp): number[] => names.filter((n) => re.test(n)).map((n) => Number.parseInt(n, 10)).sort((a, b) => a - b);
    return { deltas: ids(/^\d+$/), compacts: ids(/^\d+\.compact$/) };
  }

  private compactFile(batchId: number): string {
    return path.join(this.dir, `${batchId}${COMPACT_SUFFIX}`);
  }

  /** The highest committed batch id (entry or compaction), -1 when none. */
  latestBatchId(): number {
    const l = this.listing();
    return Math.max(l.deltas.at(-1) ?? -1, l.compacts.at(-1) ?? -1);
  }

  /**
   * latestBatchId() as this writer knows it: listed once, then kept by add (the sink's check
   * per batch, without listing a large manifest every time).
   */
  lastCommittedBatchId(): number {
    return (this.latestKnown ??= this.latestBatchId());
  }

  /** Whether batch `batchId` is written as a compaction. */
  isCompactionBatch(batchId: number): boolean {
    return (batchId + 1) % this.options.compactInterval === 0;
  }

  /**
   * Commits batch `batchId`'s files: entry `N`, or `N.compact` with every file so far. False
   * (nothing written) when the batch is already committed. Then deletes what cleanup allows.
   */
  override add(batchId: number, entry: SinkFileEntry[]): boolean {
    if (batchId <= this.lastCommittedBatchId()) return false;
    const compaction = this.isCompactionBatch(batchId);
    let written: boolean;
    if (compaction) {
      const all = [...this.entriesThrough(batchId - 1), ...entry];
      written = writeFileAtomic(this.compactFile(batchId), this.serialize(all), { overwrite: false, fsync: this.fsync });
    } else {
      written = super.add(batchId, entry);
    }
    // Not written: another writer got there first; list again next time.
    this.latestKnown = written ? batchId : null;
    // As in Spark, cleanup runs when a compaction is written.
    if (written && compaction) this.deleteExpired();
    return written;
  }

  /** Every committed entry through `batchId` (all when omitted), oldest first. */
  entriesThrough(batchId = Number.POSITIVE_INFINITY): SinkFileEntry[] {
    for (let attempt = 1; ; attempt++) {
      const got = this.tryEntriesThrough(batchId);
      if (Array.isArray(got)) return got;
      // A file listed a moment ago was deleted by the writer's cleanup (a newer compaction
      // exists), or the listing caught the writer mid-way: list again.
      if (attempt >= MAX_LISTINGS) throw new CheckpointError("CHECKPOINT_CORRUPT", `The file sink manifest in ${this.dir} cannot be read: ${got.problem} (after ${attempt} attempts); the output directory's manifest is damaged.`);
    }
  }

  /** The entries through `batchId`, or what went wrong (a listed file vanished, a missing entry). */
  private tryEntriesThrough(batchId: number): SinkFileEntry[] | { problem: string } {
    const { deltas, compacts } = this.listing();
    const base = compacts.filter((c) => c <= batchId).at(-1) ?? -1;
    const out: SinkFileEntry[] = [];
    if (base >= 0) {
      const text = readIfExists(this.compactFile(base));
      if (text === null) return { problem: `${base}${COMPACT_SUFFIX} vanished while being read` };
      out.push(...this.deserialize(text, this.compactFile(base)));
    }
    const after = deltas.filter((d) => d > base && d <= batchId);
    for (let i = 0; i < after.length; i++) {
      const expected = base + 1 + i;
      if (after[i] !== expected) return { problem: `there is no entry for batch ${expected} (there are ${base >= 0 ? `${base}${COMPACT_SUFFIX} and ` : ""}entries ${after.join(", ")})` };
      const e = this.get(after[i]!);
      if (e === undefined) return { problem: `entry ${after[i]} vanished while being read` };
      out.push(...e);
    }
    return out;
  }

  /** Absolute paths of every committed file, in batch order. */
  allFiles(): string[] {
    return this.entriesThrough().map((e) => path.join(this.outputDir, e.path));
  }

  /** Deletes entries and compactions below the latest compaction that are older than cleanupDelayMs. */
  private deleteExpired(): void {
    if (!this.options.deletion) return;
    const { deltas, compacts } = this.listing();
    const latest = compacts.at(-1);
    if (latest === undefined) return;
    const expiredBefore = Date.now() - this.options.cleanupDelayMs;
    const victims = [...deltas.filter((d) => d < latest).map((d) => path.join(this.dir, String(d))), ...compacts.filter((c) => c < latest).map((c) => this.compactFile(c))];
    for (const f of victims) {
      try {
        // A delay of 0 deletes at once: file times and Date.now() come from different clocks,
        // so a file written a moment ago can look a few ms younger than "now".
        if (this.options.cleanupDelayMs <= 0 || fs.statSync(f).mtimeMs <= expiredBefore) fs.rmSync(f, { force: true });
      } catch {
        // already gone
      }
    }
  }
}

function readIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

/**
 * The committed files of a streaming file sink's output directory, or null when `dir` has no
 * manifest (then it is an ordinary directory of files).
 */
export function committedSinkFiles(dir: string): string[] | null {
  const meta = path.join(dir, FILE_SINK_METADATA_DIR);
  let st: fs.Stats;
  try {
    st = fs.statSync(meta);
  } catch {
    return null;
  }
  if (!st.isDirectory()) return null;
  return new FileSinkLog(dir).allFiles();
}
