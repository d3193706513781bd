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
 * uses are arguments; no inner functions; of this file's names only {@link syncDirectoryWith},
 * equally self-contained) because the checkpoint file writer thread runs the source text of both
 * (file-writer-thread.ts): one implementation for both threads, which also works when Sluice is
 * bundled into one file.
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
  let written = true;
  try {
    if (overwrite) fsApi.renameSync(tmp, file);
    else {
      try {
        fsApi.linkSync(tmp, file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        written = false;
      }
    }
  } finally {
    try {
      fsApi.unlinkSync(tmp);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
  if (written && sync) syncDirectoryWith(fsApi, dir);
  return written;
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

/** Writes all of `b` at the file's position (writeSync may write less than asked). */
export function writeAll(fd: number, b: Uint8Array): void {
  let off = 0;
  while (off < b.length) off += fs.writeSync(fd, b, off);
}

/** {@link writeAll} on libuv's thread pool. */
export async function writeAllAsync(fd: number, b: Uint8Array): Promise<void> {
  let off = 0;
  while (off < b.length) off += await new Promise<number>((resolve, reject) => fs.write(fd, b, off, b.length - off, null, (e, n) => (e ? reject(e) : resolve(n))));
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

/** {@link syncDirectory} on libuv's thread pool: several directories sync in parallel. */
export async function syncDirectoryAsync(dir: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(dir, "r");
    await handle.sync();
  } catch {
    // as in syncDirectory
  } finally {
    await handle?.close();
  }
}

/** Whether a name is one of writeFileAtomic's temp files (readers skip them). */
export function isAtomicTempName(name: string): boolean {
  return name.startsWith(".") && name.endsWith(".tmp");
}
