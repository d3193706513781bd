import { accessSync, constants, mkdirSync, readFileSync } from "node:fs";
import { Session } from "../api/session.js";
import type { StreamingQuery } from "../api/streaming-query.js";
import { IllegalArgumentError } from "../errors/errors.js";
import type { StreamingQueryListener } from "../streaming/streaming-listener.js";
import type { TriggerSpec } from "../streaming/trigger.js";
import { describeError } from "./main.js";
import { type PipelineQuery, planPipeline } from "./pipeline/pipeline.js";
import { progressLogListener } from "./pipeline/progress-log.js";

export interface RunCommandOptions {
  readonly checkpoint?: string;
  readonly once?: boolean;
  readonly availableNow?: boolean;
  readonly conf?: string[];
  readonly quiet?: boolean;
}

/** Signals that stop `sluice run` and `sluice ui` gracefully. */
const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Resolves when SIGINT or SIGTERM arrives (the first one); a second one exits at once with 130.
 * `dispose` removes the handlers.
 */
export function onStopSignal(onSecond: () => void = () => process.exit(130)): { stopped: Promise<string>; dispose: () => void } {
  let count = 0;
  let resolveStop!: (s: string) => void;
  const stopped = new Promise<string>((r) => (resolveStop = r));
  const handler = (sig: string): void => {
    if (++count === 1) resolveStop(sig);
    else onSecond();
  };
  for (const s of STOP_SIGNALS) process.on(s, handler);
  return { stopped, dispose: () => STOP_SIGNALS.forEach((s) => process.off(s, handler)) };
}

/**
 * `sluice run pipeline.sql`: starts one streaming query per INSERT INTO and runs until they end
 * (--once, --available-now), one fails (exit 1, with the checkpoint to restart from), or
 * SIGINT/SIGTERM stops them after their current batch (exit 0).
 */
export async function runPipeline(file: string, o: RunCommandOptions, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const started: { q: PipelineQuery; query: StreamingQuery }[] = [];
  const log = (line: string): void => void (o.quiet ? undefined : err.write(line + "\n"));
  let signals: ReturnType<typeof onStopSignal> | null = null;
  let spark: Session | null = null;
  try {
    if (o.once && o.availableNow) throw new IllegalArgumentError("INVALID_OPTION", "--once and --available-now cannot be used together.");
    const text = readPipelineFile(file);
    spark = Session.builder().appName("sluice-run").create();
    for (const kv of o.conf ?? []) {
      const i = kv.indexOf("=");
      if (i <= 0) throw new IllegalArgumentError("INVALID_CONF", `--conf takes key=value, got '${kv}'.`);
      spark.conf.set(kv.slice(0, i), kv.slice(i + 1));
    }
    const trigger: TriggerSpec | undefined = o.once ? { once: true } : o.availableNow ? { availableNow: true } : undefined;
    const queries = planPipeline(spark, text, { ...(o.checkpoint !== undefined ? { checkpointRoot: o.checkpoint } : {}), ...(trigger ? { trigger } : {}) });

    const byName = new Map(queries.map((q) => [q.name, q]));
    const session = spark;
    spark.streams.addListener(progressLogListener((name) => (name !== null ? byName.get(name)?.checkpoint ?? null : null), (runId) => {
      const q = session.streams.active.find((a) => a.runId === runId);
      try {
        return q ? q.explainString(true) : null;
      } catch {
        return null;
      }
    }));
    spark.streams.addListener(batchLines(log));

    for (const q of queries) if (q.checkpoint !== null) checkWritable(q.name, q.checkpoint);
    signals = onStopSignal();
    for (const q of queries) {
      const w = q.df.writeStream.format(q.format).queryName(q.name).outputMode(q.outputMode).options(q.options);
      if (q.partitionBy.length > 0) w.partitionBy(...q.partitionBy);
      if (q.trigger) w.trigger(q.trigger);
      if (q.checkpoint !== null) w.option("checkpointLocation", q.checkpoint);
      const query = await w.start();
      started.push({ q, query });
      log(`sluice run: started ${q.name} (${q.format}, ${q.outputMode}${q.checkpoint !== null ? `, checkpoint ${q.checkpoint}` : ""})`);
    }

    const ended = started.map(({ q, query }) => query.awaitTermination().then(() => null, (e: unknown) => ({ q, e })));
    let firstFailure!: Promise<{ q: PipelineQuery; e: unknown }>;
    {
      let resolveFailure!: (f: { q: PipelineQuery; e: unknown }) => void;
      firstFailure = new Promise((r) => (resolveFailure = r));
      for (const p of ended) void p.then((f) => f && resolveFailure(f));
    }
    const outcome = await Promise.race([
      signals.stopped.then((sig) => ({ kind: "signal" as const, sig })),
      firstFailure.then((f) => ({ kind: "failed" as const, f })),
      Promise.all(ended).then(() => ({ kind: "done" as const })),
    ]);
    if (outcome.kind === "signal") log(`sluice run: ${outcome.sig}: stopping ${started.length === 1 ? "the query" : `${started.length} queries`} after the current batch (Ctrl-C again to exit at once)`);
    await Promise.all(started.map(({ query }) => query.stop().catch(() => undefined)));
    const failures = (await Promise.all(ended)).filter((f) => f !== null);
    for (const f of failures) {
      err.write(`sluice run: query ${f.q.name} failed: ${firstLine(describeError(f.e))}${f.q.checkpoint !== null ? ` (restart from checkpoint ${f.q.checkpoint})` : ""}\n`);
    }
    if (failures.length > 0) return 1;
    for (const { q, query } of started) {
      out.write(`${q.name}: ${query.lastCommittedBatchId >= 0 ? `committed through batch ${query.lastCommittedBatchId}` : "no batch committed"}${q.checkpoint !== null ? `; checkpoint ${q.checkpoint}` : ""}\n`);
    }
    return 0;
  } catch (e) {
    await Promise.all(started.map(({ query }) => query.stop().catch(() => undefined)));
    err.write(`sluice run: ${describeError(e)}\n`);
    return 1;
  } finally {
    signals?.dispose();
    spark?.stop();
  }
}

function batchLines(log: (line: string) => void): StreamingQueryListener {
  return {
    onQueryProgress: ({ progress: p }) => {
      const wm = p.eventTime["watermark"];
      log(`[${p.name ?? p.id}] batch ${p.batchId}: ${p.numInputRows} rows in ${p.batchDuration} ms${wm && Date.parse(wm) > 0 ? `, watermark ${wm}` : ""}`);
    },
  };
}

function checkWritable(name: string, dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new IllegalArgumentError("CHECKPOINT_NOT_WRITABLE", `Cannot use ${dir} as the checkpoint of ${name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; give a writable directory (--checkpoint DIR, or checkpointLocation in the OPTIONS of the sink view).`);
  }
}

function firstLine(s: string): string {
  const i = s.indexOf("\n");
  return i < 0 ? s : s.slice(0, i);
}

function readPipelineFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new IllegalArgumentError("PIPELINE_FILE_UNREADABLE", `Cannot read the pipeline file ${path}: ${(e as Error).message}`);
  }
}
