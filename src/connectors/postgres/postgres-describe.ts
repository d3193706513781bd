import { createRequire } from "node:module";
import { MessageChannel, Worker, receiveMessageOnPort } from "node:worker_threads";
import type pg from "pg";
import { type ConnectionSpec, PostgresError, backoffMs, translateError } from "./postgres-connection.js";
import type { PgType } from "./postgres-types.js";

/**
 * What the server says about the columns of a query or table: names, types (domains resolved to
 * their base types, arrays to their element types) and NOT NULL where a column comes from a table.
 *
 * `spark.read...load()` is synchronous (the DataFrame's schema must be known when it returns, as
 * Spark's JDBC source resolves it at load time), but every PostgreSQL client for Node is
 * asynchronous. `describeQuerySync` therefore runs the lookup in a worker thread with the same
 * `pg` client and blocks on `Atomics.wait` until the worker posts the answer (one short-lived
 * worker, ~30 ms; no child process, no psql binary). Writers and sinks are asynchronous and use
 * `describeQuery` on their own connection.
 */
export interface ColumnDescription {
  readonly name: string;
  readonly type: PgType;
  /** False when the column is a table column declared NOT NULL. */
  readonly nullable: boolean;
}

interface FieldRow { name: string; oid: number; typmod: number; table: number; column: number }
interface TypeRow { oid: string; typname: string; typcategory: string; typelem: string; typbasetype: string; typtypmod: string; typtype: string }
interface NotNullRow { attrelid: string; attnum: string; attnotnull: string }
interface DescribeAnswer { fields: FieldRow[]; types: TypeRow[]; notNull: NotNullRow[] }

/** Every type a result uses, with the element types of arrays and base types of domains. */
export const TYPES_SQL = `WITH RECURSIVE t AS (
  SELECT oid, typname, typcategory, typelem, typbasetype, typtypmod, typtype FROM pg_catalog.pg_type WHERE oid = ANY($1::oid[])
  UNION
  SELECT p.oid, p.typname, p.typcategory, p.typelem, p.typbasetype, p.typtypmod, p.typtype
  FROM pg_catalog.pg_type p JOIN t ON (t.typcategory = 'A' AND p.oid = t.typelem) OR (t.typtype = 'd' AND p.oid = t.typbasetype)
) SELECT oid::text, typname::text, typcategory::text, typelem::text, typbasetype::text, typtypmod::text, typtype::text FROM t`;

/** NOT NULL flags of the table columns a result comes from. */
export const NOT_NULL_SQL = `SELECT a.attrelid::text, a.attnum::text, a.attnotnull::text FROM pg_catalog.pg_attribute a
  JOIN unnest($1::oid[], $2::int2[]) AS u(r, n) ON a.attrelid = u.r AND a.attnum = u.n`;

/** The columns of `SELECT * FROM <relation> WHERE 1=0` (no rows are read). */
export function describeSql(relation: string): string {
  return `SELECT * FROM ${relation} WHERE 1=0`;
}

/** Asynchronous describe on an open connection. */
export async function describeQuery(client: pg.Client, sql: string): Promise<ColumnDescription[]> {
  const r = await client.query(sql);
  const fields: FieldRow[] = r.fields.map((f) => ({ name: f.name, oid: f.dataTypeID, typmod: f.dataTypeModifier, table: f.tableID, column: f.columnID }));
  const types = (await client.query<TypeRow>(TYPES_SQL, [[...new Set(fields.map((f) => f.oid))]])).rows;
  const fromTables = fields.filter((f) => f.table !== 0);
  const notNull = fromTables.length === 0 ? [] : (await client.query<NotNullRow>(NOT_NULL_SQL, [fromTables.map((f) => f.table), fromTables.map((f) => f.column)])).rows;
  return buildColumns({ fields, types, notNull });
}

function buildColumns(a: DescribeAnswer): ColumnDescription[] {
  const byOid = new Map(a.types.map((t) => [Number(t.oid), t]));
  const notNull = new Set(a.notNull.filter((r) => r.attnotnull === "t" || r.attnotnull === "true").map((r) => `${r.attrelid}/${r.attnum}`));
  const typeOf = (oid: number, typmod: number, depth = 0): PgType => {
    const t = byOid.get(oid);
    if (t === undefined || depth > 10) return { name: "unknown", category: "X", typmod, element: null };
    if (t.typtype === "d") return typeOf(Number(t.typbasetype), typmod >= 0 ? typmod : Number(t.typtypmod), depth + 1);
    if (t.typcategory === "A" && t.typelem !== "0") return { name: t.typname, category: "A", typmod, element: typeOf(Number(t.typelem), typmod, depth + 1) };
    return { name: t.typname, category: t.typcategory, typmod, element: null };
  };
  return a.fields.map((f) => ({ name: f.name, type: typeOf(f.oid, f.typmod), nullable: !(f.table !== 0 && notNull.has(`${f.table}/${f.column}`)) }));
}

// The worker is CommonJS evaluated from this text, so it runs the same way from src (tsx) and
// from dist; it loads the `pg` this module resolves.
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const pg = require(workerData.pgPath);
const TYPES_SQL = ${JSON.stringify(TYPES_SQL)};
const NOT_NULL_SQL = ${JSON.stringify(NOT_NULL_SQL)};
(async () => {
  const { config, sql, port, shared } = workerData;
  let answer;
  const client = new pg.Client({ ...config, types: { getTypeParser: () => (v) => v } });
  client.on("error", () => {});
  try {
    await client.connect();
    const r = await client.query(sql);
    const fields = r.fields.map((f) => ({ name: f.name, oid: f.dataTypeID, typmod: f.dataTypeModifier, table: f.tableID, column: f.columnID }));
    const types = (await client.query(TYPES_SQL, [[...new Set(fields.map((f) => f.oid))]])).rows;
    const fromTables = fields.filter((f) => f.table !== 0);
    const notNull = fromTables.length === 0 ? [] : (await client.query(NOT_NULL_SQL, [fromTables.map((f) => f.table), fromTables.map((f) => f.column)])).rows;
    answer = { ok: true, value: { fields, types, notNull } };
  } catch (e) {
    answer = { ok: false, error: { message: String(e && e.message || e), code: e && e.code } };
  }
  await client.end().catch(() => {});
  port.postMessage(answer);
  const flag = new Int32Array(shared);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
})();
`;

let pgPath: string | null = null;

/**
 * Synchronous describe (blocks the calling thread until the worker answers), retrying transient
 * failures `retries` times with backoff. Errors are PostgresErrors naming the server.
 */
export function describeQuerySync(spec: ConnectionSpec, sql: string, o: { retries: number; retryBackoffMs: number; connectTimeoutMs: number }, table?: string): ColumnDescription[] {
  for (let attempt = 0; ; attempt++) {
    const r = describeOnce(spec, sql, o.connectTimeoutMs + 60_000);
    if (r.ok) return buildColumns(r.value);
    const err = translateError(Object.assign(new Error(r.error.message), { code: r.error.code }), spec, table);
    if (!err.transient) throw err;
    if (attempt >= o.retries) {
      if (o.retries === 0) throw err;
      throw new PostgresError(err.errorClass, `${err.message} Gave up after ${attempt + 1} attempts (options 'retries' = ${o.retries}, 'retryBackoffMs' = ${o.retryBackoffMs}).`, true, { cause: err });
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, backoffMs(o.retryBackoffMs, attempt));
  }
}

type Answer = { ok: true; value: DescribeAnswer } | { ok: false; error: { message: string; code?: string } };

function describeOnce(spec: ConnectionSpec, sql: string, timeoutMs: number): Answer {
  pgPath ??= createRequire(import.meta.url).resolve("pg");
  const shared = new SharedArrayBuffer(4);
  const flag = new Int32Array(shared);
  const { port1, port2 } = new MessageChannel();
  const { types: _types, ...config } = spec.config;
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { config, sql, port: port2, shared, pgPath }, transferList: [port2] });
  try {
    const res = Atomics.wait(flag, 0, 0, timeoutMs);
    const msg = receiveMessageOnPort(port1);
    if (msg === undefined) {
      return { ok: false, error: { message: res === "timed-out" ? `no answer within ${timeoutMs} ms` : "the describe worker ended without an answer", code: "ETIMEDOUT" } };
    }
    return msg.message as Answer;
  } finally {
    port1.close();
    void worker.terminate();
  }
}
