import { AnalysisError } from "../../errors/errors.js";
import { sqlTypeName } from "../../types/data-type.js";
import type { FileFormat } from "../file-format.js";
import { codecSuffix, textWriteCodec } from "../files/compression.js";
import { inferCsvSchema } from "./csv-infer.js";
import { readCsvFile } from "./csv-reader.js";
import { writeCsvFile } from "./csv-writer.js";

const UNSUPPORTED = new Set(["array", "map", "struct", "binary", "interval"]);

/** Spark's `csv` source. */
export const csvFormat: FileFormat = {
  name: "csv",
  inferSchema: inferCsvSchema,
  readFile: readCsvFile,
  writeFile: writeCsvFile,
  checkWriteSchema(schema) {
    for (const f of schema.fields) {
      if (UNSUPPORTED.has(f.dataType.kind)) {
        throw new AnalysisError(
          "UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE",
          `[UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE] The CSV datasource doesn't support the column \`${f.name}\` of the type "${sqlTypeName(f.dataType)}".`,
        );
      }
    }
  },
  extension: (options) => ".csv" + codecSuffix(textWriteCodec(options)),
};
