import { AnalysisError } from "../../errors/errors.js";
import { type StructType, structField, structType } from "../../types/data-type.js";
import { assertNoDuplicateFields, fieldIndex } from "../../types/schema.js";
import { getFileFormat } from "../file-format.js";
import { FileOptions } from "./file-options.js";
import { listDataFiles } from "./list-files.js";
import { type PartitionedFile, discoverPartitions } from "./partition-discovery.js";

/** What a load resolved to; kept in the plan (DataSourceRelation.resolved) for the scan. */
export interface ResolvedFiles {
  readonly format: string;
  readonly paths: readonly string[];
  readonly files: readonly PartitionedFile[];
  /** Columns stored in the files. */
  readonly dataSchema: StructType;
  /** Columns taken from `k=v` directories, after the data columns in the full schema. */
  readonly partitionSchema: StructType;
}

/**
 * Lists the files of a load, discovers partition directories and infers (or takes) the schema.
 * Synchronous: it runs when the DataFrame is created, as Spark resolves a relation eagerly.
 * The full schema is the data columns followed by the partition columns.
 */
export function resolveFileSource(
  format: string,
  paths: readonly string[],
  options: Readonly<Record<string, string>>,
  userSchema: StructType | null,
  timeZone: string,
): { schema: StructType; resolved: ResolvedFiles } {
  const ff = getFileFormat(format);
  const opts = new FileOptions(options);
  const listed = listDataFiles(paths, options);
  const recursive = opts.bool("recursiveFileLookup", false);
  const discovered = discoverPartitions(listed.files, listed.basePaths, userSchema, timeZone, !recursive);
  const partNames = new Set(discovered.partitionSchema.fields.map((f) => f.name.toLowerCase()));
  let dataSchema: StructType;
  if (userSchema !== null) {
    dataSchema = structType(userSchema.fields.filter((f) => !partNames.has(f.name.toLowerCase())));
  } else if (ff.name === "text") {
    dataSchema = ff.inferSchema([], options, timeZone);
  } else {
    if (listed.files.length === 0) {
      throw new AnalysisError(
        "UNABLE_TO_INFER_SCHEMA",
        `[UNABLE_TO_INFER_SCHEMA] Unable to infer schema for ${ff.name === "parquet" ? "Parquet" : ff.name.toUpperCase()} at ${paths.join(", ")}. It must be specified manually.`,
      );
    }
    const inferred = ff.inferSchema(listed.files, options, timeZone);
    dataSchema = structType(inferred.fields.filter((f) => !partNames.has(f.name.toLowerCase())));
  }
  const partitionSchema = structType(discovered.partitionSchema.fields.map((f) => structField(f.name, f.dataType, true)));
  const schema = structType([...dataSchema.fields, ...partitionSchema.fields]);
  assertNoDuplicateFields(schema, `the data schema of ${paths.join(", ")}`);
  return {
    schema,
    resolved: { format: ff.name, paths: [...paths], files: discovered.files, dataSchema, partitionSchema },
  };
}

/** Whether `name` is a partition column of a resolved source. */
export function isPartitionColumn(resolved: ResolvedFiles, name: string): boolean {
  return fieldIndex(resolved.partitionSchema, name) >= 0;
}
