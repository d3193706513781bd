import type { BatchSourceProvider } from "../source-registry.js";
import { stateMetadataBatchSource } from "./state-metadata-source.js";
import { stateBatchSource } from "./state-source.js";

export { stateBatchSource, resolveStateRead, readStateRows, type ResolvedStateRead } from "./state-source.js";
export { stateMetadataBatchSource, stateMetadataRows, type StateMetadataRow } from "./state-metadata-source.js";

/** `spark.read.format("state")` and `format("state-metadata")`: a checkpoint's state as DataFrames. */
export const stateBatchSources: readonly BatchSourceProvider[] = [stateBatchSource, stateMetadataBatchSource];
