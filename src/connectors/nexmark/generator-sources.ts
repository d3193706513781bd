import type { BatchSourceProvider } from "../source-registry.js";
import { yahooBatchSource } from "../yahoo/yahoo-source.js";
import { nexmarkBatchSource } from "./nexmark-batch-source.js";

/** The benchmark generators readable with `spark.read.format(...)`: nexmark and yahoo. */
export const generatorBatchSources: readonly BatchSourceProvider[] = [nexmarkBatchSource, yahooBatchSource];
