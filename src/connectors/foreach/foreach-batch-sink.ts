import type { DataFrame } from "../../api/dataframe.js";
import type { Session } from "../../api/session.js";
import type { RecordBatch } from "../../batch/record-batch.js";
import { Expr as E } from "../../expr/expression.js";
import { Plan } from "../../plan/logical-plan.js";
import type { OutputMode, Sink } from "../../streaming/sink.js";
import type { StructType } from "../../types/data-type.js";
import type { UnknownRow } from "../../types/row-type.js";

export type ForeachBatchFunction<Row = UnknownRow> = (df: DataFrame<Row>, batchId: number) => Promise<void> | void;

/**
 * Calls a user function with each micro-batch as a (batch, not streaming) DataFrame and its batch
 * id (Spark's foreachBatch). Exactly-once output is the function's job: it is called again with
 * the same batch id and the same rows when a batch is re-run after a failure. A rejected promise
 * fails the query.
 */
export class ForeachBatchSink implements Sink {
  readonly description = "ForeachBatchSink";
  constructor(
    private readonly session: Session,
    private readonly schema: StructType,
    private readonly fn: ForeachBatchFunction,
  ) {}

  async addBatch(batchId: number, batches: readonly RecordBatch[], _outputMode: OutputMode): Promise<void> {
    const output = this.schema.fields.map((f) => E.attr(f.name, f.dataType, f.nullable));
    const df = this.session.dataFrame(Plan.localRelation(output, batches, `foreachBatch ${batchId}`));
    await this.fn(df, batchId);
  }
}
