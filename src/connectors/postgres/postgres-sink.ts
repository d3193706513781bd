import type pg from "pg";
import type { RecordBatch } from "../../batch/record-batch.js";
import { AnalysisError, IllegalArgumentError } from "../../errors/errors.js";
import { crashPoint } from "../../streaming/crash-hook.js";
import type { OutputMode, Sink } from "../../streaming/sink.js";
import type { StreamSinkContext } from "../../streaming/sink-registry.js";
import type { StructType } from "../../types/data-type.js";
import { type ConnectionSpec, connect, connectionSpec, quoteIdent, withRetries } from "./postgres-connection.js";
import { copyBatches } from "./postgres-copy.js";
import { type PostgresOptions, parsePostgresOptions, requireTable } from "./postgres-options.js";
import { type ColumnTarget, createTableSql, matchSchema, tableColumns } from "./postgres-table.js";
import { sparkToPgDdl } from "./postgres-types.js";

/**
 * Exactly-once streaming sink into a PostgreSQL table (`writeStream.format("postgres")`).
 *
 * Each micro-batch is ONE transaction:
 * 1. upsert (query id, batch id) into the progress table (`_sluice_progress`, option
 *    `progressTable`) with `ON CONFLICT (query_id) DO UPDATE ... WHERE batch_id < new id RETURNING`:
 *    no row back means the batch is already recorded, and the transaction is rolled back with
 *    nothing written. The upsert also locks the query's row, so two writers of one query serialize;
 * 2. write the rows: append = COPY; update = COPY into a temporary table, then
 *    `INSERT ... ON CONFLICT (upsertKeys) DO UPDATE` (the last row of a key in the batch wins);
 *    complete = DELETE the table's rows, then COPY;
 * 3. COMMIT.
 * A replayed batch (re-run after a crash between the sink and the checkpoint's commit) therefore
 * writes nothing twice, and a crash inside the transaction leaves nothing. A transient connection
 * loss retries the whole transaction (`retries`, `retryBackoffMs`) — safe even when the COMMIT
 * reached the server but its answer did not: the retry finds the batch recorded and skips it.
 *
 * The query id is the checkpoint's (`<checkpointLocation>/metadata`, given to the sink in its
 * StreamSinkContext), stable across restarts, so a `checkpointLocation` is required.
 *
 * @example
 * const q = await counts.writeStream.format("postgres").outputMode("update")
 *   .option("url", "postgresql://u:p@127.0.0.1:5432/db").option("dbtable", "word_counts")
 *   .option("upsertKeys", "word").option("checkpointLocation", "/tmp/ckpt").start();
 */
export class PostgresSink implements Sink {
  readonly description: string;
  private client: pg.Client | null = null;
  private targets: ColumnTarget[] = [];
  /** Batches skipped because their id was already recorded (for tests and progress). */
  skippedBatches = 0;

  private constructor(
    private readonly o: PostgresOptions,
    private readonly spec: ConnectionSpec,
    private readonly table: string,
    readonly schema: StructType,
    private readonly timeZone: string,
    private readonly queryId: string,
  ) {
    this.description = `PostgresSink[${spec.server}/${spec.database}, ${table}]`;
  }

  /**
   * Checks the options, connects (with retries), creates the progress table and the target
   * table if missing (with a primary key on `upsertKeys` in update mode), and checks an existing
   * table against the schema: every problem that can be known before the first batch fails here.
   */
  static async open(args: { options: Readonly<Record<string, string>>; schema: StructType; outputMode: OutputMode; timeZone: string; queryId: string }): Promise<PostgresSink> {
    const o = parsePostgresOptions(args.options);
    const table = requireTable(o, `for writeStream.format("postgres")`);
    const { schema, outputMode } = args;
    for (const f of schema.fields) sparkToPgDdl(f.dataType, f.name);
    if (outputMode === "update") {
      if (o.upsertKeys.length === 0) throw new IllegalArgumentError("POSTGRES_OPTION_REQUIRED", `Output mode update with format("postgres") needs option 'upsertKeys' (the key columns, e.g. "word,window_start") to update rows in place.`);
    }
    for (const k of o.upsertKeys) {
      if (!schema.fields.some((f) => f.name === k)) throw new AnalysisError("POSTGRES_OPTION_INVALID", `Option 'upsertKeys' names column \`${k}\`, which is not in the query's output (${schema.fields.map((f) => f.name).join(", ")}).`);
    }
    const spec = connectionSpec(o);
    const sink = new PostgresSink(o, spec, table, schema, args.timeZone, args.queryId);
    await withRetries(o, spec, async () => {
      try {
        await sink.prepare(outputMode);
      } catch (e) {
        sink.dropConnection();
        throw e;
      }
    }, table);
    return sink;
  }

  private async prepare(outputMode: OutputMode): Promise<void> {
    const client = await this.connection();
    const o = this.o, table = this.table;
    await client.query(`CREATE TABLE IF NOT EXISTS ${o.progressTable} (query_id text PRIMARY KEY, batch_id bigint NOT NULL, table_name text, updated_at timestamptz NOT NULL DEFAULT now())`);
    let cols = await tableColumns(client, table);
    if (cols === null) {
      await client.query(createTableSql(table, this.schema, o.createTableColumnTypes, o.upsertKeys.length > 0 ? o.upsertKeys : []));
      cols = (await tableColumns(client, table))!;
      this.targets = this.schema.fields.map((f) => ({ name: f.name, type: cols!.find((c) => c.name === f.name)?.type ?? null }));
    } else {
      this.targets = matchSchema(table, this.spec.server, this.schema, cols);
    }
    if (outputMode === "update" || o.upsertKeys.length > 0) {
      const keyCols = o.upsertKeys.map((k) => this.targets[this.schema.fields.findIndex((f) => f.name === k)]!.name);
      const r = await client.query(
        `SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indpred IS NULL AND i.indnkeyatts = cardinality($2::text[])
           AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_catalog.pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)) = (SELECT array_agg(k ORDER BY k) FROM unnest($2::text[]) k)`,
        [table, keyCols],
      );
      if (r.rowCount === 0) {
        throw new AnalysisError("POSTGRES_NO_UNIQUE_KEY", `Table ${table} at ${this.spec.server} has no unique index on (${keyCols.join(", ")}) (option 'upsertKeys'), which INSERT ... ON CONFLICT needs. Create one: CREATE UNIQUE INDEX ON ${table} (${keyCols.map(quoteIdent).join(", ")}).`);
      }
    }
  }

  private async connection(): Promise<pg.Client> {
    if (this.client === null) this.client = await connect(this.spec);
    return this.client;
  }

  private dropConnection(): void {
    const c = this.client;
    this.client = null;
    if (c !== null) void c.end().catch(() => {});
  }

  async addBatch(batchId: number, batches: readonly RecordBatch[], outputMode: OutputMode): Promise<void> {
    const queryId = this.queryId;
    const table = this.table, o = this.o;
    await withRetries(o, this.spec, async () => {
      const client = await this.connection();
      try {
        await client.query("BEGIN");
        const claimed = await client.query(
          `INSERT INTO ${o.progressTable} AS p (query_id, batch_id, table_name) VALUES ($1, $2, $3)
           ON CONFLICT (query_id) DO UPDATE SET batch_id = EXCLUDED.batch_id, table_name = EXCLUDED.table_name, updated_at = now()
           WHERE p.batch_id < EXCLUDED.batch_id RETURNING batch_id`,
          [queryId, batchId, table],
        );
        if (claimed.rowCount === 0) {
          await client.query("ROLLBACK");
          this.skippedBatches++;
          return;
        }
        if (outputMode === "complete") await client.query(`DELETE FROM ${table}`);
        if (outputMode === "update" && o.upsertKeys.length > 0) await this.upsert(client, batches);
        else await copyBatches(client, table, this.schema, this.targets, batches, this.timeZone);
        // Crash tests: the rows and the progress row are written but not committed (PostgreSQL rolls back).
        crashPoint("mid-sink-write", batchId);
        await client.query("COMMIT");
      } catch (e) {
        // The transaction is aborted either way; a connection in an unknown state is replaced.
        this.dropConnection();
        throw e;
      }
    }, table);
  }

  private async upsert(client: pg.Client, batches: readonly RecordBatch[]): Promise<void> {
    const cols = this.targets.map((t) => quoteIdent(t.name));
    const keys = this.o.upsertKeys.map((k) => quoteIdent(this.targets[this.schema.fields.findIndex((f) => f.name === k)]!.name));
    const stage = "_sluice_stage";
    await client.query(`CREATE TEMP TABLE ${stage} ON COMMIT DROP AS SELECT ${cols.join(", ")} FROM ${this.table} WITH NO DATA`);
    const stageTargets = this.targets.map((t) => ({ name: t.name, type: t.type }));
    await copyBatches(client, stage, this.schema, stageTargets, batches, this.timeZone);
    const rest = cols.filter((c) => !keys.includes(c));
    const action = rest.length === 0 ? "DO NOTHING" : `DO UPDATE SET ${rest.map((c) => `${c} = EXCLUDED.${c}`).join(", ")}`;
    // DISTINCT ON keeps one row per key: the last one copied (a fresh temp table's ctids grow with insertion order).
    await client.query(`INSERT INTO ${this.table} (${cols.join(", ")}) SELECT DISTINCT ON (${keys.join(", ")}) ${cols.join(", ")} FROM ${stage} ORDER BY ${keys.join(", ")}, ctid DESC ON CONFLICT (${keys.join(", ")}) ${action}`);
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c !== null) await c.end().catch(() => {});
  }
}

/** The factory `writeStream.format("postgres")` uses: the query id is the checkpoint's, from the sink context. */
export async function createPostgresSink(ctx: StreamSinkContext): Promise<PostgresSink> {
  if (ctx.temporaryCheckpoint) {
    throw new AnalysisError("CHECKPOINT_LOCATION_REQUIRED", `The exactly-once PostgreSQL sink records batches per query id, which lives in the checkpoint: set option("checkpointLocation", ...) (or the session conf "sluice.sql.streaming.checkpointLocation" with a queryName).`);
  }
  return PostgresSink.open({ options: ctx.options, schema: ctx.schema, outputMode: ctx.outputMode, timeZone: ctx.session.timeZone, queryId: ctx.queryId });
}
