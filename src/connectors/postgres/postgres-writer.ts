import type { RecordBatch } from "../../batch/record-batch.js";
import { AnalysisError, IllegalArgumentError } from "../../errors/errors.js";
import type { StructType } from "../../types/data-type.js";
import type { SaveMode, WriteResult } from "../files/write-file-source.js";
import { connect, connectionSpec, withRetries } from "./postgres-connection.js";
import { copyBatches } from "./postgres-copy.js";
import { parsePostgresOptions, requireTable } from "./postgres-options.js";
import { type ColumnTarget, createTableSql, matchSchema, tableColumns } from "./postgres-table.js";
import { sparkToPgDdl } from "./postgres-types.js";

/**
 * `df.write.format("postgres")`: one transaction per save (DDL included, PostgreSQL's DDL is
 * transactional), so a failed or interrupted save leaves the table as it was.
 *
 * | mode          | table exists                                              | table missing  |
 * |---------------|-----------------------------------------------------------|----------------|
 * | append        | check the schema, COPY                                    | CREATE, COPY   |
 * | overwrite     | DROP, CREATE, COPY; with `truncate`: check, TRUNCATE, COPY | CREATE, COPY   |
 * | errorifexists | error naming the table                                    | CREATE, COPY   |
 * | ignore        | nothing                                                   | CREATE, COPY   |
 *
 * A transient connection loss retries the whole transaction (`retries`, `retryBackoffMs`).
 *
 * @example
 * await df.write.format("postgres").option("url", "postgresql://u:p@127.0.0.1:5432/db")
 *   .option("dbtable", "public.events").mode("append").save();
 */
export async function writePostgres(
  path: string | null,
  mode: SaveMode,
  partitionBy: readonly string[],
  options: Readonly<Record<string, string>>,
  schema: StructType,
  batches: AsyncIterable<RecordBatch>,
  timeZone: string,
): Promise<WriteResult> {
  if (partitionBy.length > 0) throw new IllegalArgumentError("UNSUPPORTED_PARTITION_BY", `partitionBy is not supported by format("postgres") (a table has no partition directories).`);
  const o = parsePostgresOptions(options, path);
  const table = requireTable(o, `to write with format("postgres")`);
  for (const f of schema.fields) sparkToPgDdl(f.dataType, f.name); // unsupported types fail before connecting
  const all: RecordBatch[] = [];
  for await (const b of batches) all.push(b);
  const spec = connectionSpec(o);
  return withRetries(o, spec, async () => {
    const client = await connect(spec);
    try {
      await client.query("BEGIN");
      const existing = await tableColumns(client, table);
      let targets: ColumnTarget[] = schema.fields.map((f) => ({ name: f.name, type: null }));
      if (existing !== null) {
        if (mode === "errorifexists") {
          throw new AnalysisError("TABLE_OR_VIEW_ALREADY_EXISTS", `Table ${table} already exists at ${spec.server} (database ${spec.database}). Use mode("append") to add rows, mode("overwrite") to replace it, or another option 'dbtable'.`);
        }
        if (mode === "ignore") {
          await client.query("ROLLBACK");
          return { files: [], rows: 0 };
        }
        if (mode === "overwrite" && !o.truncate) {
          await client.query(`DROP TABLE ${table}`);
          await client.query(createTableSql(table, schema, o.createTableColumnTypes));
        } else {
          targets = matchSchema(table, spec.server, schema, existing);
          if (mode === "overwrite") await client.query(`TRUNCATE TABLE ${table}`);
        }
      } else {
        await client.query(createTableSql(table, schema, o.createTableColumnTypes));
      }
      if (targets.some((t) => t.type === null)) {
        // A table created here: take its column types back from the catalog (overrides included).
        // (no compatibility check: createTableColumnTypes may choose any type the text fits).
        const created = (await tableColumns(client, table))!;
        targets = schema.fields.map((f) => ({ name: f.name, type: created.find((c) => c.name === f.name)?.type ?? null }));
      }
      const rows = await copyBatches(client, table, schema, targets, all, timeZone);
      await client.query("COMMIT");
      return { files: [], rows };
    } catch (e) {
      await client.query("ROLLBACK").catch(() => {});
      throw e;
    } finally {
      await client.end().catch(() => {});
    }
  }, table);
}
