import pg from "pg";
import { SluiceError } from "../../errors/errors.js";
import type { PostgresOptions } from "./postgres-options.js";

/** A PostgreSQL failure, with the server (`host:port`), the object and the option to fix in its message. */
export class PostgresError extends SluiceError {
  constructor(
    errorClass: string,
    message: string,
    /** True for a lost or refused connection (retried with backoff). */
    readonly transient: boolean,
    options?: { cause?: unknown },
  ) {
    super(errorClass, message, options);
  }
}

/** What pg needs to connect, plus `host:port/db` for messages (never the password). */
export interface ConnectionSpec {
  readonly config: pg.ClientConfig;
  /** `127.0.0.1:5432` */
  readonly server: string;
  readonly database: string;
  readonly user: string;
}

/**
 * Session settings every Sluice connection starts with (as a startup parameter, no round trip):
 * UTC text for timestamptz, ISO dates, exact float text and hex bytea, so text values decode
 * exactly and independently of the server's configuration.
 */
const SESSION_OPTIONS = "-c TimeZone=UTC -c DateStyle=ISO,YMD -c extra_float_digits=1 -c bytea_output=hex -c IntervalStyle=iso_8601";

/** Every type arrives as its text (or null): decoding is ours, exact for int8, numeric, timestamps. */
const RAW_TYPES = { getTypeParser: () => (v: string): string => v } as unknown as pg.CustomTypesConfig;

export function connectionSpec(o: PostgresOptions): ConnectionSpec {
  const text = o.url.replace(/^jdbc:/i, "");
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new PostgresError("POSTGRES_OPTION_INVALID", `Option 'url' is not a PostgreSQL URL: '${redact(o.url)}'. Expected postgresql://user:password@host:port/database.`, false);
  }
  if (u.protocol !== "postgresql:" && u.protocol !== "postgres:") {
    throw new PostgresError("POSTGRES_OPTION_INVALID", `Option 'url' must start with postgresql:// (or jdbc:postgresql://), got '${redact(o.url)}'.`, false);
  }
  const host = u.hostname || "localhost";
  const port = u.port || "5432";
  const database = decodeURIComponent(u.pathname.replace(/^\//, "")) || "postgres";
  const user = o.user ?? (u.username ? decodeURIComponent(u.username) : u.searchParams.get("user") ?? process.env["PGUSER"] ?? "postgres");
  const password = o.password ?? (u.password ? decodeURIComponent(u.password) : u.searchParams.get("password") ?? undefined);
  const config: pg.ClientConfig = {
    host,
    port: Number(port),
    database,
    user,
    connectionTimeoutMillis: o.connectTimeoutMs,
    options: SESSION_OPTIONS,
    types: RAW_TYPES,
    application_name: "sluice",
  };
  if (password !== undefined) config.password = password;
  const ssl = u.searchParams.get("sslmode");
  if (ssl === "require" || ssl === "verify-ca" || ssl === "verify-full") config.ssl = ssl === "require" ? { rejectUnauthorized: false } : true;
  return { config, server: `${host}:${port}`, database, user };
}

/** The url with its password replaced by `***`. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@").replace(/([?&]password=)[^&]*/i, "$1***");
}

/** Connects, translating failures into PostgresErrors that say what to fix. */
export async function connect(spec: ConnectionSpec): Promise<pg.Client> {
  const client = new pg.Client(spec.config);
  // An idle connection that dies must not crash the process; the next query reports it.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => {});
    throw translateError(e, spec);
  }
  return client;
}

const TRANSIENT_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND"]);

/** True for failures worth retrying: the connection was refused or lost, the server is restarting. */
export function isTransient(e: unknown): boolean {
  if (e instanceof PostgresError) return e.transient;
  const err = e as { code?: string; message?: string } | null;
  const code = err?.code ?? "";
  if (TRANSIENT_NODE_CODES.has(code)) return code !== "ENOTFOUND";
  if (/^08/.test(code) || code === "57P01" || code === "57P02" || code === "57P03" || code === "40001" || code === "40P01") return true;
  const msg = err?.message ?? "";
  return /Connection terminated|Client has encountered a connection error|timeout expired|not queryable|ECONNRESET/i.test(msg);
}

/** A pg or socket error as a PostgresError naming the server and the option to fix. */
export function translateError(e: unknown, spec: ConnectionSpec, table?: string): PostgresError {
  if (e instanceof PostgresError) return e;
  const err = e as { code?: string; message?: string };
  const code = err?.code ?? "";
  const msg = err?.message ?? String(e);
  const where = `PostgreSQL at ${spec.server} (database ${spec.database}, user ${spec.user})`;
  const transient = isTransient(e);
  switch (code) {
    case "ECONNREFUSED":
      return new PostgresError("POSTGRES_UNREACHABLE", `Cannot connect to PostgreSQL at ${spec.server}: connection refused. Check that the server is running and listens on ${spec.server}, or fix option 'url'.`, true, { cause: e });
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new PostgresError("POSTGRES_UNREACHABLE", `Cannot connect to PostgreSQL at ${spec.server}: host not found. Fix the host in option 'url'.`, code === "EAI_AGAIN", { cause: e });
    case "28P01":
    case "28000":
      return new PostgresError("POSTGRES_AUTHENTICATION_FAILED", `${where} rejected the login: ${msg}. Fix the user and password in option 'url' (or options 'user' / 'password').`, false, { cause: e });
    case "3D000":
      return new PostgresError("POSTGRES_DATABASE_NOT_FOUND", `${where}: ${msg}. Fix the database name in option 'url'.`, false, { cause: e });
    case "42P01":
      return new PostgresError("POSTGRES_TABLE_NOT_FOUND", `${where}: ${msg}${table ? ` (table ${table}, option 'dbtable')` : ""}. Create the table or fix option 'dbtable' / 'query'.`, false, { cause: e });
    case "42501":
      return new PostgresError("POSTGRES_PERMISSION_DENIED", `${where}: ${msg}${table ? ` (table ${table})` : ""}. Grant the user the privilege or use another user.`, false, { cause: e });
  }
  if (/timeout expired/i.test(msg)) {
    return new PostgresError("POSTGRES_UNREACHABLE", `Cannot connect to PostgreSQL at ${spec.server}: no answer within the connect timeout. Check the host and port in option 'url' (or raise option 'connectTimeoutMs').`, true, { cause: e });
  }
  if (transient) return new PostgresError("POSTGRES_CONNECTION_LOST", `Lost the connection to ${where}: ${msg}.`, true, { cause: e });
  return new PostgresError("POSTGRES_ERROR", `${where}${table ? `, table ${table}` : ""}: ${msg}${code ? ` (SQLSTATE ${code})` : ""}.`, false, { cause: e });
}

/** Exponential backoff: `base`, 2·base, 4·base, ... capped at 30 s. */
export function backoffMs(base: number, attempt: number): number {
  return Math.min(30_000, base * 2 ** attempt);
}

/**
 * Runs `fn` (a whole unit of work on a fresh or reused connection), retrying transient failures
 * `retries` times with exponential backoff from `retryBackoffMs`. Other failures are thrown at
 * once. The final error says how many attempts were made.
 */
export async function withRetries<T>(o: Pick<PostgresOptions, "retries" | "retryBackoffMs">, spec: ConnectionSpec, fn: (attempt: number) => Promise<T>, table?: string): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (e instanceof SluiceError && !(e instanceof PostgresError)) throw e;
      const err = translateError(e, spec, table);
      if (!err.transient) throw err;
      if (attempt >= o.retries) {
        if (o.retries === 0) throw err;
        throw new PostgresError(err.errorClass, `${err.message} Gave up after ${attempt + 1} attempts (options 'retries' = ${o.retries}, 'retryBackoffMs' = ${o.retryBackoffMs}).`, true, { cause: e });
      }
      await new Promise((r) => setTimeout(r, backoffMs(o.retryBackoffMs, attempt)));
    }
  }
}

/** `"a"."b"` for `a.b`-style names is the caller's business; this quotes one identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
