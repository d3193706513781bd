import type { NexmarkConfig, NexmarkTable } from "./nexmark-config.js";
import { generateNexmarkColumns } from "./nexmark-generator.js";
import { nexmarkSchema } from "./nexmark-schema.js";

/**
 * Events [from, to) of one table as JSON lines (UTF-8): one flat object per row with the
 * table's field names, longs as numbers and times as ISO-8601 text in UTC with milliseconds
 * (what `spark.read.json` with the table's schema, and DuckDB's read_json, read back exactly).
 * Generated strings hold only letters, digits, spaces and URL punctuation, so no escaping is needed.
 */
export function nexmarkJsonLines(cfg: NexmarkConfig, table: NexmarkTable, from: number, to: number): Buffer {
  const g = generateNexmarkColumns(cfg, table, from, to);
  const fields = nexmarkSchema(table).fields;
  const parts: string[] = [];
  let chunk = "";
  for (let r = 0; r < g.numRows; r++) {
    let line = "{";
    for (let f = 0; f < fields.length; f++) {
      const field = fields[f]!, col = g.columns[f]!;
      const v = col[r]!;
      const text = field.dataType.kind === "string" ? `"${v as string}"` : field.dataType.kind === "timestamp" ? `"${new Date((v as number) / 1000).toISOString()}"` : String(v);
      line += `${f === 0 ? "" : ","}"${field.name}":${text}`;
    }
    chunk += line + "}\n";
    if ((r & 4095) === 4095) {
      parts.push(chunk);
      chunk = "";
    }
  }
  parts.push(chunk);
  return Buffer.concat(parts.map((p) => Buffer.from(p, "utf8")));
}
