import type { RecordBatch } from "../batch/record-batch.js";
import { valueAt } from "../batch/vector.js";
import { valueToString } from "../expr/value-string.js";
import type { StructType } from "../types/data-type.js";

/**
 * Spark's `show()` table, byte for byte: cells rendered as Spark casts them to strings (NULL
 * for nulls), truncated to `truncate` characters (with "..." when longer than 3), right-aligned
 * when truncating and left-aligned when not, columns at least 3 wide; or the vertical form.
 */
export function showString(schema: StructType, batches: readonly RecordBatch[], numRows: number, truncate: number, vertical: boolean, timeZone: string): string {
  const rows: string[][] = [];
  let total = 0;
  for (const b of batches) {
    for (let i = 0; i < b.numRows; i++) {
      total++;
      if (rows.length < numRows) {
        rows.push(b.columns.map((c, j) => cell(valueAt(c, i), schema.fields[j]!.dataType, timeZone, truncate)));
      }
    }
  }
  const hasMore = total > numRows;
  const names = schema.fields.map((f) => cell(f.name, { kind: "string" }, timeZone, truncate));
  let out: string;
  if (!vertical) {
    out = formatTable(names, rows, truncate > 0);
  } else {
    const nameWidth = Math.max(3, ...names.map(width));
    const valueWidth = Math.max(3, ...rows.flat().map(width));
    out = "";
    rows.forEach((r, i) => {
      // The record header spans both columns plus the " | " separator and the outer spaces.
      const head = `-RECORD ${i}`;
      out += head + "-".repeat(Math.max(0, nameWidth + valueWidth + 5 - head.length)) + "\n";
      r.forEach((v, j) => (out += ` ${padRight(names[j]!, nameWidth)} | ${padRight(v, valueWidth)} \n`));
    });
    if (rows.length === 0) out = "(0 rows)\n";
  }
  if (hasMore) out += `only showing top ${numRows} ${numRows === 1 ? "row" : "rows"}\n`;
  return out;
}

/**
 * A table in show()'s layout from already-rendered cells: columns at least 3 wide, cells
 * right-aligned (`rightAlign`, as show() does when truncating) or left-aligned.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], rightAlign = true): string {
  const widths = header.map((n, j) => Math.max(3, width(n), ...rows.map((r) => width(r[j] ?? ""))));
  const sep = "+" + widths.map((w) => "-".repeat(w)).join("+") + "+\n";
  const line = (cells: readonly string[]): string => "|" + widths.map((w, j) => (rightAlign ? padLeft(cells[j] ?? "", w) : padRight(cells[j] ?? "", w))).join("|") + "|\n";
  return sep + line(header) + sep + rows.map(line).join("") + sep;
}

function cell(v: unknown, t: StructType["fields"][number]["dataType"], tz: string, truncate: number): string {
  let s = v === null ? "NULL" : valueToString(v, t, tz);
  s = s.replace(/\n/g, "\\n").replace(/\t/g, "\\t");
  if (truncate > 0 && s.length > truncate) s = truncate < 4 ? s.slice(0, truncate) : s.slice(0, truncate - 3) + "...";
  return s;
}

/** Display width: East Asian wide and full-width characters take two columns, as Spark counts them. */
export function width(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    w += (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd) ? 2 : 1;
  }
  return w;
}

function padLeft(s: string, w: number): string {
  return " ".repeat(Math.max(0, w - width(s))) + s;
}
function padRight(s: string, w: number): string {
  return s + " ".repeat(Math.max(0, w - width(s)));
}
