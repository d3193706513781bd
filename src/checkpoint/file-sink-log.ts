import * as fs from "node:fs";
import * as path from "node:path";
import { BatchLog } from "./batch-log.js";

/** The manifest directory a streaming file sink keeps in its output directory. */
export const FILE_SINK_METADATA_DIR = "_sluice_metadata";

/** One file a sink batch wrote, relative to the output directory. */
export interface SinkFileEntry {
  readonly path: string;
  readonly size: number;
  readonly modificationTime: number;
}

/**
 * `<output>/_sluice_metadata/N`: the files batch N of a streaming file sink committed (Spark's
 * `_spark_metadata`). Readers of the output directory list files from these entries only, so
 * files of a batch that crashed before its entry was written are never read.
 */
export class FileSinkLog extends BatchLog<SinkFileEntry[]> {
  constructor(readonly outputDir: string) {
    super(path.join(outputDir, FILE_SINK_METADATA_DIR), 1);
  }

  /** Absolute paths of every committed file, in batch order. */
  allFiles(): string[] {
    return this.batchIds().flatMap((id) => (this.get(id) ?? []).map((e) => path.join(this.outputDir, e.path)));
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
