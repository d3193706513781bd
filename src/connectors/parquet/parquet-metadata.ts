import { type FileMetaData, type SchemaElement, parquetMetadataAsync, parquetSchema } from "hyparquet";
import { FileFormatError } from "../../errors/errors.js";
import type { StructType } from "../../types/data-type.js";
import type { FileBuffer } from "./parquet-file-buffer.js";
import { sparkSchemaOf } from "./parquet-schema.js";
import { INTERNAL_PARSERS } from "./parquet-values.js";

/** A file's footer, its Spark schema, and a copy of the footer prepared for decoding. */
export interface ParquetFooter {
  readonly metadata: FileMetaData;
  readonly schema: StructType;
  /** The footer with DECIMAL annotations removed, so hyparquet hands back exact unscaled integers. */
  readonly decodeMetadata: FileMetaData;
}

export async function readParquetFooter(file: FileBuffer, path: string): Promise<ParquetFooter> {
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file, { parsers: INTERNAL_PARSERS });
  } catch (e) {
    throw new FileFormatError("CANNOT_READ_FILE_FOOTER", `[CANNOT_READ_FILE_FOOTER] Could not read footer for file: file:${path}. ${(e as Error).message}`, { cause: e });
  }
  const schema = sparkSchemaOf(parquetSchema(metadata));
  const decodeMetadata: FileMetaData = { ...metadata, schema: metadata.schema.map(stripDecimal) };
  return { metadata, schema, decodeMetadata };
}

function stripDecimal(e: SchemaElement): SchemaElement {
  if (e.converted_type !== "DECIMAL" && e.logical_type?.type !== "DECIMAL") return e;
  const { converted_type: _c, logical_type: _l, ...rest } = e;
  return rest;
}
