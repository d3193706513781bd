import { AnalysisError } from "../errors/errors.js";
import { type DataType, type StructField, type StructType, structType, typeName } from "./data-type.js";

/** Index of `name` in `schema`, case-insensitively as Spark resolves by default; -1 when absent. */
export function fieldIndex(schema: StructType, name: string, caseSensitive = false): number {
  const exact = schema.fields.findIndex((f) => f.name === name);
  if (exact >= 0 || caseSensitive) return exact;
  const lower = name.toLowerCase();
  return schema.fields.findIndex((f) => f.name.toLowerCase() === lower);
}

export function fieldNames(schema: StructType): string[] {
  return schema.fields.map((f) => f.name);
}

export function withField(schema: StructType, field: StructField): StructType {
  return structType([...schema.fields, field]);
}

/** Throws when two fields share a name (case-insensitively), as Spark does for data source schemas. */
export function assertNoDuplicateFields(schema: StructType, where: string): void {
  const seen = new Set<string>();
  for (const f of schema.fields) {
    const k = f.name.toLowerCase();
    if (seen.has(k)) throw new AnalysisError("COLUMN_ALREADY_EXISTS", `Found duplicate column \`${f.name}\` in ${where}.`);
    seen.add(k);
  }
}

/** The tree printSchema() prints, byte for byte as Spark does. */
export function treeString(schema: StructType, maxDepth = Number.POSITIVE_INFINITY): string {
  const lines = ["root"];
  for (const f of schema.fields) emitField(lines, " |", f.name, f.dataType, `nullable = ${f.nullable}`, 1, maxDepth);
  return lines.join("\n") + "\n";
}

function emitField(lines: string[], prefix: string, name: string, t: DataType, nullability: string, depth: number, maxDepth: number): void {
  if (depth > maxDepth) return;
  lines.push(`${prefix}-- ${name}: ${typeName(t)} (${nullability})`);
  emitChildren(lines, prefix, t, depth, maxDepth);
}

function emitChildren(lines: string[], prefix: string, t: DataType, depth: number, maxDepth: number): void {
  const inner = `${prefix}    |`;
  if (depth + 1 > maxDepth) return;
  switch (t.kind) {
    case "array":
      emitField(lines, inner, "element", t.elementType, `containsNull = ${t.containsNull}`, depth + 1, maxDepth);
      break;
    case "map":
      lines.push(`${inner}-- key: ${typeName(t.keyType)}`);
      emitChildren(lines, inner, t.keyType, depth + 1, maxDepth);
      emitField(lines, inner, "value", t.valueType, `valueContainsNull = ${t.valueContainsNull}`, depth + 1, maxDepth);
      break;
    case "struct":
      for (const f of t.fields) emitField(lines, inner, f.name, f.dataType, `nullable = ${f.nullable}`, depth + 1, maxDepth);
      break;
    default:
      break;
  }
}
