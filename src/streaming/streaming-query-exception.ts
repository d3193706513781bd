import { SluiceError } from "../errors/errors.js";

/**
 * The failure that terminated a streaming query (Spark's StreamingQueryException): `cause` is
 * the original error (a throwing UDF, a rejecting foreachBatch, an I/O error), `batchId` the
 * batch that failed (re-run with the same offsets on restart).
 */
export class StreamingQueryException extends SluiceError {
  constructor(
    readonly queryDescription: string,
    override readonly cause: Error,
    readonly batchId: number | null,
  ) {
    super("STREAM_FAILED", `[STREAM_FAILED] Query ${queryDescription} terminated with exception: ${cause.message}`, { cause });
  }

  /** The cause's error class when it is a Sluice error. */
  get causeErrorClass(): string | null {
    return this.cause instanceof SluiceError ? this.cause.errorClass : null;
  }
}
