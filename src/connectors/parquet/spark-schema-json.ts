import type { DataType, StructType } from "../../types/data-type.js";

/**
 * A schema in Spark's JSON form, stored in the Parquet footer under
 * `org.apache.spark.sql.parquet.row.metadata` as Spark does, so Spark reads the exact types.
 */
export function sparkSchemaJson(schema: StructType): string {
  return JSON.stringify(typeJson(schema));
}

function typeJson(t: DataType): unknown {
  switch (t.kind) {
    case "int": return "integer";
    case "decimal": return `decimal(${t.precision},${t.scale})`;
    case "array": return { type: "array", elementType: typeJson(t.elementType), containsNull: t.containsNull };
    case "map": return { type: "map", keyType: typeJson(t.keyType), valueType: typeJson(t.valueType), valueContainsNull: t.valueContainsNull };
    case "struct": return { type: "struct", fields: t.fields.map((f) => ({ name: f.name, type: typeJson(f.dataType), nullable: f.nullable, metadata: {} })) };
    default: return t.kind;
  }
}
