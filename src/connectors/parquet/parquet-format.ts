import { FileFormatError } from "../../errors/errors.js";
import { type StructField, type StructType, structType } from "../../types/data-type.js";
import type { FileFormat } from "../file-format.js";
import type { FileInfo } from "../files/file-info.js";
import { FileOptions } from "../files/file-options.js";
import { parquetCodecSuffix, parquetWriteCodec } from "./parquet-codecs.js";
import { readParquetFooterSync } from "./parquet-footer-sync.js";
import { readParquetFile } from "./parquet-reader.js";
import { checkParquetType } from "./parquet-schema.js";
import { writeParquetFile } from "./parquet-writer.js";

/**
 * The schema of Parquet files, from footers only: the first file's, or with `mergeSchema`
 * the union of all files' columns (first appearance order).
 */
function inferParquetSchema(files: readonly FileInfo[], options: Readonly<Record<string, string>>): StructType {
  const merge = new FileOptions(options).bool("mergeSchema", false);
  const fields: StructField[] = [];
  const seen = new Map<string, StructField>();
  for (const f of merge ? files : files.slice(0, 1)) {
    const s = readParquetFooterSync(f.path);
    for (const x of s.fields) {
      const prev = seen.get(x.name.toLowerCase());
      if (prev === undefined) {
        seen.set(x.name.toLowerCase(), x);
        fields.push(x);
      } else if (prev.dataType.kind !== x.dataType.kind) {
        throw new FileFormatError(
          "CANNOT_MERGE_SCHEMAS",
          `[CANNOT_MERGE_SCHEMAS] Failed merging schemas: column \`${x.name}\` has incompatible types in file:${f.path}.`,
        );
      }
    }
  }
  return structType(fields);
}

/** Spark's `parquet` source (hyparquet for reading, hyparquet-writer for writing). */
export const parquetFormat: FileFormat = {
  name: "parquet",
  inferSchema: inferParquetSchema,
  readFile: readParquetFile,
  writeFile: writeParquetFile,
  checkWriteSchema(schema) {
    for (const f of schema.fields) checkParquetType(f.name, f.dataType);
  },
  extension: (options) => parquetCodecSuffix(parquetWriteCodec(options)) + ".parquet",
};
