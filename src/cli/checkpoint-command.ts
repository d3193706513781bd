import { IllegalArgumentError } from "../errors/errors.js";
import { formatTable } from "../api/show-string.js";
import { formatCheckpointReport, inspectCheckpoint } from "./checkpoint-inspect.js";
import { describeError } from "./main.js";

/** `sluice checkpoint inspect DIR`. */
export function runCheckpointInspect(dir: string, opts: { json?: boolean; batches: string }, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number {
  try {
    const n = Number(opts.batches);
    if (!Number.isInteger(n) || n < 0) throw new IllegalArgumentError("INVALID_OPTION", `--batches must be a non-negative integer, got '${opts.batches}'.`);
    const report = inspectCheckpoint(dir, n);
    out.write(opts.json ? JSON.stringify(report, null, 2) + "\n" : formatCheckpointReport(report, (h, rows) => formatTable(h, rows, false)));
    return 0;
  } catch (e) {
    err.write(`sluice checkpoint inspect: ${describeError(e)}\n`);
    return 1;
  }
}
