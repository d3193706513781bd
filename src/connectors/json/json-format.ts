import { AnalysisError } from "../../errors/errors.js";
import { simpleString } from "../../types/data-type.js";
import type { FileFormat } from "../file-format.js";
import { codecSuffix, textWriteCodec } from "../files/compression.js";
import { inferJsonSchema } from "./json-infer.js";
import { readJsonFile } from "./json-reader.js";
import { writeJsonFile } from "./json-writer.js";

/** Spark's `json` source: JSON Lines by default, one document per file with `multiLine`. */
export const jsonFormat: FileFormat = {
  name: "json",
  inferSchema: inferJsonSchema,
  readFile: readJsonFile,
  writeFile: writeJsonFile,
  checkWriteSchema(schema) {
    for (const f of schema.fields) {
      if (f.dataType.kind === "interval") {
        throw new AnalysisError("UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE", `The JSON datasource doesn't support the column \`${f.name}\` of the type "${simpleString(f.dataType).toUpperCase()}".`);
      }
    }
  },
  extension: (options) => ".json" + codecSuffix(textWriteCodec(options)),
};
