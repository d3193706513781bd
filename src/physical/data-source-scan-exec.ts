import type { RecordBatch } from "../batch/record-batch.js";
import { makeBatch } from "../batch/record-batch.js";
import type { AttributeRef } from "../expr/expression.js";
import type { DataSourceRelation } from "../plan/logical-plan.js";
import { scanDataSource } from "../connectors/source-registry.js";
import { sourceFiltersText } from "../connectors/source-filter.js";
import type { ExecContext, ExecOptions, PhysicalOp } from "./physical-op.js";
import { schemaOf } from "./physical-op.js";

/** Reads a connector's data (files or any registered batch source) for its required columns. */
export class DataSourceScanExec implements PhysicalOp {
  readonly name: string;
  readonly output: readonly AttributeRef[];
  readonly children = [];
  constructor(readonly relation: DataSourceRelation) {
    this.output = relation.output;
    this.name = `Scan ${relation.format}`;
  }
  describe(): string {
    const r = this.relation;
    const parts = [`[${r.output.map((a) => `${a.name}#${a.id}`).join(", ")}]`];
    if (r.paths.length) parts.push(`Location: [${r.paths.join(", ")}]`);
    if (r.pushedFilters.length) parts.push(`PushedFilters: ${sourceFiltersText(r.pushedFilters)}`);
    return parts.join(", ");
  }
  async *execute(ctx: ExecContext, options: ExecOptions = {}): AsyncIterable<RecordBatch> {
    const schema = schemaOf(this.output);
    const mb = this.relation.microBatch;
    const streamSource = mb?.counts ? mb.source : undefined;
    for await (const b of scanDataSource(this.relation, ctx.fctx.timeZone, options)) {
      ctx.progress?.rowsRead(b.numRows, streamSource);
      yield makeBatch(schema, b.columns, b.numRows);
    }
  }
}
