/**
 * Entry point of an executor worker thread: receives stage tasks, runs them (stage-task.ts)
 * and posts the rows back as transferred buffers. It loads the same built-in functions and
 * batch sources as the main thread; user-defined functions arrive as source text.
 */
import { parentPort } from "node:worker_threads";
// What a task's plan can name: built-in and internal functions, and the batch sources that
// split (files, generators). Not the whole library: a worker starts in a fifth of the time.
import "../../expr/builtins.js";
import "../../expr/time-window.js";
import "../../expr/session-window.js";
import "../../analyzer/generators.js";
import "../../analyzer/interval-arithmetic.js";
import "../../connectors/source-registry.js";
import { udaf, udf } from "../../api/udf.js";
import { SluiceError } from "../../errors/errors.js";
import type { FunctionDef } from "../../expr/function-def.js";
import { type UdfSource, evaluateSource, rebuildFunction, selfContained } from "../../expr/udf-source.js";
import { runStageTask } from "./stage-task.js";
import { isStatefulTask, runStatefulTask } from "./stateful-task.js";
import type { WorkerTask } from "./worker-pool.js";

function rebuildUdf(src: UdfSource): FunctionDef {
  const what = `the user-defined function ${src.name}`;
  const hint = "pass values as arguments (lit(...))";
  if (src.kind === "udf") return udf(rebuildFunction(src.source, what, hint) as (...args: never[]) => unknown, src.returnType, { name: src.name, deterministic: src.deterministic }).def;
  // A udaf travels as an object literal of its four functions.
  const a = evaluateSource(src.source, what) as Record<"zero" | "reduce" | "merge" | "finish", (...args: unknown[]) => unknown>;
  const part = (k: "zero" | "reduce" | "merge" | "finish"): ((...args: never[]) => never) => selfContained(a[k], what, hint) as unknown as (...args: never[]) => never;
  return udaf({ zero: part("zero"), reduce: part("reduce"), merge: part("merge"), finish: part("finish") }, src.returnType, { name: src.name, skipNulls: src.skipNulls }).def;
}

/** The error classes of an error's causes (what the main thread may act on, e.g. UDF_NOT_SELF_CONTAINED). */
function causeClassesOf(e: Error): string[] {
  const out: string[] = [];
  for (let c: unknown = e.cause; c instanceof Error && out.length < 8; c = c.cause) if (c instanceof SluiceError) out.push(c.errorClass);
  return out;
}

const port = parentPort;
if (port) {
  port.on("message", (m: { id: number; task: WorkerTask }) => {
    const startedAt = performance.timeOrigin + performance.now();
    (isStatefulTask(m.task) ? runStatefulTask(m.task, rebuildUdf) : runStageTask(m.task, rebuildUdf)).then(
      ({ result, transfer }) => port.postMessage({ id: m.id, ok: true, result, startedAt, endedAt: performance.timeOrigin + performance.now() }, transfer),
      (e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        port.postMessage({ id: m.id, ok: false, error: { name: err.name, errorClass: err instanceof SluiceError ? err.errorClass : undefined, causeClasses: causeClassesOf(err), message: err.message, stack: err.stack } });
      },
    );
  });
}
