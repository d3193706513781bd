/** One data file found by a listing: its absolute path, size in bytes and modification time. */
export interface FileInfo {
  readonly path: string;
  readonly size: number;
  readonly modificationTime: number;
  /**
   * Set on a split of a file read in parallel: the byte range [start, end) whose lines (those
   * that begin in it) this read covers. Absent: the whole file.
   */
  readonly range?: readonly [number, number];
}
