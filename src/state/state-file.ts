import { createHash, type Hash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { createExclusive, fsyncAsync, syncDirectory, syncDirectoryAsync, tempNameFor, writeAll } from "../checkpoint/atomic-file.js";
import { CheckpointError } from "../checkpoint/checkpoint-error.js";
import type { StateKey } from "./state-key.js";
import { StateStoreCorruptError } from "./state-store.js";
import { ByteReader, ByteWriter, writeValue } from "./state-value-codec.js";

/**
 * The delta and snapshot files of a store, shared by every provider (so a checkpoint written with
 * one provider restores with the other):
 *
 *   header   "SLST" | format version (1 byte) | kind (1 byte: 1 delta, 2 snapshot)
 *   records  op (1 byte: 1 put, 2 remove) | varint key length | key bytes
 *            [| varint value length | value bytes (state-value-codec)]   (puts only)
 *   trailer  0xFF | varint record count | SHA-256 of every byte before it (32 bytes)
 *
 * A delta holds the puts and removes of one commit and is written as a block of the store's
 * changelog (state-changelog.ts); checkpoints of earlier Sluice versions hold deltas as files of
 * their own, `<version>.delta`, which still load. A snapshot holds every entry of one version, in
 * `<version>.snapshot`, written to a temp file, fsync'ed and renamed, so a reader sees a whole
 * file or none. The checksum catches truncation and bit rot. A reader refuses a newer format version.
 */
export const STATE_FILE_FORMAT_VERSION = 1;
const MAGIC = Buffer.from("SLST", "latin1");
const OP_PUT = 1, OP_REMOVE = 2, END = 0xff;
const HASH_BYTES = 32;
const FLUSH_BYTES = 1 << 20;

export type StateFileKind = "delta" | "snapshot";
const KIND_BYTE: Record<StateFileKind, number> = { delta: 1, snapshot: 2 };

export function stateFileName(version: number, kind: StateFileKind): string {
  return `${version}.${kind}`;
}

/**
 * Where a state file's bytes go: a file of its own, written through a temp file and renamed into
 * place ({@link atomicStateFile}), or a block of a store's changelog (state-changelog.ts).
 */
export interface StateFileSink {
  /** Appends bytes (not yet durable nor visible). */
  write(chunk: Uint8Array): void;
  /** Everything is written: makes it durable (with fsync) and visible. */
  seal(): void;
  /** {@link seal} with its fsyncs on libuv's thread pool, so several stores' files sync in parallel. */
  sealAsync(): Promise<void>;
  /** Drops what was written (after an error). */
  discard(): void;
}

/**
 * A state file of its own, written atomically through a temp file (created at the first write),
 * fsync'ed and renamed into place, then its directory fsync'ed. Creating, writing, closing and
 * renaming a small file take tens of microseconds each and stay on the calling thread; only the
 * fsyncs of {@link StateFileSink.sealAsync} go to libuv's pool (each step there is a round trip
 * that waits for a turn of the event loop).
 */
export function atomicStateFile(file: string, fsync = true): StateFileSink {
  const tmp = tempNameFor(file);
  let fd: number | undefined;
  const close = (): void => {
    const f = fd!;
    fd = undefined;
    fs.closeSync(f);
    fs.renameSync(tmp, file);
  };
  return {
    write(chunk) {
      writeAll((fd ??= createExclusive(tmp)), chunk);
    },
    seal() {
      if (fsync) fs.fsyncSync(fd!);
      close();
      if (fsync) syncDirectory(path.dirname(file));
    },
    async sealAsync() {
      if (fsync) await fsyncAsync(fd!);
      close();
      if (fsync) await syncDirectoryAsync(path.dirname(file));
    },
    discard() {
      if (fd !== undefined) {
        try { fs.closeSync(fd); } catch { /* already closed */ }
        fd = undefined;
      }
      fs.rmSync(tmp, { force: true });
    },
  };
}

/** Encodes one state file into a {@link StateFileSink}, a megabyte at a time. */
export class StateFileWriter {
  private readonly w = new ByteWriter(64 * 1024);
  private readonly hash: Hash = createHash("sha256");
  private count = 0;
  private bytesWritten = 0;

  constructor(
    private readonly sink: StateFileSink,
    readonly kind: StateFileKind,
  ) {
    this.w.bytes(MAGIC);
    this.w.byte(STATE_FILE_FORMAT_VERSION);
    this.w.byte(KIND_BYTE[kind]);
  }

  /** A writer of the state file `file` of its own (a snapshot; deltas go to the store's changelog). */
  static toFile(file: string, kind: StateFileKind, fsync = true): StateFileWriter {
    return new StateFileWriter(atomicStateFile(file, fsync), kind);
  }

  /** Appends a put of a value that is encoded here, straight into the file buffer. */
  put(key: StateKey, value: unknown): void {
    const w = this.w;
    w.byte(OP_PUT);
    w.varint(key.length);
    w.latin1(key);
    // One byte reserved for the value's length (most values are < 128 bytes); moved when longer.
    w.ensure(1);
    const start = ++w.pos;
    writeValue(w, value);
    w.lengthBefore(start, 1);
    this.count++;
    if (w.pos >= FLUSH_BYTES) this.flush();
  }

  /** Appends a put of an already encoded value. */
  putEncoded(key: StateKey, value: Uint8Array, start = 0, end = value.length): void {
    const w = this.w;
    w.byte(OP_PUT);
    w.varint(key.length);
    w.latin1(key);
    w.varint(end - start);
    w.bytes(value, start, end);
    this.count++;
    if (w.pos >= FLUSH_BYTES) this.flush();
  }

  remove(key: StateKey): void {
    const w = this.w;
    w.byte(OP_REMOVE);
    w.varint(key.length);
    w.latin1(key);
    this.count++;
    if (w.pos >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    const chunk = this.w.buf.subarray(0, this.w.pos);
    this.hash.update(chunk);
    this.sink.write(chunk);
    this.bytesWritten += chunk.length;
    this.w.reset();
  }

  /** Writes the trailer and seals the sink (durable and in place). Returns the file's checksum (hex) and size. */
  finish(): StateFileWritten {
    const r = this.writeTail();
    this.sink.seal();
    return r;
  }

  /** {@link finish} with the fsyncs off the thread: resolves once the file is in place (and durable, with fsync). */
  async finishAsync(): Promise<StateFileWritten> {
    const r = this.writeTail();
    await this.sink.sealAsync();
    return r;
  }

  /** The trailer appended and the bytes not yet written (the buffer's tail and the checksum) written in one write. */
  private writeTail(): StateFileWritten {
    this.w.byte(END);
    this.w.varint(this.count);
    const n = this.w.pos;
    this.hash.update(this.w.buf.subarray(0, n));
    const tail = Buffer.allocUnsafe(n + HASH_BYTES);
    this.w.buf.copy(tail, 0, 0, n);
    const digest = this.hash.digest();
    digest.copy(tail, n);
    this.bytesWritten += n;
    this.w.reset();
    this.sink.write(tail);
    return { checksum: digest.toString("hex"), bytes: this.bytesWritten + HASH_BYTES, records: this.count };
  }

  /** Drops what was written (after an error). */
  discard(): void {
    this.sink.discard();
  }
}

export interface StateFileWritten {
  readonly checksum: string;
  readonly bytes: number;
  readonly records: number;
}

/** One record of a state file; `value` is the encoded value's [start, end) in `buf` (puts only). */
export interface StateRecord {
  readonly op: "put" | "remove";
  readonly key: StateKey;
  readonly buf: Buffer;
  readonly start: number;
  readonly end: number;
}

/**
 * Reads and verifies a whole state file. Throws {@link StateStoreCorruptError} (naming the file)
 * when it is missing, truncated, fails its checksum or does not parse, and CheckpointError
 * CHECKPOINT_VERSION_TOO_NEW for a newer format.
 */
export function readStateFile(file: string, kind: StateFileKind): { records: StateRecord[]; checksum: string } {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      throw new StateStoreCorruptError(`CANNOT_LOAD_STATE_STORE.CANNOT_READ_${kind.toUpperCase()}_FILE_NOT_EXISTS`, `The state ${kind} file ${file} does not exist, so the state version it holds cannot be loaded.`, file);
    }
    throw e;
  }
  return parseStateFile(data, 0, data.length, kind, file, `The state ${kind} file ${file}`);
}

/** The bytes of a state file whose checksum matches its content (a sealed file or changelog block). */
export function hasValidChecksum(data: Buffer, start: number, end: number): boolean {
  if (end - start < MAGIC.length + 2 + 2 + HASH_BYTES) return false;
  const actual = createHash("sha256").update(data.subarray(start, end - HASH_BYTES)).digest();
  return actual.equals(data.subarray(end - HASH_BYTES, end));
}

/**
 * Parses and verifies the state file image in `data[start, end)`: a file of its own or a block of a
 * changelog (`what` names it in errors, `file` is the file holding it).
 */
export function parseStateFile(data: Buffer, start: number, end: number, kind: StateFileKind, file: string, what: string): { records: StateRecord[]; checksum: string } {
  const bad = (why: string, cause?: unknown): never => {
    throw new StateStoreCorruptError("CANNOT_LOAD_STATE_STORE.CORRUPT_FILE", `${what} is corrupt: ${why}. Sluice never loads it as empty state; restore the file, or delete the checkpoint's state to start over.`, file, { cause });
  };
  if (end - start < MAGIC.length + 2 + 2 + HASH_BYTES) bad(`it is ${end - start} bytes long, shorter than an empty state file (truncated?)`);
  if (!data.subarray(start, start + 4).equals(MAGIC)) bad("it does not start with the state file marker SLST");
  const version = data[start + 4]!;
  if (version > STATE_FILE_FORMAT_VERSION) {
    throw new CheckpointError("CHECKPOINT_VERSION_TOO_NEW", `${what} has format version ${version}, but this version of Sluice reads up to ${STATE_FILE_FORMAT_VERSION}. The checkpoint was written by a newer Sluice; upgrade Sluice to use it.`);
  }
  const bodyEnd = end - HASH_BYTES;
  if (!hasValidChecksum(data, start, end)) bad("its SHA-256 checksum does not match its content (truncated or damaged)");
  if (data[start + 5] !== KIND_BYTE[kind]) bad(`its header says it is a ${data[start + 5] === 1 ? "delta" : data[start + 5] === 2 ? "snapshot" : "unknown kind"} file`);
  const r = new ByteReader(data, start + 6, bodyEnd);
  const records: StateRecord[] = [];
  try {
    while (true) {
      const op = r.byte();
      if (op === END) {
        const n = r.varint();
        if (n !== records.length) bad(`its trailer counts ${n} records but it holds ${records.length}`);
        if (r.pos !== bodyEnd) bad("bytes follow its trailer");
        break;
      }
      if (op !== OP_PUT && op !== OP_REMOVE) bad(`unknown record type ${op} at offset ${r.pos - 1}`);
      const kl = r.varint();
      r.need(kl);
      const key = data.toString("latin1", r.pos, r.pos + kl);
      r.pos += kl;
      if (op === OP_PUT) {
        const vl = r.varint();
        r.need(vl);
        records.push({ op: "put", key, buf: data, start: r.pos, end: r.pos + vl });
        r.pos += vl;
      } else {
        records.push({ op: "remove", key, buf: data, start: 0, end: 0 });
      }
    }
  } catch (e) {
    if (e instanceof StateStoreCorruptError) throw e;
    bad((e as Error).message, e);
  }
  return { records, checksum: data.toString("hex", bodyEnd, end) };
}

/** The checksum stored in a state file's trailer (hex), without reading the whole file; undefined if absent. */
export function readStateFileChecksum(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return undefined;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size < HASH_BYTES) return undefined;
    const b = Buffer.alloc(HASH_BYTES);
    fs.readSync(fd, b, 0, HASH_BYTES, size - HASH_BYTES);
    return b.toString("hex");
  } finally {
    fs.closeSync(fd);
  }
}
