import * as fs from "node:fs";
import * as path from "node:path";
import { ChangelogSegment, changelogName } from "./state-changelog.js";
import type { StateFileWriter } from "./state-file.js";
import { listStateFiles } from "./state-file-plan.js";
import { removeFilesFrom } from "./state-loader.js";

/**
 * Where a store's deltas go (state-changelog.ts): appended to the changelog the store has open,
 * or to a new one. Shared by the state store providers.
 */
export class StoreDeltaLog {
  private segment: ChangelogSegment | undefined;

  constructor(
    private readonly dir: string,
    /** fsync each delta (sluice.sql.streaming.checkpoint.fsync). */
    private readonly fsync: boolean,
  ) {}

  /**
   * A writer of the delta of `version`. It continues the open changelog when that ends at
   * `version - 1`; otherwise the files of versions >= `version` (a discarded run of those
   * batches) are removed and a changelog starting at `version` is created, which supersedes
   * older changelogs' blocks from `version` on.
   */
  writer(version: number): StateFileWriter {
    // A changelog starting at `version` means another provider of this store (another thread's)
    // wrote `version` since: appending here would be superseded by it, so this write starts anew.
    if (this.segment?.isOpen && this.segment.next === version && !fs.existsSync(path.join(this.dir, changelogName(version)))) return this.segment.deltaWriter(version);
    this.rollOver();
    removeFilesFrom(this.dir, listStateFiles(this.dir), version);
    this.segment = ChangelogSegment.create(this.dir, version, this.fsync);
    return this.segment.deltaWriter(version);
  }

  /** The next delta starts a new changelog (after a snapshot, so that old changelogs can be deleted whole). */
  rollOver(): void {
    this.segment?.close();
    this.segment = undefined;
  }
}
