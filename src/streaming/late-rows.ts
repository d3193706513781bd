import { planOutput } from "../analyzer/plan-output.js";
import { type RecordBatch, makeBatch } from "../batch/record-batch.js";
import { type Vector, constantVector } from "../batch/vector.js";
import { StreamingError } from "../errors/errors.js";
import type { AttributeRef } from "../expr/expression.js";
import type { LogicalPlan } from "../plan/logical-plan.js";
import type { DroppedRows } from "../physical/stateful/dropped-rows.js";
import { statefulOperatorsOf } from "../physical/stateful/stateful-operators.js";
import { hasWatermarkInput } from "../physical/stateful/flat-map-groups-with-state-exec.js";
import { type DataType, IntegerType, StringType, type StructType, TimestampType, sameType, sqlTypeName, structField, structType } from "../types/data-type.js";
import type { Sink } from "./sink.js";

/**
 * The columns a late-rows sink receives after the input columns: which operator dropped the
 * row (its state id, as `state/<id>` and the state reader name it, and its progress name), the
 * join side it came in on (null outside stream-stream joins) and the watermark it was behind.
 */
export const LATE_ROW_COLUMNS = ["late_operator_id", "late_operator", "late_side", "late_watermark"] as const;

/** Where `writeStream.lateRowsTo(...)` sends the rows stateful operators drop as late. */
export interface LateRowsTarget {
  readonly sink: Sink;
  readonly layout: LateRowsLayout;
}

/**
 * The schema of the late rows of a query, fixed at start(): the input columns of every stateful
 * operator that can drop rows behind a watermark, merged by name (a column several operators see
 * appears once; a row from an operator without it has null there), then {@link LATE_ROW_COLUMNS}.
 */
export interface LateRowsLayout {
  readonly schema: StructType;
  /** The operators that may drop rows, as `<operatorName>#<id>` (for messages). */
  readonly operators: readonly string[];
}

/** One input whose rows an operator may drop. */
interface LateInput {
  readonly label: string;
  readonly input: readonly AttributeRef[];
}

/** The inputs of the stateful operators of `plan` that drop rows behind the watermark. */
function lateInputsOf(plan: LogicalPlan, outputMode: string): LateInput[] {
  const out: LateInput[] = [];
  for (const op of statefulOperatorsOf(plan)) {
    const label = `${op.operatorName}#${op.operatorId}`;
    switch (op.kind) {
      case "aggregate":
        // Complete mode keeps every group: nothing is ever late.
        if (op.eventTimeKey !== null && outputMode !== "complete") out.push({ label, input: planOutput(op.node.child) });
        break;
      case "dedupe":
        if (op.eventTime !== null) out.push({ label, input: planOutput(op.node.child) });
        break;
      case "join":
        if (op.spec.eventTime.left >= 0) out.push({ label: `${label} (left)`, input: op.spec.leftOutput });
        if (op.spec.eventTime.right >= 0) out.push({ label: `${label} (right)`, input: op.spec.rightOutput });
        break;
      case "window":
        out.push({ label, input: planOutput(op.node.child) });
        break;
      case "flatMapGroupsWithState":
        if (op.node.spec.timeout === "EventTimeTimeout" && hasWatermarkInput(op.node)) out.push({ label, input: planOutput(op.node.child) });
        break;
    }
  }
  return out;
}

/**
 * The late-rows layout of a streaming query, or a clear error when `lateRowsTo` cannot apply:
 * no stateful operator of the query drops rows by a watermark, or two inputs have a column of
 * the same name with different types.
 */
export function lateRowsLayoutOf(plan: LogicalPlan, outputMode: string): LateRowsLayout {
  const inputs = lateInputsOf(plan, outputMode);
  if (inputs.length === 0) {
    throw new StreamingError(
      "STREAMING_LATE_ROWS_WITHOUT_WATERMARK",
      "lateRowsTo(...) needs a stateful operator that drops rows behind a watermark (an aggregation by an event-time column or window outside Complete mode, dropDuplicates with a watermarked column, a stream-stream join of watermarked inputs, a session window or flatMapGroupsWithState with EventTimeTimeout); this query has none",
    );
  }
  const fields: { name: string; type: DataType; from: string }[] = [];
  for (const { label, input } of inputs) {
    const seen = new Set<string>();
    for (const a of input) {
      if (seen.has(a.name)) {
        throw new StreamingError("STREAMING_LATE_ROWS_DUPLICATE_COLUMN", `lateRowsTo(...): the input of ${label} has two columns named ${a.name}; rename one (alias) so late rows can carry both`);
      }
      seen.add(a.name);
      const prev = fields.find((f) => f.name === a.name);
      if (prev === undefined) fields.push({ name: a.name, type: a.dataType, from: label });
      else if (!sameType(prev.type, a.dataType, true)) {
        throw new StreamingError(
          "STREAMING_LATE_ROWS_COLUMN_TYPE_MISMATCH",
          `lateRowsTo(...): column ${a.name} is ${sqlTypeName(prev.type)} in the input of ${prev.from} but ${sqlTypeName(a.dataType)} in the input of ${label}; rename one so the late rows have one schema`,
        );
      }
      if ((LATE_ROW_COLUMNS as readonly string[]).includes(a.name)) {
        throw new StreamingError("STREAMING_LATE_ROWS_DUPLICATE_COLUMN", `lateRowsTo(...): the input of ${label} has a column named ${a.name}, which late rows use to say where they were dropped; rename it`);
      }
    }
  }
  const schema = structType([
    ...fields.map((f) => structField(f.name, f.type, true)),
    structField("late_operator_id", IntegerType, false),
    structField("late_operator", StringType, false),
    structField("late_side", StringType, true),
    structField("late_watermark", TimestampType, false),
  ]);
  return { schema, operators: inputs.map((i) => i.label) };
}

/** The dropped rows of one batch in the layout's schema (input columns by name, then where they were dropped). */
export function lateRowsBatches(layout: LateRowsLayout, dropped: readonly DroppedRows[]): RecordBatch[] {
  const fields = layout.schema.fields;
  const inputCount = fields.length - LATE_ROW_COLUMNS.length;
  const out: RecordBatch[] = [];
  for (const d of dropped) {
    const at = new Map(d.input.map((a, i) => [a.name, i]));
    for (const b of d.batches) {
      if (b.numRows === 0) continue;
      const n = b.numRows;
      const cols: Vector[] = [];
      for (let j = 0; j < inputCount; j++) {
        const i = at.get(fields[j]!.name);
        cols.push(i === undefined ? constantVector(fields[j]!.dataType, null, n) : b.columns[i]!);
      }
      cols.push(
        constantVector(IntegerType, d.operatorId, n),
        constantVector(StringType, d.operatorName, n),
        constantVector(StringType, d.side, n),
        constantVector(TimestampType, d.watermarkMs * 1000, n),
      );
      out.push(makeBatch(layout.schema, cols, n));
    }
  }
  return out;
}
