import * as fs from "node:fs";
import { parquetMetadata, parquetSchema } from "hyparquet";
import { FileFormatError } from "../../errors/errors.js";
import type { StructType } from "../../types/data-type.js";
import { sparkSchemaOf } from "./parquet-schema.js";

/** The Spark schema of a Parquet file, reading only its footer (synchronously, for load time). */
export function readParquetFooterSync(path: string): StructType {
  const fd = fs.openSync(path, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const bad = (why: string): FileFormatError =>
      new FileFormatError("CANNOT_READ_FILE_FOOTER", `[CANNOT_READ_FILE_FOOTER] Could not read footer for file: file:${path}. ${why}`);
    if (size < 12) throw bad("It is too small to be a Parquet file.");
    const tail = Buffer.alloc(8);
    fs.readSync(fd, tail, 0, 8, size - 8);
    if (tail.toString("latin1", 4, 8) !== "PAR1") throw bad("It is not a Parquet file (no PAR1 magic at the end).");
    const metaLen = tail.readUInt32LE(0);
    if (metaLen + 8 > size) throw bad("The footer length is invalid.");
    const buf = new Uint8Array(new ArrayBuffer(metaLen + 8));
    fs.readSync(fd, buf, 0, metaLen + 8, size - metaLen - 8);
    try {
      return sparkSchemaOf(parquetSchema(parquetMetadata(buf.buffer)));
    } catch (e) {
      throw bad((e as Error).message);
    }
  } finally {
    fs.closeSync(fd);
  }
}
