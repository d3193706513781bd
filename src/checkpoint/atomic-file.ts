import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileWriterThread } from "./file-writer-thread.js";

/**
 * Writes `data` to `file` so that readers see either the old content or the whole new content,
 * never a part: the bytes go to a hidden temp file in the same directory, are fsync'ed, and the
 * temp file is renamed over the target (rename is atomic within a directory on POSIX file
 * systems); the directory is fsync'ed so the rename itself survives a crash.
 *
 * With `overwrite: false` the write fails (returns false) when `file` exists: the rename is
 * replaced by a hard link, which refuses an existing target, so two writers cannot both win.
 *
 * With `fsync: false` both fsyncs are skipped: the write is still atomic and survives the
 * process being killed (the page cache outlives it), but not a power loss or OS crash.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, options: { overwrite?: boolean; fsync?: boolean } = {}): boolean {
  return atomicWrite(fs, path, file, tempNameFor(file), typeof data === "string" ? Buffer.from(data, "utf8") : data, options.overwrite !== false, options.fsync !== false);
}

/**
 * The steps of {@link writeFileAtomic}, through temp file `tmp`. Self-contained (the modules it
 * uses are arguments; no inner functions; of this file's names only {@link publishTemp} and
 * {@link syncDirectoryWith}, equally self-contained) because the checkpoint file writer thread
 * runs the source text of all three (file-writer-thread.ts): one implementation for both threads,
 * which also works when Sluice is bundled into one file.
 */
export function atomicWrite(fsApi: typeof fs, pathApi: typeof path, file: string, tmp: string, data: Uint8Array, overwrite: boolean, sync: boolean): boolean {
  const dir = pathApi.dirname(file);
  fsApi.mkdirSync(dir, { recursive: true });
  const fd = fsApi.openSync(tmp, "wx");
  try {
    let off = 0;
    while (off < data.length) off += fsApi.writeSync(fd, data, off);
    if (sync) fsApi.fsyncSync(fd);
  } finally {
    fsApi.closeSync(fd);
  }
  const written = publishTemp(fsApi, file, tmp, overwrite);
  if (written && sync) syncDirectoryWith(fsApi, dir);
  return written;
}

/**
 * Gives the finished temp file `tmp` the name `file` (rename, or with `overwrite` off a hard link
 * that refuses an existing target: false then) and removes the temp name. Self-contained, as
 * {@link atomicWrite}.
 */
export function publishTemp(fsApi: typeof fs, file: string, tmp: string, overwrite: boolean): boolean {
  let written = true;
  let renamed = false;
  try {
    if (overwrite) {
      fsApi.renameSync(tmp, file);
      renamed = true;
    } else {
      try {
        fsApi.linkSync(tmp, file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        written = false;
      }
    }
  } finally {
    // After a rename the temp name is gone; a link (or a failed rename) leaves it to remove.
    if (!renamed) {
      try {
        fsApi.unlinkSync(tmp);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      }
    }
  }
  return written;
}

/** A file written and made durable under a temp name by {@link prepareFileAtomic}, not yet in place. */
export interface PreparedFile {
  /** Puts the file in place (durably, with fsync); false when `overwrite` was off and the file exists. */
  publish(): Promise<boolean>;
  /** Removes the temp file (the write is abandoned). */
  discard(): void;
}

/**
 * {@link writeFileAtomic} in two steps, for a file whose content is known before it may appear:
 * the temp file is written and fsync'ed now, while other files are still being written, and
 * `publish` only renames and fsyncs the directory. The fsyncs run on libuv's thread pool, the
 * other steps (tens of microseconds each) on the calling thread.
 */
export async function prepareFileAtomic(file: string, data: string | Uint8Array, options: { overwrite?: boolean; fsync?: boolean } = {}): Promise<PreparedFile> {
  const sync = options.fsync !== false, overwrite = options.overwrite !== false;
  const dir = path.dirname(file);
  const tmp = tempNameFor(file);
  const fd = createExclusive(tmp);
  try {
    writeAll(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    if (sync) await fsyncAsync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  return {
    async publish(): Promise<boolean> {
      const written = publishTemp(fs, file, tmp, overwrite);
      if (written && sync) await syncDirectoryAsync(dir);
      return written;
    },
    discard(): void {
      fs.rmSync(tmp, { force: true });
    },
  };
}

/**
 * {@link writeFileAtomic} on the checkpoint file writer thread (file-writer-thread.ts): the calling
 * thread goes on (a micro-batch reads and computes while its offsets reach the disk). Same
 * guarantees once the promise resolves.
 */
export function writeFileAtomicAsync(file: string, data: string | Uint8Array, options: { overwrite?: boolean; fsync?: boolean } = {}): Promise<boolean> {
  return fileWriterThread.write({ file, tmp: tempNameFor(file), data: typeof data === "string" ? Buffer.from(data, "utf8") : data, overwrite: options.overwrite !== false, fsync: options.fsync !== false });
}

/** A temp file's name beside `file` (see isAtomicTempName). */
export function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
}

/**
 * Creates `file` for writing, failing if it exists; makes its directory only when missing (once
 * per directory, not before every file of a checkpoint's batches).
 */
export function createExclusive(file: string): number {
  try {
    return fs.openSync(file, "wx");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return fs.openSync(file, "wx");
}

/** Writes all of `b` at the file's position (writeSync may write less than asked). */
export function writeAll(fd: number, b: Uint8Array): void {
  let off = 0;
  while (off < b.length) off += fs.writeSync(fd, b, off);
}

/** fsync on libuv's thread pool (the one step of a small file's write worth a round trip). */
export function fsyncAsync(fd: number): Promise<void> {
  return new Promise<void>((resolve, reject) => fs.fsync(fd, (e) => (e ? reject(e) : resolve())));
}

/** fsync of a directory (so a rename in it is durable); ignored where the platform refuses it. */
export function syncDirectory(dir: string): void {
  syncDirectoryWith(fs, dir);
}

/** {@link syncDirectory} through the given `fs` module (self-contained: see {@link atomicWrite}). */
export function syncDirectoryWith(fsApi: typeof fs, dir: string): void {
  let fd: number | undefined;
  try {
    fd = fsApi.openSync(dir, "r");
    fsApi.fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) fsApi.closeSync(fd);
  }
}

/** {@link syncDirectory} with the fsync on libuv's thread pool: several directories sync in parallel. */
export async function syncDirectoryAsync(dir: string): Promise<void> {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    await fsyncAsync(fd);
  } catch {
    // as in syncDirectory
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Whether a name is one of writeFileAtomic's temp files (readers skip them). */
export function isAtomicTempName(name: string): boolean {
  return name.startsWith(".") && name.endsWith(".tmp");
}
