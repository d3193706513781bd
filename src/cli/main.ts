import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { SluiceError } from "../errors/errors.js";
import { runSql } from "./sql-command.js";
import { runCheckpointInspect } from "./checkpoint-command.js";
import { runStateOperators, runStateRead, type StateReadOptions } from "./state-command.js";
import { type RunCommandOptions, runPipeline } from "./run-command.js";
import { runUi } from "./ui-command.js";

/**
 * The `sluice` command. Returns the process exit code; errors a user can fix are printed as one
 * clear message (never a bare stack trace).
 */
export async function main(argv: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const program = new Command();
  let code = 0;
  program
    .name("sluice")
    .description("Structured Streaming for TypeScript: run SQL over files, and streaming pipelines.")
    .version(readVersion(), "-V, --version")
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) })
    .showHelpAfterError("(run with --help for usage)");

  program
    .command("sql")
    .description("Run Spark SQL (batch) and print the result as show() does. Files are tables: SELECT * FROM json.`data/*.json`")
    .argument("[query]", "the SQL text (several statements separated by ';'; the last one's result is printed)")
    .option("-f, --file <path>", "read the SQL from a file instead")
    .option("-n, --num-rows <n>", "rows to print", "20")
    .option("--truncate <n>", "truncate cells to n characters (0: no truncation)", "20")
    .option("--vertical", "print one line per column, as show(vertical=true)")
    .option("--json", "print the rows as JSON lines instead of a table")
    .option("-c, --conf <key=value...>", "session settings, e.g. -c sluice.sql.session.timeZone=Europe/Paris")
    .addHelpText("after", `
Examples:
  $ sluice sql "SELECT 1 + 1 AS two"
  $ sluice sql "SELECT word, count(*) AS n FROM text.\\\`docs/*.txt\\\` GROUP BY word ORDER BY n DESC"
  $ sluice sql -f report.sql --json`)
    .action(async (query: string | undefined, opts: { file?: string; numRows: string; truncate: string; vertical?: boolean; json?: boolean; conf?: string[] }) => {
      code = await runSql({ query, ...opts }, out, err);
    });

  program
    .command("run")
    .description("Run a streaming pipeline written in SQL: sources and sinks are CREATE TEMP VIEW ... USING <format> OPTIONS (...), each INSERT INTO sink SELECT ... is a streaming query. Runs until stopped; Ctrl-C stops it after the current batch.")
    .argument("<pipeline>", "the .sql file of the pipeline")
    .option("--checkpoint <dir>", "checkpoint root: each query checkpoints under DIR/<sink view> (else the sink's checkpointLocation option)")
    .option("--once", "run one batch of what is available, then stop")
    .option("--available-now", "process all data available at start (in several batches), then stop")
    .option("-c, --conf <key=value>", "a session setting (repeatable), e.g. -c sluice.sql.shuffle.partitions=4", (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option("-q, --quiet", "no line per batch on stderr")
    .addHelpText("after", `
Pipeline file:
  CREATE TEMP VIEW events (id INT, kind STRING) USING json OPTIONS (path 'in/');
  CREATE TEMP VIEW counts USING parquet OPTIONS (path 'out/', outputMode 'append');
  INSERT INTO counts SELECT kind, id FROM events WHERE kind <> 'noise';
Sink view options read by sluice run: checkpointLocation, outputMode (append|update|complete),
trigger ('10 seconds', 'once', 'availableNow'), partitionBy ('a,b'); the others go to the sink.
Source view option watermark 'ts, 10 minutes': the event-time watermark (as withWatermark).

Examples:
  $ sluice run pipeline.sql --checkpoint /var/lib/sluice/ckpt
  $ sluice run pipeline.sql --checkpoint ckpt --available-now -c sluice.sql.shuffle.partitions=2`)
    .action(async (file: string, opts: RunCommandOptions) => {
      code = await runPipeline(file, opts, out, err);
    });

  program
    .command("ui")
    .description("Serve the web UI over finished queries, read from their checkpoints (and the progress logs sluice run keeps there). Runs until Ctrl-C.")
    .argument("<dir...>", "checkpoint directories, or directories of checkpoints (a sluice run --checkpoint root)")
    .option("-p, --port <n>", "the port (0: any free port)", "4040")
    .option("--host <host>", "the address to listen on", "127.0.0.1")
    .addHelpText("after", `
Examples:
  $ sluice ui /var/lib/sluice/ckpt
  $ sluice ui ckpt/counts ckpt/alerts --port 4041`)
    .action(async (dirs: string[], opts: { port: string; host?: string }) => {
      code = await runUi(dirs, opts, out, err);
    });

  const checkpoint = program.command("checkpoint").description("Look into a streaming query's checkpoint directory (read-only).");
  checkpoint
    .command("inspect")
    .description("Batches planned and committed, what a restart would do, watermark, source offsets, state operators and sizes.")
    .argument("<dir>", "the checkpointLocation of a streaming query")
    .option("--json", "print the report as JSON")
    .option("--batches <n>", "how many recent batches to list", "10")
    .action((dir: string, opts: { json?: boolean; batches: string }) => {
      code = runCheckpointInspect(dir, opts, out, err);
    });

  const state = program.command("state").description("Read the state of a streaming query's stateful operators from its checkpoint (read-only).");
  state
    .command("read")
    .description("Print the keys and values one stateful operator keeps, at one committed batch, as show() does (spark.read.format(\"state\")).")
    .argument("<dir>", "the checkpointLocation of a streaming query")
    .option("--operator <n>", "the stateful operator id (see: sluice state operators DIR)", "0")
    .option("--batch <b>", "the committed batch whose state to read (default: the last committed batch)")
    .option("--partition <p>", "only this state partition")
    .option("--store <name>", "a named state store of the operator (an operator that keeps several)")
    .option("--join-side <side>", "left or right: the store of one side of a stream-stream join")
    .option("-n, --num-rows <n>", "rows to print (default 20 for the table, all with --json)")
    .option("--truncate <n>", "truncate cells to n characters (0: no truncation)", "0")
    .option("--vertical", "print one line per column, as show(vertical=true)")
    .option("--json", "print the rows as JSON lines instead of a table")
    .addHelpText("after", `
Examples:
  $ sluice state operators /tmp/ckpt
  $ sluice state read /tmp/ckpt --operator 0
  $ sluice state read /tmp/ckpt --batch 3 --json`)
    .action(async (dir: string, opts: StateReadOptions) => {
      code = await runStateRead(dir, opts, out, err);
    });
  state
    .command("operators")
    .description("List the stateful operators of a checkpoint: name, key and value schemas, partitions, the batches whose state can be read (spark.read.format(\"state-metadata\")).")
    .argument("<dir>", "the checkpointLocation of a streaming query")
    .option("--json", "print one JSON object per operator instead of a table")
    .action((dir: string, opts: { json?: boolean }) => {
      code = runStateOperators(dir, opts, out, err);
    });

  try {
    await program.parseAsync(["node", "sluice", ...argv]);
    if (argv.length === 0) {
      program.outputHelp();
      return 1;
    }
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    err.write(`sluice: ${describeError(e)}\n`);
    return 1;
  }
}

export function describeError(e: unknown): string {
  if (e instanceof SluiceError) return e.message;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}
