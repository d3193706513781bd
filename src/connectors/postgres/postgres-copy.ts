import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { RecordBatch } from "../../batch/record-batch.js";
import type { StructType } from "../../types/data-type.js";
import { quoteIdent } from "./postgres-connection.js";
import type { ColumnTarget } from "./postgres-table.js";
import { type Encoder, encoderFor } from "./postgres-values.js";

/** Characters of COPY text handed to the socket at a time. */
const CHUNK_CHARS = 1 << 18;

/**
 * Streams batches into `table` with `COPY table (cols) FROM STDIN` in PostgreSQL's text format:
 * each value is rendered as the text its column type's input function reads back exactly
 * (see postgres-values.ts), so the copy is exact for every type Sluice writes. Runs inside the
 * caller's transaction (if any); resolves with the number of rows the server copied.
 */
export async function copyBatches(client: pg.Client, table: string, schema: StructType, targets: readonly ColumnTarget[], batches: Iterable<RecordBatch> | AsyncIterable<RecordBatch>, timeZone: string): Promise<number> {
  const encoders: Encoder[] = schema.fields.map((f, i) => encoderFor(f.dataType, targets[i]!.type, timeZone));
  const booleans = schema.fields.map((f) => f.dataType.kind === "boolean");
  const sql = `COPY ${table} (${targets.map((t) => quoteIdent(t.name)).join(", ")}) FROM STDIN`;
  const stream = client.query(copyFrom(sql));
  const ncol = encoders.length;
  async function* text(): AsyncIterable<string> {
    let chunk = "";
    for await (const b of batches) {
      const cols = b.columns;
      for (let r = 0; r < b.numRows; r++) {
        let line = "";
        for (let c = 0; c < ncol; c++) {
          if (c > 0) line += "\t";
          const col = cols[c]!;
          if (col.nulls !== null && col.nulls[r] === 1) {
            line += "\\N";
            continue;
          }
          const v = col.values[r];
          if (v === null || v === undefined) line += "\\N";
          else line += encoders[c]!(booleans[c] ? v === 1 || v === true : v);
        }
        chunk += line + "\n";
        if (chunk.length >= CHUNK_CHARS) {
          yield chunk;
          chunk = "";
        }
      }
    }
    if (chunk.length > 0) yield chunk;
  }
  await pipeline(Readable.from(text(), { objectMode: false }), stream);
  return stream.rowCount;
}
