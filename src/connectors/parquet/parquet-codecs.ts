import type { CompressionCodec } from "hyparquet";
import * as zlib from "node:zlib";
import { IllegalArgumentError } from "../../errors/errors.js";
import { FileOptions } from "../files/file-options.js";

/**
 * Codecs Sluice can write: hyparquet-writer's built-in snappy, and gzip and brotli from
 * node:zlib. zstd and lz4 need native compressors that are not dependencies (Node 20's zlib has
 * no zstd); every codec can be read (hyparquet-compressors).
 */
const WRITE_CODECS: Readonly<Record<string, CompressionCodec>> = {
  none: "UNCOMPRESSED",
  uncompressed: "UNCOMPRESSED",
  snappy: "SNAPPY",
  gzip: "GZIP",
  brotli: "BROTLI",
};

/** Writer compressors take only the input (hyparquet-writer's Compressor signature). */
export const WRITE_COMPRESSORS: { readonly [K in CompressionCodec]?: (input: Uint8Array) => Uint8Array } = {
  GZIP: (input: Uint8Array) => new Uint8Array(zlib.gzipSync(input)),
  BROTLI: (input: Uint8Array) => new Uint8Array(zlib.brotliCompressSync(input)),
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
    default: return "";
  }
}
