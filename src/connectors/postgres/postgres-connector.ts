import type { BatchSourceProvider } from "../source-registry.js";
import { registerStreamSink } from "../../streaming/sink-registry.js";
import { createPostgresSink } from "./postgres-sink.js";
import { resolvePostgres, scanPostgres } from "./postgres-source.js";
import { writePostgres } from "./postgres-writer.js";

/**
 * The PostgreSQL connector (format "postgres"): batch reads (`spark.read`), batch writes with
 * save modes (`df.write`) and the exactly-once streaming sink (`writeStream`). Options are listed
 * in postgres-options.ts. The source registry registers `postgresBatchSource`; importing this
 * module registers the streaming sink.
 *
 * | file                    | job                                                              |
 * |-------------------------|------------------------------------------------------------------|
 * | postgres-options.ts     | option parsing and defaults                                      |
 * | postgres-connection.ts  | connecting, error translation (server, object, option to fix), retries |
 * | postgres-describe.ts    | column names and types of a query (sync, for load())             |
 * | postgres-types.ts       | PostgreSQL ↔ Spark types                                          |
 * | postgres-values.ts      | exact text codecs for values                                     |
 * | postgres-partitions.ts  | Spark's stride partitioning                                      |
 * | postgres-source.ts      | batch read                                                       |
 * | postgres-table.ts       | table lookup, CREATE TABLE, schema matching                      |
 * | postgres-copy.ts        | COPY FROM STDIN                                                  |
 * | postgres-writer.ts      | batch write with save modes                                      |
 * | postgres-sink.ts        | exactly-once streaming sink                                      |
 */
export const postgresBatchSource: BatchSourceProvider = {
  name: "postgres",
  resolve: (paths, options, userSchema) => resolvePostgres(paths, options, userSchema),
  scan: (rel, timeZone) => scanPostgres(rel, timeZone),
  write: (path, mode, partitionBy, options, schema, batches, timeZone) => writePostgres(path || null, mode, partitionBy, options, schema, batches, timeZone),
};

registerStreamSink("postgres", createPostgresSink);
