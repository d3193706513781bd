import { IllegalArgumentError } from "../../errors/errors.js";
import { type StructType, structField, structType } from "../../types/data-type.js";
import { parseSchemaOrStruct } from "../../types/ddl.js";
import { BEFORE_FIRST_ID, isEntryId } from "./redis-entry-id.js";

/**
 * The options of `format("redis")`, read case-insensitively as Spark reads data source options.
 * One parser per use (stream source, batch read, sink); each checks what it needs and names the
 * option and its allowed values when a value is wrong.
 *
 * | option               | used by           | meaning                                                                 |
 * |----------------------|-------------------|-------------------------------------------------------------------------|
 * | url                  | all               | `redis://[user:password@]host:port[/db]` (`rediss://` for TLS)          |
 * | username, password   | all               | override the url's                                                      |
 * | retries              | all               | attempts after a lost connection before failing (default 3)             |
 * | retryBackoffMs       | all               | first backoff, doubled each attempt (default 100)                       |
 * | connectTimeoutMs     | all               | connect timeout (default 5000)                                          |
 * | streams              | source, read      | stream keys, comma-separated                                            |
 * | startingOffsets      | source, read      | `earliest`, `latest` (stream default) or JSON `{"events":"1700-0"}`     |
 * | endingOffsets        | read              | `latest` (default) or JSON of IDs per stream                            |
 * | maxEntriesPerTrigger | source            | entries per micro-batch, split across streams by backlog               |
 * | failOnDataLoss       | source            | fail (true, default) or warn when a stream was trimmed past the query   |
 * | schema               | source, read      | DDL of entry fields to expose as typed columns                          |
 * | fetchSize            | source, read      | entries per XRANGE call (default 10000)                                 |
 * | stream               | sink, write       | target stream (else a `stream` column; for df.write also the path)      |
 * | fields               | sink, write       | columns written as fields, comma-separated (default: all)               |
 * | maxlen               | sink, write       | `XADD ... MAXLEN ~ n`: approximate trimming                             |
 * | progressKey          | sink              | key of the last committed batch id (default `sluice:sink:<queryId>`)    |
 */
export interface RedisConnectionOptions {
  readonly url: string;
  readonly username: string | null;
  readonly password: string | null;
  readonly retries: number;
  readonly retryBackoffMs: number;
  readonly connectTimeoutMs: number;
}

/** Where reading starts or ends in one stream. */
export type StreamPosition = { readonly kind: "earliest" } | { readonly kind: "latest" } | { readonly kind: "id"; readonly id: string };

/** `earliest`, `latest`, or a position per stream (all listed streams named). */
export type OffsetsSpec = { readonly kind: "earliest" } | { readonly kind: "latest" } | { readonly kind: "perStream"; readonly positions: Readonly<Record<string, StreamPosition>> };

export interface RedisSourceOptions extends RedisConnectionOptions {
  readonly streams: readonly string[];
  readonly startingOffsets: OffsetsSpec;
  readonly endingOffsets: OffsetsSpec;
  readonly maxEntriesPerTrigger: number | null;
  readonly failOnDataLoss: boolean;
  /** Entry fields exposed as typed columns (from the `schema` option or `.schema(...)`). */
  readonly fieldSchema: StructType | null;
  readonly fetchSize: number;
}

export interface RedisSinkOptions extends RedisConnectionOptions {
  readonly stream: string | null;
  readonly fields: readonly string[] | null;
  readonly maxlen: number | null;
  readonly progressKey: string | null;
}

/** Names the built-in columns take; schema fields may not reuse them. */
export const RESERVED_COLUMNS = ["id", "stream", "fields"] as const;

type Raw = Readonly<Record<string, string>>;

function invalid(message: string): IllegalArgumentError {
  return new IllegalArgumentError("REDIS_OPTION_INVALID", message);
}

class Options {
  private readonly map = new Map<string, string>();
  constructor(raw: Raw) {
    for (const [k, v] of Object.entries(raw)) this.map.set(k.toLowerCase(), v);
  }
  get(key: string): string | null {
    return this.map.get(key.toLowerCase()) ?? null;
  }
  int(key: string, dflt: number, min: number): number {
    const v = this.get(key);
    if (v === null || v.trim() === "") return dflt;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) throw invalid(`Option '${key}' must be an integer >= ${min}, got '${v}'.`);
    return n;
  }
  optionalInt(key: string, min: number): number | null {
    return this.get(key) === null ? null : this.int(key, min, min);
  }
  bool(key: string, dflt: boolean): boolean {
    const v = this.get(key);
    if (v === null) return dflt;
    const t = v.trim().toLowerCase();
    if (t !== "true" && t !== "false") throw invalid(`Option '${key}' must be 'true' or 'false', got '${v}'.`);
    return t === "true";
  }
  list(key: string): string[] | null {
    const v = this.get(key);
    if (v === null) return null;
    return v.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  }
}

function connectionOptions(o: Options): RedisConnectionOptions {
  const url = o.get("url");
  if (url === null || url.trim() === "") throw new IllegalArgumentError("REDIS_OPTION_REQUIRED", `Option 'url' is required for format("redis"), e.g. .option("url", "redis://127.0.0.1:6379").`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`Option 'url' must be a URL like redis://[user:password@]host:port[/db], got '${url}'.`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") throw invalid(`Option 'url' must start with redis:// or rediss://, got '${url}'.`);
  return {
    url,
    username: o.get("username"),
    password: o.get("password"),
    retries: o.int("retries", 3, 0),
    retryBackoffMs: o.int("retryBackoffMs", 100, 0),
    connectTimeoutMs: o.int("connectTimeoutMs", 5000, 1),
  };
}

function position(value: unknown, option: string, stream: string, allowEarliest: boolean): StreamPosition {
  if (value === "earliest" || value === -2 || value === "-") {
    if (!allowEarliest) throw invalid(`Option '${option}': 'earliest' is not allowed as an ending offset (stream '${stream}').`);
    return { kind: "earliest" };
  }
  if (value === "latest" || value === -1 || value === "$" || value === "+") return { kind: "latest" };
  if (typeof value === "string" && isEntryId(value)) return value === BEFORE_FIRST_ID ? { kind: "earliest" } : { kind: "id", id: value };
  throw invalid(`Option '${option}': the position of stream '${stream}' must be an entry ID ('<ms>-<seq>', e.g. '1700000000000-0'), 'earliest' or 'latest', got ${JSON.stringify(value)}.`);
}

/** Parses `earliest` / `latest` / a JSON object of positions; every listed stream must be named. */
export function parseOffsetsSpec(option: string, text: string, streams: readonly string[], allowed: readonly ("earliest" | "latest")[]): OffsetsSpec {
  const t = text.trim();
  const lower = t.toLowerCase();
  if (lower === "earliest" || lower === "latest") {
    if (!allowed.includes(lower)) throw invalid(`Option '${option}' does not accept '${lower}' here; allowed: ${[...allowed.map((a) => `'${a}'`), "a JSON object of entry IDs per stream"].join(", ")}.`);
    return { kind: lower };
  }
  let json: unknown;
  try {
    json = JSON.parse(t);
  } catch {
    json = undefined;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw invalid(`Option '${option}' must be ${allowed.map((a) => `'${a}'`).join(", ")} or a JSON object of entry IDs per stream such as {"${streams[0] ?? "events"}":"1700000000000-0"}, got '${text}'.`);
  }
  const positions: Record<string, StreamPosition> = {};
  for (const [stream, v] of Object.entries(json as Record<string, unknown>)) {
    if (!streams.includes(stream)) throw invalid(`Option '${option}' names stream '${stream}', which is not in option 'streams' (${streams.join(", ")}).`);
    positions[stream] = position(v, option, stream, allowed.includes("earliest") || option === "startingOffsets");
  }
  const missing = streams.filter((s) => positions[s] === undefined);
  if (missing.length > 0) throw invalid(`Option '${option}' must give a position for every stream in option 'streams'; missing: ${missing.join(", ")} (use "earliest" or "latest" for them).`);
  return { kind: "perStream", positions };
}

function fieldSchemaOf(o: Options, userSchema: StructType | null): StructType | null {
  const ddl = o.get("schema");
  if (ddl !== null && userSchema !== null) throw invalid(`Give the entry fields' schema once: either option 'schema' or .schema(...), not both.`);
  let s = userSchema;
  if (ddl !== null) {
    try {
      s = parseSchemaOrStruct(ddl);
    } catch (e) {
      throw invalid(`Option 'schema' must be a DDL schema such as 'user STRING, amount DOUBLE': ${(e as Error).message}`);
    }
  }
  if (s === null) return null;
  for (const f of s.fields) {
    if ((RESERVED_COLUMNS as readonly string[]).includes(f.name.toLowerCase())) {
      throw invalid(`Option 'schema' names field '${f.name}', which clashes with the built-in column of the same name (${RESERVED_COLUMNS.join(", ")}); read it from the 'fields' map instead: fields['${f.name}'].`);
    }
  }
  return structType(s.fields.map((f) => structField(f.name, f.dataType, true)));
}

/** Options of `spark.readStream.format("redis")` (streaming) or `spark.read.format("redis")` (batch). */
export function parseRedisSourceOptions(raw: Raw, userSchema: StructType | null, mode: "stream" | "batch"): RedisSourceOptions {
  const o = new Options(raw);
  const conn = connectionOptions(o);
  const streams = o.list("streams");
  if (streams === null || streams.length === 0) throw new IllegalArgumentError("REDIS_OPTION_REQUIRED", `Option 'streams' is required for format("redis"): the stream keys to read, comma-separated, e.g. .option("streams", "events,clicks").`);
  const dup = streams.find((s, i) => streams.indexOf(s) !== i);
  if (dup !== undefined) throw invalid(`Option 'streams' names stream '${dup}' twice.`);
  for (const k of ["stream", "fields", "maxlen", "progressKey"]) {
    if (o.get(k) !== null) throw invalid(`Option '${k}' is an option of the Redis sink, not of the source; the source reads the streams in option 'streams'.`);
  }
  const starting = parseOffsetsSpec("startingOffsets", o.get("startingOffsets") ?? (mode === "stream" ? "latest" : "earliest"), streams, mode === "stream" ? ["earliest", "latest"] : ["earliest"]);
  let ending: OffsetsSpec = { kind: "latest" };
  if (mode === "batch") ending = parseOffsetsSpec("endingOffsets", o.get("endingOffsets") ?? "latest", streams, ["latest"]);
  else if (o.get("endingOffsets") !== null) throw invalid(`Option 'endingOffsets' is for batch reads (spark.read); a stream reads on as entries arrive.`);
  if (mode === "batch" && o.get("maxEntriesPerTrigger") !== null) throw invalid(`Option 'maxEntriesPerTrigger' is for streaming reads (spark.readStream).`);
  return {
    ...conn,
    streams,
    startingOffsets: starting,
    endingOffsets: ending,
    maxEntriesPerTrigger: o.optionalInt("maxEntriesPerTrigger", 1),
    failOnDataLoss: o.bool("failOnDataLoss", true),
    fieldSchema: fieldSchemaOf(o, userSchema),
    fetchSize: o.int("fetchSize", 10_000, 1),
  };
}

/** Options of `writeStream.format("redis")` and `df.write.format("redis")`. */
export function parseRedisSinkOptions(raw: Raw, streamFromPath: string | null = null): RedisSinkOptions {
  const o = new Options(raw);
  const conn = connectionOptions(o);
  for (const k of ["streams", "startingOffsets", "endingOffsets", "maxEntriesPerTrigger", "schema"]) {
    if (o.get(k) !== null) throw invalid(`Option '${k}' is an option of the Redis source; the sink writes to the stream in option 'stream' (or a 'stream' column).`);
  }
  const stream = o.get("stream") ?? streamFromPath;
  if (stream !== null && stream.trim() === "") throw invalid(`Option 'stream' must name a stream key, got an empty string.`);
  const fields = o.list("fields");
  if (fields !== null && fields.length === 0) throw invalid(`Option 'fields' must name at least one column, comma-separated.`);
  const progressKey = o.get("progressKey");
  if (progressKey !== null && progressKey.trim() === "") throw invalid(`Option 'progressKey' must be a key name, got an empty string.`);
  return { ...conn, stream, fields, maxlen: o.optionalInt("maxlen", 1), progressKey };
}
