import type { DataType } from "../types/data-type.js";

/** Whether Spark allows CAST(from AS to) at all (values may still fail at run time). */
export function canCastType(from: DataType, to: DataType): boolean {
  if (from.kind === "null" || from.kind === to.kind && from.kind !== "array" && from.kind !== "map" && from.kind !== "struct") return true;
  if (to.kind === "string") return true;
  switch (to.kind) {
    case "array":
      return from.kind === "array" && canCastType(from.elementType, to.elementType);
    case "map":
      return from.kind === "map" && canCastType(from.keyType, to.keyType) && canCastType(from.valueType, to.valueType);
    case "struct":
      return from.kind === "struct" && from.fields.length === to.fields.length && from.fields.every((f, i) => canCastType(f.dataType, to.fields[i]!.dataType));
    case "binary":
      return from.kind === "string" || from.kind === "byte" || from.kind === "short" || from.kind === "int" || from.kind === "long";
    case "interval":
      return from.kind === "string";
    case "date":
      return from.kind === "string" || from.kind === "timestamp";
    case "timestamp":
      return from.kind === "string" || from.kind === "date" || isNum(from) || from.kind === "boolean";
    case "boolean":
      return from.kind === "string" || isNum(from) || from.kind === "timestamp" || from.kind === "date";
    default:
      return isNum(to) && (from.kind === "string" || isNum(from) || from.kind === "boolean" || from.kind === "timestamp" || from.kind === "date");
  }
}

function isNum(t: DataType): boolean {
  return ["byte", "short", "int", "long", "float", "double", "decimal"].includes(t.kind);
}
