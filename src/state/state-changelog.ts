import * as fs from "node:fs";
import * as path from "node:path";
import { createExclusive, syncDirectory } from "../checkpoint/atomic-file.js";
import { CheckpointError } from "../checkpoint/checkpoint-error.js";
import { hasValidChecksum, StateFileWriter, type StateFileSink } from "./state-file.js";
import { StateStoreCorruptError } from "./state-store.js";

/**
 * A store's changelog: the deltas of consecutive versions appended to one file, `<start>.changelog`,
 * instead of a file per version. On this project's VM creating a file costs about 0.3 ms (README,
 * "Micro-batch latency"), several times what a small delta's bytes cost; a micro-batch with four
 * state partitions created four, on the path from its events to its output. Flink's changelog
 * state backend and RocksDB's write-ahead log append for the same reason.
 *
 *   header  "SLCL" | format version (1 byte)
 *   blocks  body length (u32 LE) | version (f64 LE) | body: the bytes of a delta file (state-file.ts,
 *           with its SHA-256 trailer)
 *
 * A block's body is written first and its 12-byte header last, then the file is fdatasync'ed
 * (with fsync on): commit() returns only after that, and `commits/N` is written after every
 * state commit of batch N, so a block of a committed batch is whole. A crash can leave a torn
 * last block (its header missing, naming another version, running past the end of the file, or
 * failing its checksum): readers ignore it, as the batch that wrote it is re-run.
 *
 * Which blocks count: a changelog starting at S supersedes every block of version >= S in
 * changelogs that start before S. A new changelog starts whenever a store writes a version that
 * does not follow its open changelog's last block (the first commit of a process, a batch re-run
 * from an older version, the first commit after a snapshot), so blocks of a discarded run of
 * those batches never count, without rewriting the older file.
 */
const MAGIC = Buffer.from("SLCL", "latin1");
const CHANGELOG_FORMAT_VERSION = 1;
const FILE_HEADER = MAGIC.length + 1;
const BLOCK_HEADER = 12;

export function changelogName(start: number): string {
  return `${start}.changelog`;
}

const NAME = /^(\d+)\.changelog$/;

/** The first version of the changelog with this file name, or undefined. */
export function parseChangelogName(name: string): number | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const start = Number(m[1]);
  return Number.isSafeInteger(start) && start > 0 ? start : undefined;
}

/** One delta in a changelog: the body's [start, end) in the file. */
export interface ChangelogBlock {
  readonly version: number;
  readonly start: number;
  readonly end: number;
}

/**
 * The blocks of a changelog file, in order, without the torn last block a crash may leave (its
 * checksum is checked; the other blocks' are checked when they are loaded). Reads the block
 * headers and the last block only. Throws StateStoreCorruptError when the file header is wrong.
 */
export function scanChangelog(file: string, start: number): ChangelogBlock[] {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, FILE_HEADER));
    fs.readSync(fd, head, 0, head.length, 0);
    checkFileHeader(file, head, size);
    const blocks: ChangelogBlock[] = [];
    const h = Buffer.alloc(BLOCK_HEADER);
    let pos = FILE_HEADER;
    while (pos + BLOCK_HEADER <= size && fs.readSync(fd, h, 0, BLOCK_HEADER, pos) === BLOCK_HEADER) {
      const len = h.readUInt32LE(0);
      const version = h.readDoubleLE(4);
      const bodyStart = pos + BLOCK_HEADER;
      if (version !== start + blocks.length || len === 0 || bodyStart + len > size) break;
      blocks.push({ version, start: bodyStart, end: bodyStart + len });
      pos = bodyStart + len;
    }
    const last = blocks[blocks.length - 1];
    if (last && !hasValidChecksum(readBlock(fd, last), 0, last.end - last.start)) blocks.pop();
    return blocks;
  } finally {
    fs.closeSync(fd);
  }
}

/** The body of one block. */
export function readBlock(fd: number, b: ChangelogBlock): Buffer {
  const buf = Buffer.allocUnsafe(b.end - b.start);
  let off = 0;
  while (off < buf.length) {
    const n = fs.readSync(fd, buf, off, buf.length - off, b.start + off);
    if (n === 0) throw new Error(`unexpected end of file at byte ${b.start + off}`);
    off += n;
  }
  return buf;
}

/** Throws unless `head` (the first bytes of a file of `size` bytes) is a changelog's header, or what a crash right after creating one leaves. */
function checkFileHeader(file: string, head: Buffer, size: number): void {
  if (size < FILE_HEADER && MAGIC.subarray(0, size).equals(head)) return; // created, header not yet written: holds nothing
  if (size < FILE_HEADER || !head.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new StateStoreCorruptError("CANNOT_LOAD_STATE_STORE.CORRUPT_FILE", `The state changelog ${file} is corrupt: it does not start with the changelog marker SLCL.`, file);
  }
  const format = head[MAGIC.length]!;
  if (format > CHANGELOG_FORMAT_VERSION) {
    throw new CheckpointError("CHECKPOINT_VERSION_TOO_NEW", `The state changelog ${file} has format version ${format}, but this version of Sluice reads up to ${CHANGELOG_FORMAT_VERSION}. The checkpoint was written by a newer Sluice; upgrade Sluice to use it.`);
  }
}

/**
 * The changelog a store appends its deltas to. One per store, owned by the thread that owns the
 * store; the file stays open between commits.
 */
export class ChangelogSegment {
  private constructor(
    readonly file: string,
    readonly start: number,
    private fd: number | undefined,
    /** Where the next block goes: the end of the last sealed block. */
    private end: number,
    private readonly fsync: boolean,
  ) {
    this.next = start;
  }

  /** The version the next block must hold. */
  next: number;
  /** fdatasyncs in flight, and whether close() waits for them. */
  private syncing = 0;
  private closeWhenSynced = false;

  /** Creates `<start>.changelog` in `dir` (durably, with fsync: the file and its directory entry). */
  static create(dir: string, start: number, fsync: boolean): ChangelogSegment {
    const file = path.join(dir, changelogName(start));
    const fd = createExclusive(file);
    try {
      const header = Buffer.alloc(FILE_HEADER);
      MAGIC.copy(header);
      header[MAGIC.length] = CHANGELOG_FORMAT_VERSION;
      fs.writeSync(fd, header, 0, header.length, 0);
      if (fsync) {
        fs.fsyncSync(fd);
        syncDirectory(dir);
      }
    } catch (e) {
      fs.closeSync(fd);
      fs.rmSync(file, { force: true });
      throw e;
    }
    return new ChangelogSegment(file, start, fd, FILE_HEADER, fsync);
  }

  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  /** A writer of the delta of `version`, appended as the next block. */
  deltaWriter(version: number): StateFileWriter {
    if (version !== this.next) throw new Error(`internal: the changelog ${this.file} holds versions up to ${this.next - 1}; cannot append version ${version}`);
    return new StateFileWriter(this.blockSink(version), "delta");
  }

  private blockSink(version: number): StateFileSink {
    const fd = this.fd;
    if (fd === undefined) throw new Error(`internal: the changelog ${this.file} is closed`);
    const blockStart = this.end;
    let pos = blockStart + BLOCK_HEADER;
    const sealHeader = (): void => {
      const header = Buffer.allocUnsafe(BLOCK_HEADER);
      header.writeUInt32LE(pos - blockStart - BLOCK_HEADER, 0);
      header.writeDoubleLE(version, 4);
      fs.writeSync(fd, header, 0, BLOCK_HEADER, blockStart);
    };
    const sealed = (): void => {
      this.end = pos;
      this.next = version + 1;
    };
    return {
      write: (chunk) => {
        let off = 0;
        while (off < chunk.length) off += fs.writeSync(fd, chunk, off, chunk.length - off, pos + off);
        pos += chunk.length;
      },
      seal: () => {
        sealHeader();
        if (this.fsync) fs.fdatasyncSync(fd);
        sealed();
      },
      sealAsync: async () => {
        sealHeader();
        if (this.fsync) {
          this.syncing++;
          try {
            await new Promise<void>((resolve, reject) => fs.fdatasync(fd, (e) => (e ? reject(e) : resolve())));
          } finally {
            if (--this.syncing === 0 && this.closeWhenSynced) fs.closeSync(fd);
          }
        }
        sealed();
      },
      // A failed block's bytes are cut off, so that nothing after the last sealed block can be
      // read as a block; the next attempt writes at the same place.
      discard: () => {
        try {
          fs.ftruncateSync(fd, this.end);
        } catch {
          // the file is unusable; the next commit starts a new changelog
          this.close();
        }
      },
    };
  }

  /** Closes the file (once an fdatasync running on libuv's pool has ended: its descriptor must stay valid). */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    if (this.syncing > 0) this.closeWhenSynced = true;
    else fs.closeSync(fd);
  }
}
