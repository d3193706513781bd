import { type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { VectorBuilder } from "../../batch/vector.js";
import type { StateColumnMetadata } from "../../checkpoint/operator-metadata.js";
import { IllegalArgumentError } from "../../errors/errors.js";
import type { DataSourceRelation } from "../../plan/logical-plan.js";
import { IntegerType, LongType, StringType, type StructType, arrayType, sqlTypeName, structField, structType } from "../../types/data-type.js";
import type { BatchSourceProvider } from "../source-registry.js";
import { checkpointOperators, committedBatchIds, loadableVersions, requireCheckpointDir, storeDir } from "./state-checkpoint.js";
import { checkpointPathOf, isJoin, joinValueFields } from "./state-source.js";

/**
 * `spark.read.format("state-metadata").load(checkpointDir)`: one row per stateful operator (and
 * per named store of an operator that keeps several), as Spark's state metadata source:
 *
 * operatorId, operatorName, stateStoreName, numPartitions, minBatchId and maxBatchId (the
 * committed batches whose state every partition's files can still load: what
 * `format("state").option("batchId", ...)` accepts), keyColumns, and the key and value schemas
 * as DDL text (`word STRING`, `count(1) BIGINT`).
 */
export interface StateMetadataRow {
  readonly operatorId: number;
  readonly operatorName: string | null;
  readonly stateStoreName: string;
  readonly numPartitions: number;
  readonly minBatchId: number | null;
  readonly maxBatchId: number | null;
  readonly keyColumns: readonly string[] | null;
  readonly keySchema: string | null;
  readonly valueSchema: string | null;
}

export const STATE_METADATA_SCHEMA: StructType = structType([
  structField("operatorId", IntegerType, false),
  structField("operatorName", StringType, true),
  structField("stateStoreName", StringType, false),
  structField("numPartitions", IntegerType, false),
  structField("minBatchId", LongType, true),
  structField("maxBatchId", LongType, true),
  structField("keyColumns", arrayType(StringType, false), true),
  structField("keySchema", StringType, true),
  structField("valueSchema", StringType, true),
]);

const ddl = (cs: readonly StateColumnMetadata[]): string => cs.map((c) => `${/^[A-Za-z_][A-Za-z0-9_]*$/.test(c.name) ? c.name : "`" + c.name.replace(/`/g, "``") + "`"} ${c.type}`).join(", ");

/** The rows, read from the checkpoint now (read-only). */
export function stateMetadataRows(checkpointDir: string): StateMetadataRow[] {
  requireCheckpointDir(checkpointDir);
  const committed = new Set(committedBatchIds(checkpointDir));
  const rows: StateMetadataRow[] = [];
  for (const op of checkpointOperators(checkpointDir)) {
    for (const store of op.storeNames) {
      // Batches b with b committed and version b+1 loadable in every partition.
      let batches: number[] | undefined;
      for (const p of op.partitions) {
        const have = new Set(loadableVersions(storeDir(checkpointDir, op.operatorId, p, store)).map((v) => v - 1));
        batches = (batches ?? [...have]).filter((b) => have.has(b));
      }
      const ok = (batches ?? []).filter((b) => committed.has(b)).sort((a, b) => a - b);
      const m = op.metadata;
      rows.push({
        operatorId: op.operatorId,
        operatorName: m?.operatorName ?? null,
        stateStoreName: store,
        numPartitions: m?.numPartitions ?? op.partitions.length,
        minBatchId: ok.length ? ok[0]! : null,
        maxBatchId: ok.length ? ok[ok.length - 1]! : null,
        keyColumns: m ? m.keySchema.map((c) => c.name) : null,
        keySchema: m ? ddl(m.keySchema) : null,
        // A join's stores keep different values: each side's rows, or counts.
        valueSchema: m ? ddl(isJoin(m) ? joinValueFields(m, store).map((f) => ({ name: f.name, type: sqlTypeName(f.dataType) })) : m.valueSchema) : null,
      });
    }
  }
  return rows;
}

async function* scanStateMetadata(rel: DataSourceRelation): AsyncGenerator<RecordBatch> {
  const rows = rel.resolved as StateMetadataRow[];
  const full = rel.schema;
  const names = rel.requiredColumns ?? full.fields.map((f) => f.name);
  const fields = names.map((n) => full.fields.find((f) => f.name === n)!);
  const builders = fields.map((f) => new VectorBuilder(f.dataType, Math.max(1, rows.length)));
  for (const r of rows) fields.forEach((f, j) => builders[j]!.append((r as unknown as Record<string, unknown>)[f.name] ?? null));
  if (rows.length > 0) yield makeBatch(structType(fields), builders.map((b) => b.finish()), rows.length);
}

export const stateMetadataBatchSource: BatchSourceProvider = {
  name: "state-metadata",
  resolve(paths, options, userSchema) {
    if (userSchema !== null) throw new IllegalArgumentError("USER_SPECIFIED_SCHEMA_UNSUPPORTED", "The state-metadata source does not take a schema.");
    for (const k of Object.keys(options)) if (k.toLowerCase() !== "path") throw new IllegalArgumentError("INVALID_OPTION", `Unknown option '${k}' for the state-metadata source; it takes none.`);
    const dir = checkpointPathOf(paths, "state-metadata");
    return { schema: STATE_METADATA_SCHEMA, resolved: stateMetadataRows(dir) };
  },
  scan: (rel) => scanStateMetadata(rel),
};
