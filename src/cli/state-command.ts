import * as path from "node:path";
import { formatTable } from "../api/show-string.js";
import { Session } from "../api/session.js";
import { resolveStateRead, stateMetadataRows } from "../connectors/state/index.js";
import { IllegalArgumentError } from "../errors/errors.js";
import { describeError } from "./main.js";

export interface StateReadOptions {
  readonly operator?: string;
  readonly batch?: string;
  readonly store?: string;
  readonly joinSide?: string;
  readonly partition?: string;
  readonly numRows?: string;
  readonly truncate: string;
  readonly vertical?: boolean;
  readonly json?: boolean;
}

/** JSON of collected rows: bigints as numbers' text, Maps as objects, bytes as base64. */
function rowJson(row: unknown): string {
  return JSON.stringify(row, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v instanceof Map ? Object.fromEntries(v) : v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v));
}

function nonNegativeInt(v: string, name: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isInteger(n) || n < 0) throw new IllegalArgumentError("INVALID_OPTION", `${name} must be a non-negative integer, got '${v}'.`);
  return n;
}

/**
 * `sluice state read DIR`: the state of one stateful operator at one batch, as show() prints it
 * (or JSON lines), through `spark.read.format("state")`. Read-only.
 */
export async function runStateRead(dir: string, o: StateReadOptions, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  try {
    const options: Record<string, string> = {};
    if (o.operator !== undefined) options["operatorId"] = String(nonNegativeInt(o.operator, "--operator"));
    if (o.batch !== undefined) options["batchId"] = String(nonNegativeInt(o.batch, "--batch"));
    if (o.partition !== undefined) options["partitionId"] = String(nonNegativeInt(o.partition, "--partition"));
    if (o.store !== undefined) options["storeName"] = o.store;
    if (o.joinSide !== undefined) options["joinSide"] = o.joinSide;
    const truncate = nonNegativeInt(o.truncate, "--truncate");
    let n: number | undefined;
    if (o.numRows !== undefined) {
      n = nonNegativeInt(o.numRows, "--num-rows");
      if (n === 0) throw new IllegalArgumentError("INVALID_OPTION", "--num-rows must be a positive integer, got '0'.");
    }
    // Resolve first: a bad directory, operator or batch is reported before a session starts.
    const r = resolveStateRead([dir], options);
    const spark = Session.builder().appName("sluice-state").create();
    const df = spark.read.format("state").options(options).load(dir);
    if (o.json) {
      const rows = await (n === undefined ? df : df.limit(n)).collect();
      for (const row of rows) out.write(rowJson(row) + "\n");
      return 0;
    }
    const total = await df.count();
    out.write(`State of operator ${r.operatorId} (${r.operatorName})${r.storeName === "default" ? "" : `, store ${r.storeName}`} at batch ${r.batchId}: ${total} row${total === 1 ? "" : "s"} in ${r.partitions.length} partition${r.partitions.length === 1 ? "" : "s"}\n`);
    out.write(await df.showString(n ?? 20, truncate, o.vertical ?? false));
    return 0;
  } catch (e) {
    err.write(`sluice state read: ${describeError(e)}\n`);
    return 1;
  }
}

/** `sluice state operators DIR`: the stateful operators of a checkpoint (`format("state-metadata")`). */
export function runStateOperators(dir: string, o: { json?: boolean }, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number {
  try {
    const rows = stateMetadataRows(path.resolve(dir));
    if (o.json) {
      for (const r of rows) out.write(rowJson(r) + "\n");
      return 0;
    }
    if (rows.length === 0) {
      out.write(`${dir}: no stateful operators (the query keeps no state).\n`);
      return 0;
    }
    const header = ["operatorId", "operatorName", "stateStoreName", "numPartitions", "minBatchId", "maxBatchId", "keySchema", "valueSchema"];
    const cells = rows.map((r) => [
      String(r.operatorId),
      r.operatorName ?? "NULL",
      r.stateStoreName,
      String(r.numPartitions),
      r.minBatchId === null ? "NULL" : String(r.minBatchId),
      r.maxBatchId === null ? "NULL" : String(r.maxBatchId),
      r.keySchema ?? "NULL",
      r.valueSchema ?? "NULL",
    ]);
    out.write(formatTable(header, cells, false));
    return 0;
  } catch (e) {
    err.write(`sluice state operators: ${describeError(e)}\n`);
    return 1;
  }
}
