import { readFileSync } from "node:fs";
import { Session } from "../api/session.js";
import { IllegalArgumentError } from "../errors/errors.js";
import { describeError } from "./main.js";
import { ProgressBar, type ProgressOutput } from "./progress-bar.js";

export interface SqlCommandOptions {
  readonly query?: string;
  readonly file?: string;
  readonly numRows: string;
  readonly truncate: string;
  readonly vertical?: boolean;
  readonly json?: boolean;
  readonly conf?: string[];
}

/** `sluice sql`: runs the statements and prints the last result. */
export async function runSql(o: SqlCommandOptions, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  try {
    if ((o.query === undefined) === (o.file === undefined)) {
      throw new IllegalArgumentError("SQL_ARGUMENT", "Give the SQL either as an argument or with -f FILE (one of the two).");
    }
    const text = o.file !== undefined ? readSqlFile(o.file) : o.query!;
    const n = positiveInt(o.numRows, "--num-rows");
    const truncate = nonNegativeInt(o.truncate, "--truncate");
    const spark = Session.builder().appName("sluice-cli").create();
    for (const kv of o.conf ?? []) {
      const i = kv.indexOf("=");
      if (i <= 0) throw new IllegalArgumentError("INVALID_CONF", `--conf takes key=value, got '${kv}'.`);
      spark.conf.set(kv.slice(0, i), kv.slice(i + 1));
    }
    const bar = new ProgressBar(err as ProgressOutput);
    spark.progress = bar;
    const df = spark.sql(text);
    const result = o.json ? null : df.columns.length > 0 ? await df.showString(n, truncate, o.vertical ?? false) : "";
    const rows = o.json ? await df.limit(n).collect() : [];
    bar.finish();
    if (o.json) {
      for (const row of rows) out.write(JSON.stringify(row, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v instanceof Map ? Object.fromEntries(v) : v)) + "\n");
    } else out.write(result ?? "");
    return 0;
  } catch (e) {
    err.write(`sluice sql: ${describeError(e)}\n`);
    return 1;
  }
}

function readSqlFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new IllegalArgumentError("SQL_FILE_UNREADABLE", `Cannot read the SQL file ${path}: ${(e as Error).message}`);
  }
}

function positiveInt(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new IllegalArgumentError("INVALID_OPTION", `${name} must be a positive integer, got '${v}'.`);
  return n;
}
function nonNegativeInt(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new IllegalArgumentError("INVALID_OPTION", `${name} must be a non-negative integer, got '${v}'.`);
  return n;
}
