import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

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
  const sync = options.fsync !== false;
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = tempNameFor(file);
  const fd = fs.openSync(tmp, "wx");
  try {
    fs.writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    if (sync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    if (options.overwrite === false) {
      try {
        fs.linkSync(tmp, file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw e;
      }
    } else {
      fs.renameSync(tmp, file);
    }
  } finally {
    removeIfPresent(tmp);
  }
  if (sync) syncDirectory(dir);
  return true;
}

/**
 * {@link writeFileAtomic} with the file operations on libuv's thread pool: the calling thread
 * goes on (a micro-batch reads its source while its offsets reach the disk). Same guarantees
 * once the promise resolves.
 */
export async function writeFileAtomicAsync(file: string, data: string | Uint8Array, options: { overwrite?: boolean; fsync?: boolean } = {}): Promise<boolean> {
  const sync = options.fsync !== false;
  const dir = path.dirname(file);
  await fs.promises.mkdir(dir, { recursive: true });
  const tmp = tempNameFor(file);
  const handle = await fs.promises.open(tmp, "wx");
  try {
    await handle.writeFile(typeof data === "string" ? Buffer.from(data, "utf8") : data);
    if (sync) await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (options.overwrite === false) {
      try {
        await fs.promises.link(tmp, file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw e;
      }
    } else {
      await fs.promises.rename(tmp, file);
    }
  } finally {
    await fs.promises.unlink(tmp).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "ENOENT") throw e;
    });
  }
  if (sync) await syncDirectoryAsync(dir);
  return true;
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

function removeIfPresent(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
}

/** fsync of a directory (so a rename in it is durable); ignored where the platform refuses it. */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
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
