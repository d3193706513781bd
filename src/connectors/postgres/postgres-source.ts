import type pg from "pg";
import { BatchBuilder, DEFAULT_BATCH_SIZE, type RecordBatch } from "../../batch/record-batch.js";
import { AnalysisError, ExecutionError, IllegalArgumentError } from "../../errors/errors.js";
import type { DataSourceRelation } from "../../plan/logical-plan.js";
import { type DataType, type StructType, simpleString, structField, structType } from "../../types/data-type.js";
import type { SourceFilter } from "../source-filter.js";
import { type ConnectionSpec, PostgresError, connect, connectionSpec, quoteIdent, quoteLiteral, translateError, withRetries } from "./postgres-connection.js";
import { type ColumnDescription, describeQuerySync, describeSql } from "./postgres-describe.js";
import { type PostgresOptions, parsePostgresOptions } from "./postgres-options.js";
import { stridePartitions } from "./postgres-partitions.js";
import { pgToSpark, pgTypeText } from "./postgres-types.js";
import { type Decoder, decoderFor } from "./postgres-values.js";

/** What `load()` resolved: the relation's SQL, its columns and the partitions' WHERE clauses. */
export interface ResolvedPostgres {
  readonly options: PostgresOptions;
  readonly relation: string;
  readonly columns: readonly ColumnDescription[];
  /** One entry per partition; null = no WHERE (a single unpartitioned read). */
  readonly partitions: readonly (string | null)[];
}

/**
 * `spark.read.format("postgres")`: resolves the schema at `load()` (synchronously, see
 * postgres-describe.ts) from `SELECT * FROM <dbtable | (query) AS _sluice_query> WHERE 1=0`,
 * so a missing table, a bad query, wrong credentials or an unreachable server fail there.
 *
 * @example
 * const df = spark.read.format("postgres")
 *   .option("url", "postgresql://u:p@127.0.0.1:5432/db").option("dbtable", "public.events")
 *   .option("partitionColumn", "id").option("lowerBound", 0).option("upperBound", 1000000)
 *   .option("numPartitions", 8).option("fetchsize", 10000)
 *   .load();
 */
export function resolvePostgres(paths: readonly string[], options: Readonly<Record<string, string>>, userSchema: StructType | null): { schema: StructType; resolved: ResolvedPostgres } {
  const o = parsePostgresOptions(options, paths[0] ?? null);
  if (userSchema !== null) throw new AnalysisError("POSTGRES_USER_SCHEMA", `format("postgres") takes its schema from the database; remove .schema(...) and cast columns in the query (option 'query') instead.`);
  if (o.dbtable === null && o.query === null) throw new IllegalArgumentError("POSTGRES_OPTION_REQUIRED", `Option 'dbtable' or 'query' is required for spark.read.format("postgres").`);
  const relation = o.dbtable ?? `(${o.query!.trim().replace(/;\s*$/, "")}) AS _sluice_query`;
  const spec = connectionSpec(o);
  const columns = describeQuerySync(spec, describeSql(relation), o, o.dbtable ?? undefined);
  const schema = structType(columns.map((c) => structField(c.name, pgToSpark(c.type), c.nullable)));
  let partitions: (string | null)[] = [null];
  if (o.partitionColumn !== null) {
    const want = o.partitionColumn.replace(/^"(.*)"$/, "$1");
    const col = columns.find((c) => c.name === want) ?? columns.find((c) => c.name.toLowerCase() === want.toLowerCase());
    if (col === undefined) throw new AnalysisError("POSTGRES_OPTION_INVALID", `Option 'partitionColumn' names \`${o.partitionColumn}\`, which is not a column of ${relation} (${columns.map((c) => c.name).join(", ")}).`);
    if (col.type.category !== "N" || col.type.element !== null) throw new AnalysisError("POSTGRES_OPTION_INVALID", `Option 'partitionColumn' must be a numeric column; \`${col.name}\` is ${pgTypeText(col.type)}.`);
    partitions = stridePartitions(quoteIdent(col.name), o.lowerBound!, o.upperBound!, o.numPartitions!);
  }
  return { schema, resolved: { options: o, relation, columns, partitions } };
}

/** Reads every partition (one after another, each on its own connection), as batches of the relation's output columns. */
export async function* scanPostgres(rel: DataSourceRelation, timeZone: string): AsyncIterable<RecordBatch> {
  const r = rel.resolved as ResolvedPostgres;
  const o = r.options;
  const spec = connectionSpec(o);
  const idx = rel.output.map((a) => {
    const i = r.columns.findIndex((c) => c.name === a.name);
    return i >= 0 ? i : r.columns.findIndex((c) => c.name.toLowerCase() === a.name.toLowerCase());
  });
  const cols = idx.map((i) => r.columns[i]!);
  const schema = structType(rel.output.map((a, k) => structField(a.name, rel.schema.fields[idx[k]!]!.dataType, rel.schema.fields[idx[k]!]!.nullable)));
  const decoders = cols.map((c, k) => decoderFor(schema.fields[k]!.dataType, c.type, timeZone));
  const pushed = rel.pushedFilters.map((f) => filterSql(f, rel.schema)).filter((s): s is string => s !== null);
  const select = cols.length === 0 ? "1" : cols.map((c) => quoteIdent(c.name)).join(", ");
  for (const part of r.partitions) {
    const where = [...(part === null ? [] : [`(${part})`]), ...pushed.map((p) => `(${p})`)];
    const sql = `SELECT ${select} FROM ${r.relation}${where.length ? ` WHERE ${where.join(" AND ")}` : ""}`;
    yield* scanPartition(spec, o, sql, schema, decoders, r.relation);
  }
}

async function* scanPartition(spec: ConnectionSpec, o: PostgresOptions, sql: string, schema: StructType, decoders: readonly Decoder[], relation: string): AsyncIterable<RecordBatch> {
  let yielded = false;
  for (let attempt = 0; ; attempt++) {
    let client: pg.Client | null = null;
    try {
      client = await withRetries(o, spec, () => connect(spec), relation);
      if (o.fetchSize > 0) {
        await client.query("BEGIN READ ONLY");
        await client.query(`DECLARE _sluice_cursor NO SCROLL CURSOR FOR ${sql}`);
        for (;;) {
          const res = await client.query<unknown[]>({ text: `FETCH FORWARD ${o.fetchSize} FROM _sluice_cursor`, rowMode: "array" });
          for (const b of toBatches(res.rows, schema, decoders)) {
            yielded = true;
            yield b;
          }
          if (res.rows.length < o.fetchSize) break;
        }
        await client.query("COMMIT");
      } else {
        const res = await client.query<unknown[]>({ text: sql, rowMode: "array" });
        for (const b of toBatches(res.rows, schema, decoders)) {
          yielded = true;
          yield b;
        }
      }
      return;
    } catch (e) {
      if (e instanceof ExecutionError || e instanceof AnalysisError) throw e;
      const err = translateError(e, spec, relation);
      // Rows already handed on cannot be taken back: only a partition not yet started is retried.
      if (!err.transient || yielded || attempt >= o.retries) {
        throw yielded && err.transient ? new PostgresError(err.errorClass, `${err.message} The read of ${relation} had already returned rows, so it was not retried.`, true, { cause: e }) : err;
      }
      await new Promise((res) => setTimeout(res, o.retryBackoffMs * 2 ** attempt));
    } finally {
      if (client !== null) await client.end().catch(() => {});
    }
  }
}

function* toBatches(rows: unknown[][], schema: StructType, decoders: readonly Decoder[]): Iterable<RecordBatch> {
  const ncol = decoders.length;
  for (let start = 0; start < rows.length; start += DEFAULT_BATCH_SIZE) {
    const end = Math.min(rows.length, start + DEFAULT_BATCH_SIZE);
    const b = new BatchBuilder(schema, end - start);
    for (let c = 0; c < ncol; c++) {
      const out = b.column(c);
      const dec = decoders[c]!;
      for (let i = start; i < end; i++) {
        const v = rows[i]![c] as string | null;
        if (v === null) out.append(null);
        else {
          try {
            out.append(dec(v));
          } catch (e) {
            throw new ExecutionError("POSTGRES_VALUE_UNREADABLE", `Column \`${schema.fields[c]!.name}\` (${simpleString(schema.fields[c]!.dataType)}): ${(e as Error).message}.`);
          }
        }
      }
    }
    for (let i = start; i < end; i++) b.endRow();
    yield b.finish();
  }
}

/** A pushed filter as SQL, when PostgreSQL evaluates it exactly as Spark does; null otherwise (the engine filters again anyway). */
function filterSql(f: SourceFilter, schema: StructType): string | null {
  const typeOf = (c: string): DataType | null => schema.fields.find((x) => x.name === c)?.dataType ?? null;
  const lit = (v: unknown, t: DataType): string | null => {
    if (t.kind === "string" && typeof v === "string") return v.includes("\u0000") ? null : quoteLiteral(v);
    if (t.kind === "boolean" && typeof v === "boolean") return v ? "TRUE" : "FALSE";
    if (["byte", "short", "int", "long", "double"].includes(t.kind) && (typeof v === "bigint" || (typeof v === "number" && Number.isFinite(v)))) return String(v);
    return null;
  };
  const col = (c: string, t: DataType, ordering: boolean): string => `${quoteIdent(c)}${ordering && t.kind === "string" ? ` COLLATE "C"` : ""}`;
  switch (f.op) {
    case "=": case "<": case "<=": case ">": case ">=": {
      const t = typeOf(f.column);
      if (t === null) return null;
      const v = lit(f.value, t);
      return v === null ? null : `${col(f.column, t, f.op !== "=")} ${f.op} ${v}`;
    }
    case "in": {
      const t = typeOf(f.column);
      if (t === null || f.values.length === 0) return null;
      const vs = f.values.map((v) => lit(v, t));
      return vs.some((v) => v === null) ? null : `${col(f.column, t, false)} IN (${vs.join(", ")})`;
    }
    case "isNull": return typeOf(f.column) === null ? null : `${quoteIdent(f.column)} IS NULL`;
    case "isNotNull": return typeOf(f.column) === null ? null : `${quoteIdent(f.column)} IS NOT NULL`;
    case "and": {
      const l = filterSql(f.left, schema), r = filterSql(f.right, schema);
      return l === null ? r : r === null ? l : `(${l}) AND (${r})`;
    }
    case "or": {
      const l = filterSql(f.left, schema), r = filterSql(f.right, schema);
      return l === null || r === null ? null : `(${l}) OR (${r})`;
    }
    default: return null;
  }
}
