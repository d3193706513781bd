import * as fs from "node:fs";
import { type TextCodec, codecOfFile, compressChunk, decompressSync } from "./compression.js";

/** The whole content of a text file as a string (decompressed by its suffix), BOM removed. */
export function readTextFileSync(path: string, encoding: BufferEncoding = "utf8"): string {
  const bytes = decompressSync(fs.readFileSync(path), codecOfFile(path));
  const s = bytes.toString(encoding);
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

export async function readTextFile(path: string, encoding: BufferEncoding = "utf8"): Promise<string> {
  const raw = await fs.promises.readFile(path);
  const s = decompressSync(raw, codecOfFile(path)).toString(encoding);
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/**
 * The text of a file, or of the lines that begin in `file.range` (a split of an uncompressed file
 * read in parallel: the lines beginning in each of a file's contiguous ranges, together, are the
 * file's lines, each once). `firstLine` is the 1-based number of the text's first line in the
 * file, counted only when `countLines` (error messages that name a line need it).
 */
export async function readTextSplit(file: { readonly path: string; readonly range?: readonly [number, number] }, encoding: BufferEncoding, countLines = false): Promise<{ text: string; firstLine: number }> {
  if (!file.range) return { text: await readTextFile(file.path, encoding), firstLine: 1 };
  const { bytes, firstLine, atStart } = await readBytesSplit(file, countLines);
  let text = bytes.toString(encoding);
  if (atStart && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, firstLine };
}

/**
 * The bytes readTextSplit decodes (decompressed): the whole file, or the lines that begin in
 * `file.range`. A byte order mark is left in place; `atStart` says the bytes begin the file (where
 * readers drop one).
 */
export async function readBytesSplit(file: { readonly path: string; readonly range?: readonly [number, number] }, countLines = false): Promise<{ bytes: Buffer; firstLine: number; atStart: boolean }> {
  if (!file.range) return { bytes: decompressSync(await fs.promises.readFile(file.path), codecOfFile(file.path)), firstLine: 1, atStart: true };
  const fh = await fs.promises.open(file.path, "r");
  try {
    const size = (await fh.stat()).size;
    const [start, end] = file.range;
    const from = start <= 0 ? 0 : await lineStartAtOrAfter(fh, start, size);
    const to = end >= size ? size : await lineStartAtOrAfter(fh, end, size);
    const bytes = Buffer.alloc(Math.max(0, to - from));
    if (bytes.length > 0) await fh.read(bytes, 0, bytes.length, from);
    return { bytes, firstLine: countLines && from > 0 ? 1 + (await countNewlines(fh, from)) : 1, atStart: from === 0 };
  } finally {
    await fh.close();
  }
}

const CHUNK = 64 * 1024;

/** The first position ≥ pos that begins a line (follows a \n), or the file size. */
async function lineStartAtOrAfter(fh: fs.promises.FileHandle, pos: number, size: number): Promise<number> {
  const buf = Buffer.alloc(CHUNK);
  for (let at = pos - 1; at < size; at += CHUNK) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, size - at), at);
    const nl = buf.subarray(0, bytesRead).indexOf(10);
    if (nl >= 0) return at + nl + 1;
    if (bytesRead === 0) break;
  }
  return size;
}

async function countNewlines(fh: fs.promises.FileHandle, upTo: number): Promise<number> {
  const buf = Buffer.alloc(CHUNK);
  let n = 0;
  for (let at = 0; at < upTo; at += CHUNK) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, upTo - at), at);
    const b = buf.subarray(0, bytesRead);
    for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
    if (bytesRead === 0) break;
  }
  return n;
}

/**
 * Up to `maxBytes` of the start of a file's text (for schema inference); the cut is at a line
 * end so no partial record is returned unless the file has a single huge line.
 */
export function readTextPrefixSync(path: string, maxBytes: number): string {
  const codec = codecOfFile(path);
  if (codec !== "none") {
    const all = readTextFileSync(path);
    return all.length > maxBytes ? cutAtLine(all.slice(0, maxBytes)) : all;
  }
  const fd = fs.openSync(path, "r");
  try {
    const buf = Buffer.alloc(Math.min(maxBytes, fs.fstatSync(fd).size));
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    let s = buf.subarray(0, n).toString("utf8");
    if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    return n === maxBytes ? cutAtLine(s) : s;
  } finally {
    fs.closeSync(fd);
  }
}

function cutAtLine(s: string): string {
  const nl = s.lastIndexOf("\n");
  return nl > 0 ? s.slice(0, nl + 1) : s;
}

/** Buffers text and writes it to a file in large (optionally compressed) chunks. */
export class TextFileSink {
  private parts: string[] = [];
  private size = 0;
  private constructor(
    private readonly handle: fs.promises.FileHandle,
    private readonly codec: TextCodec,
    private readonly encoding: BufferEncoding,
  ) {}

  static async open(path: string, codec: TextCodec, encoding: BufferEncoding = "utf8"): Promise<TextFileSink> {
    return new TextFileSink(await fs.promises.open(path, "wx"), codec, encoding);
  }

  async write(text: string): Promise<void> {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 22) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const bytes = Buffer.from(this.parts.join(""), this.encoding);
    this.parts = [];
    this.size = 0;
    await this.handle.write(await compressChunk(bytes, this.codec));
  }

  async close(): Promise<void> {
    try {
      await this.flush();
      if (this.codec === "gzip" && (await this.handle.stat()).size === 0) await this.handle.write(await compressChunk(Buffer.alloc(0), "gzip"));
      await this.handle.sync();
    } finally {
      await this.handle.close();
    }
  }

  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
