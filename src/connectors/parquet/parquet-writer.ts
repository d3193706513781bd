import * as fs from "node:fs";
import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import type { RecordBatch } from "../../batch/record-batch.js";
import type { Vector } from "../../batch/vector.js";
import type { DataType, StructType } from "../../types/data-type.js";
import type { FileWriteContext } from "../file-format.js";
import { FileOptions } from "../files/file-options.js";
import { WRITE_COMPRESSORS, parquetWriteCodec } from "./parquet-codecs.js";
import { checkParquetType, parquetSchemaOf } from "./parquet-schema.js";
import { sparkSchemaJson } from "./spark-schema-json.js";

/** Rows per row group unless the `rowGroupSize` option says otherwise. */
export const DEFAULT_ROW_GROUP_ROWS = 131_072;

/** A ByteWriter that streams to a file descriptor instead of growing in memory. */
class FileByteWriter extends ByteWriter {
  constructor(private readonly fd: number) {
    super(1 << 20);
  }
  override ensure(size: number): void {
    if (this.index > 4 << 20) this.flushToFile();
    super.ensure(size);
  }
  flushToFile(): void {
    fs.writeSync(this.fd, new Uint8Array(this.buffer, 0, this.index));
    this.index = 0;
  }
  override finish(): void {
    this.flushToFile();
  }
}

type WriterConv = (v: unknown) => unknown;

/** Internal value → the value hyparquet-writer expects for the schema element of `t`. */
function writerConverter(t: DataType): WriterConv {
  switch (t.kind) {
    case "boolean": return (v) => v === true || v === 1;
    case "long": case "decimal": return (v) => BigInt(v as number | bigint);
    case "timestamp": return (v) => BigInt(Math.round(v as number));
    case "array": {
      const e = writerConverter(t.elementType);
      return (v) => (v as unknown[]).map((x) => (x === null ? null : e(x)));
    }
    case "map": {
      const k = writerConverter(t.keyType), val = writerConverter(t.valueType);
      return (v) => {
        const m = new Map<unknown, unknown>();
        for (const [kk, x] of v as Map<unknown, unknown>) m.set(k(kk), x === null ? null : val(x));
        return m;
      };
    }
    case "struct": {
      const convs = t.fields.map((f) => writerConverter(f.dataType));
      return (v) => {
        const a = v as unknown[];
        const o: Record<string, unknown> = {};
        t.fields.forEach((f, i) => (o[f.name] = a[i] === null || a[i] === undefined ? null : convs[i]!(a[i])));
        return o;
      };
    }
    default: return (v) => v;
  }
}

const PASS_THROUGH = new Set<DataType["kind"]>(["byte", "short", "int", "date", "float", "double"]);

/** One column of several batches as one array for the writer (typed arrays when there are no nulls). */
function columnData(t: DataType, parts: readonly Vector[], rows: number): unknown[] | ArrayLike<unknown> {
  if (PASS_THROUGH.has(t.kind) && parts.every((p) => p.nulls === null && !Array.isArray(p.values))) {
    if (parts.length === 1) return parts[0]!.values as ArrayLike<unknown>;
    const out = t.kind === "double" ? new Float64Array(rows) : t.kind === "float" ? new Float32Array(rows) : new Int32Array(rows);
    let o = 0;
    for (const p of parts) { out.set(p.values as ArrayLike<number>, o); o += p.length; }
    return out;
  }
  const conv = writerConverter(t);
  const out = new Array<unknown>(rows);
  let o = 0;
  for (const p of parts) {
    const vals = p.values;
    const nulls = p.nulls;
    for (let i = 0; i < p.length; i++) out[o++] = nulls !== null && nulls[i] === 1 ? null : conv(vals[i]);
  }
  return out;
}

/** Writes batches as one Parquet file, in row groups of `rowGroupSize` rows, with statistics. */
export async function writeParquetFile(
  path: string,
  schema: StructType,
  batches: AsyncIterable<RecordBatch>,
  options: Readonly<Record<string, string>>,
  _ctx: FileWriteContext,
): Promise<void> {
  for (const f of schema.fields) checkParquetType(f.name, f.dataType);
  const groupRows = new FileOptions(options).int("rowGroupSize", DEFAULT_ROW_GROUP_ROWS);
  const fd = fs.openSync(path, "wx");
  try {
    const writer = new FileByteWriter(fd);
    const pw = new ParquetWriter({
      writer,
      schema: parquetSchemaOf(schema),
      codec: parquetWriteCodec(options),
      compressors: WRITE_COMPRESSORS,
      statistics: true,
      createdBy: "sluice",
      kvMetadata: [{ key: "org.apache.spark.sql.parquet.row.metadata", value: sparkSchemaJson(schema) }],
    });
    let pending: RecordBatch[] = [];
    let pendingRows = 0;
    const flush = async (): Promise<void> => {
      if (pendingRows === 0) return;
      const data = schema.fields.map((f, c) => ({
        name: f.name,
        data: columnData(f.dataType, pending.map((b) => b.columns[c]!), pendingRows) as unknown[],
      }));
      await pw.write({ columnData: data, rowGroupSize: groupRows });
      pending = [];
      pendingRows = 0;
    };
    for await (const b of batches) {
      if (b.numRows === 0) continue;
      pending.push(b);
      pendingRows += b.numRows;
      if (pendingRows >= groupRows) await flush();
    }
    await flush();
    await pw.finish();
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
