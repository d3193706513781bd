import { promisify } from "node:util";
import * as zlib from "node:zlib";
import { IllegalArgumentError } from "../../errors/errors.js";
import { FileOptions } from "./file-options.js";

/** Compression codecs for the text formats (JSON, CSV, text). */
export type TextCodec = "none" | "gzip" | "deflate";

const gzip = promisify(zlib.gzip);
const deflate = promisify(zlib.deflate);

/** The codec the `compression` (alias `codec`) option asks for when writing. */
export function textWriteCodec(options: Readonly<Record<string, string>>): TextCodec {
  const o = new FileOptions(options);
  const v = (o.get("compression") ?? o.get("codec") ?? "none").toLowerCase();
  if (v === "none" || v === "uncompressed") return "none";
  if (v === "gzip") return "gzip";
  if (v === "deflate") return "deflate";
  throw new IllegalArgumentError(
    "CODEC_NOT_AVAILABLE",
    `Codec [${v}] is not available. Available codecs are none, uncompressed, gzip, deflate.`,
  );
}

export function codecSuffix(codec: TextCodec): string {
  return codec === "gzip" ? ".gz" : codec === "deflate" ? ".deflate" : "";
}

/** The codec of an existing file, from its name as Hadoop decides it. */
export function codecOfFile(path: string): TextCodec {
  if (path.endsWith(".gz")) return "gzip";
  if (path.endsWith(".deflate")) return "deflate";
  return "none";
}

export function decompressSync(bytes: Buffer, codec: TextCodec): Buffer {
  if (codec === "gzip") return zlib.gunzipSync(bytes);
  if (codec === "deflate") return zlib.inflateSync(bytes);
  return bytes;
}

/** Compresses one chunk; gzip chunks are whole members, so they may be concatenated. */
export async function compressChunk(bytes: Buffer, codec: TextCodec): Promise<Buffer> {
  if (codec === "gzip") return gzip(bytes);
  if (codec === "deflate") return deflate(bytes);
  return bytes;
}
