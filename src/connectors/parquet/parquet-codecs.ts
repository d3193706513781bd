import type { CompressionCodec } from "hyparquet";
import * as zlib from "node:zlib";
import { compress as zstdCompress } from "zstd-napi";
import { IllegalArgumentError } from "../../errors/errors.js";
import { FileOptions } from "../files/file-options.js";

/**
 * Codecs Sluice can write: hyparquet-writer's built-in snappy, gzip and brotli from node:zlib,
 * zstd from zstd-napi (Node 20's zlib has none; level 3, Spark's default). lz4 is not written
 * (Spark's "lz4" is Hadoop's framing, not a plain block); every codec can be read
 * (hyparquet-compressors).
 */
const WRITE_CODECS: Readonly<Record<string, CompressionCodec>> = {
  none: "UNCOMPRESSED",
  uncompressed: "UNCOMPRESSED",
  snappy: "SNAPPY",
  gzip: "GZIP",
  brotli: "BROTLI",
  zstd: "ZSTD",
};

/** Writer compressors take only the input (hyparquet-writer's Compressor signature). */
export const WRITE_COMPRESSORS: { readonly [K in CompressionCodec]?: (input: Uint8Array) => Uint8Array } = {
  GZIP: (input: Uint8Array) => new Uint8Array(zlib.gzipSync(input)),
  BROTLI: (input: Uint8Array) => new Uint8Array(zlib.brotliCompressSync(input)),
  ZSTD: (input: Uint8Array) => new Uint8Array(zstdCompress(input, { compressionLevel: 3 })),
};

/** The codec the `compression` option asks for (Spark's default: snappy). */
export function parquetWriteCodec(options: Readonly<Record<string, string>>): CompressionCodec {
  const o = new FileOptions(options);
  const v = (o.get("compression") ?? o.get("parquet.compression") ?? "snappy").toLowerCase();
  const c = WRITE_CODECS[v];
  if (c === undefined) {
    throw new IllegalArgumentError(
      "CODEC_NOT_AVAILABLE",
      `Codec [${v}] is not available. Available codecs are ${Object.keys(WRITE_CODECS).join(", ")}.`,
    );
  }
  return c;
}

export function parquetCodecSuffix(c: CompressionCodec): string {
  switch (c) {
    case "SNAPPY": return ".snappy";
    case "GZIP": return ".gz";
    case "BROTLI": return ".br";
    case "ZSTD": return ".zstd";
    default: return "";
  }
}
