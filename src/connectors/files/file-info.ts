/** One data file found by a listing: its absolute path, size in bytes and modification time. */
export interface FileInfo {
  readonly path: string;
  readonly size: number;
  readonly modificationTime: number;
}
