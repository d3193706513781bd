import { IllegalArgumentError } from "../../errors/errors.js";

/**
 * The options of `format("postgres")`, read case-insensitively as Spark reads data source
 * options. One parser for read, write and the streaming sink; each checks what it needs.
 *
 * | option                    | used by          | meaning                                                        |
 * |---------------------------|------------------|----------------------------------------------------------------|
 * | url                       | all              | `postgresql://user:pass@host:port/db` (a `jdbc:` prefix is ok) |
 * | user, password            | all              | override the url's                                            |
 * | dbtable                   | all              | table (or `(subquery) AS x` for reads), SQL text as written    |
 * | query                     | read             | a SELECT; read as `(query) AS _sluice_query`                   |
 * | partitionColumn, lowerBound, upperBound, numPartitions | read | Spark's stride partitioning on a numeric column |
 * | fetchsize                 | read             | rows per cursor FETCH; 0 (default) reads each partition at once|
 * | truncate                  | write overwrite  | TRUNCATE the table instead of DROP + CREATE                    |
 * | createTableColumnTypes    | write, sink      | `name TYPE, ...` overriding the generated column types        |
 * | upsertKeys                | sink (update)    | key columns for INSERT ... ON CONFLICT (keys) DO UPDATE       |
 * | progressTable             | sink             | table of (query id, batch id); default `_sluice_progress`      |
 * | retries, retryBackoffMs   | all              | attempts after a connection loss (3), first backoff (200 ms)   |
 * | connectTimeoutMs          | all              | connect timeout (10000)                                        |
 */
export interface PostgresOptions {
  readonly url: string;
  readonly user: string | null;
  readonly password: string | null;
  readonly dbtable: string | null;
  readonly query: string | null;
  readonly partitionColumn: string | null;
  readonly lowerBound: bigint | null;
  readonly upperBound: bigint | null;
  readonly numPartitions: number | null;
  readonly fetchSize: number;
  readonly truncate: boolean;
  readonly createTableColumnTypes: string | null;
  readonly upsertKeys: readonly string[];
  readonly progressTable: string;
  readonly retries: number;
  readonly retryBackoffMs: number;
  readonly connectTimeoutMs: number;
}

export const DEFAULT_PROGRESS_TABLE = "_sluice_progress";

/** Parses options given to spark.read / df.write / writeStream with format("postgres"). */
export function parsePostgresOptions(raw: Readonly<Record<string, string>>, tableFromPath: string | null = null): PostgresOptions {
  const o = new Map<string, string>();
  for (const [k, v] of Object.entries(raw)) o.set(k.toLowerCase(), v);
  const get = (k: string): string | null => o.get(k.toLowerCase()) ?? null;
  const url = get("url");
  if (!url) throw new IllegalArgumentError("POSTGRES_OPTION_REQUIRED", `Option 'url' is required for format("postgres"), e.g. .option("url", "postgresql://user:password@127.0.0.1:5432/db").`);
  const int = (k: string, dflt: number, min: number): number => {
    const v = get(k);
    if (v === null || v.trim() === "") return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new IllegalArgumentError("POSTGRES_OPTION_INVALID", `Option '${k}' must be an integer >= ${min}, got '${v}'.`);
    return n;
  };
  const bound = (k: string): bigint | null => {
    const v = get(k);
    if (v === null) return null;
    if (!/^\s*[+-]?\d+\s*$/.test(v)) throw new IllegalArgumentError("POSTGRES_OPTION_INVALID", `Option '${k}' must be an integer (the partition column's bound), got '${v}'.`);
    return BigInt(v.trim());
  };
  const dbtable = get("dbtable") ?? tableFromPath;
  const query = get("query");
  if (dbtable !== null && query !== null) throw new IllegalArgumentError("POSTGRES_OPTION_INVALID", `Options 'dbtable' and 'query' can not be specified at the same time.`);
  const partitionColumn = get("partitionColumn");
  const lowerBound = bound("lowerBound"), upperBound = bound("upperBound");
  const numPartitions = get("numPartitions") === null ? null : int("numPartitions", 1, 1);
  if (partitionColumn !== null && (lowerBound === null || upperBound === null || numPartitions === null)) {
    throw new IllegalArgumentError("POSTGRES_OPTION_INVALID", `When reading with option 'partitionColumn', options 'lowerBound', 'upperBound' and 'numPartitions' must all be specified.`);
  }
  if (partitionColumn === null && (lowerBound !== null || upperBound !== null)) {
    throw new IllegalArgumentError("POSTGRES_OPTION_INVALID", `Options 'lowerBound' and 'upperBound' need option 'partitionColumn'.`);
  }
  if (lowerBound !== null && upperBound !== null && lowerBound > upperBound) {
    throw new IllegalArgumentError("POSTGRES_OPTION_INVALID", `Operation not allowed: the lower bound of partitioning column is larger than the upper bound. Lower bound: ${lowerBound}; Upper bound: ${upperBound}.`);
  }
  const truncate = (get("truncate") ?? "false").toLowerCase();
  if (truncate !== "true" && truncate !== "false") throw new IllegalArgumentError("POSTGRES_OPTION_INVALID", `Option 'truncate' must be true or false, got '${get("truncate")}'.`);
  const keys = get("upsertKeys");
  return {
    url,
    user: get("user"),
    password: get("password"),
    dbtable,
    query,
    partitionColumn,
    lowerBound,
    upperBound,
    numPartitions,
    fetchSize: int("fetchsize", 0, 0),
    truncate: truncate === "true",
    createTableColumnTypes: get("createTableColumnTypes"),
    upsertKeys: keys === null ? [] : keys.split(",").map((k) => k.trim()).filter((k) => k !== ""),
    progressTable: get("progressTable") ?? DEFAULT_PROGRESS_TABLE,
    retries: int("retries", 3, 0),
    retryBackoffMs: int("retryBackoffMs", 200, 0),
    connectTimeoutMs: int("connectTimeoutMs", 10_000, 1),
  };
}

/** The table option or an error naming it. */
export function requireTable(o: PostgresOptions, what: string): string {
  if (o.dbtable === null || o.dbtable.trim() === "") throw new IllegalArgumentError("POSTGRES_OPTION_REQUIRED", `Option 'dbtable' is required ${what}, e.g. .option("dbtable", "public.events").`);
  return o.dbtable;
}
