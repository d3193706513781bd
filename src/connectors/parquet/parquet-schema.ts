import type { SchemaElement, SchemaTree } from "hyparquet";
import { AnalysisError } from "../../errors/errors.js";
import {
  BinaryType, BooleanType, ByteType, type DataType, DateType, DoubleType, FloatType, IntegerType, LongType, ShortType,
  StringType, type StructField, type StructType, TimestampType, arrayType, decimalType, mapType, sqlTypeName, structField, structType,
} from "../../types/data-type.js";

/** The Spark type of a Parquet schema node (Spark's ParquetToSparkSchemaConverter rules). */
export function sparkTypeOf(node: SchemaTree): DataType {
  const e = node.element;
  const ct = e.converted_type;
  const lt = e.logical_type;
  if (e.type === undefined || node.children.length > 0) {
    if (ct === "LIST" || lt?.type === "LIST") return listType(node);
    if (ct === "MAP" || ct === "MAP_KEY_VALUE" || lt?.type === "MAP") {
      const kv = node.children[0]!;
      const key = kv.children[0]!, value = kv.children[1];
      return mapType(fieldType(key), value ? fieldType(value) : StringType, value ? value.element.repetition_type !== "REQUIRED" : true);
    }
    return structType(node.children.map((c) => structField(c.element.name, fieldType(c), c.element.repetition_type !== "REQUIRED")));
  }
  return leafType(e);
}

/** A field's type; a repeated field outside a LIST annotation is an array (legacy layout). */
function fieldType(node: SchemaTree): DataType {
  const t = sparkTypeOf(node);
  return node.element.repetition_type === "REPEATED" ? arrayType(t, false) : t;
}

function listType(node: SchemaTree): DataType {
  const rep = node.children[0]!;
  // Three-level list: repeated group with one child that is the element; else the repeated
  // node itself is the element (two-level legacy layouts).
  const threeLevel = rep.children.length === 1 && rep.element.name !== "array" && rep.element.name !== `${node.element.name}_tuple`;
  if (rep.element.type === undefined && threeLevel) {
    const el = rep.children[0]!;
    return arrayType(sparkTypeOf(el), el.element.repetition_type !== "REQUIRED");
  }
  return arrayType(sparkTypeOf(rep), false);
}

function leafType(e: SchemaElement): DataType {
  const ct = e.converted_type;
  const lt = e.logical_type;
  if (ct === "DECIMAL" || lt?.type === "DECIMAL") {
    const precision = lt?.type === "DECIMAL" ? lt.precision : e.precision ?? 38;
    const scale = lt?.type === "DECIMAL" ? lt.scale : e.scale ?? 0;
    return decimalType(precision, scale);
  }
  switch (e.type) {
    case "BOOLEAN": return BooleanType;
    case "INT32":
      if (ct === "DATE" || lt?.type === "DATE") return DateType;
      if (lt?.type === "INTEGER") {
        if (lt.isSigned) return lt.bitWidth === 8 ? ByteType : lt.bitWidth === 16 ? ShortType : IntegerType;
        return lt.bitWidth === 8 ? ShortType : lt.bitWidth === 16 ? IntegerType : LongType;
      }
      if (ct === "INT_8") return ByteType;
      if (ct === "INT_16") return ShortType;
      if (ct === "UINT_8") return ShortType;
      if (ct === "UINT_16") return IntegerType;
      if (ct === "UINT_32") return LongType;
      return IntegerType;
    case "INT64":
      if (ct === "TIMESTAMP_MICROS" || ct === "TIMESTAMP_MILLIS" || lt?.type === "TIMESTAMP") return TimestampType;
      if (ct === "UINT_64" || (lt?.type === "INTEGER" && !lt.isSigned)) return decimalType(20, 0);
      return LongType;
    case "INT96": return TimestampType;
    case "FLOAT": return FloatType;
    case "DOUBLE": return DoubleType;
    case "BYTE_ARRAY":
      if (ct === "UTF8" || ct === "ENUM" || ct === "JSON" || lt?.type === "STRING" || lt?.type === "ENUM" || lt?.type === "JSON") return StringType;
      return BinaryType;
    case "FIXED_LEN_BYTE_ARRAY":
      return BinaryType;
    default:
      return BinaryType;
  }
}

/** The Spark schema of a Parquet file's root node. */
export function sparkSchemaOf(root: SchemaTree): StructType {
  return structType(root.children.map((c) => structField(c.element.name, fieldType(c), c.element.repetition_type !== "REQUIRED")));
}

/** Bytes needed for a decimal of `precision` digits in FIXED_LEN_BYTE_ARRAY (as Spark). */
export function decimalBytes(precision: number): number {
  let n = 1;
  while (2n ** BigInt(8 * n - 1) < 10n ** BigInt(precision)) n++;
  return n;
}

/** Parquet schema elements (depth-first, root first) for a Spark schema, in Spark's layouts. */
export function parquetSchemaOf(schema: StructType): SchemaElement[] {
  const out: SchemaElement[] = [{ name: "spark_schema", num_children: schema.fields.length }];
  for (const f of schema.fields) emit(out, f.name, f.dataType, f.nullable);
  return out;
}

function emit(out: SchemaElement[], name: string, t: DataType, nullable: boolean): void {
  const repetition_type = nullable ? "OPTIONAL" : "REQUIRED";
  switch (t.kind) {
    case "boolean": out.push({ name, repetition_type, type: "BOOLEAN" }); return;
    case "byte": out.push({ name, repetition_type, type: "INT32", converted_type: "INT_8", logical_type: { type: "INTEGER", bitWidth: 8, isSigned: true } }); return;
    case "short": out.push({ name, repetition_type, type: "INT32", converted_type: "INT_16", logical_type: { type: "INTEGER", bitWidth: 16, isSigned: true } }); return;
    case "int": out.push({ name, repetition_type, type: "INT32" }); return;
    case "long": out.push({ name, repetition_type, type: "INT64" }); return;
    case "float": out.push({ name, repetition_type, type: "FLOAT" }); return;
    case "double": out.push({ name, repetition_type, type: "DOUBLE" }); return;
    case "decimal": {
      const dec = { converted_type: "DECIMAL" as const, precision: t.precision, scale: t.scale, logical_type: { type: "DECIMAL" as const, precision: t.precision, scale: t.scale } };
      if (t.precision <= 9) out.push({ name, repetition_type, type: "INT32", ...dec });
      else if (t.precision <= 18) out.push({ name, repetition_type, type: "INT64", ...dec });
      else out.push({ name, repetition_type, type: "FIXED_LEN_BYTE_ARRAY", type_length: decimalBytes(t.precision), ...dec });
      return;
    }
    case "string": out.push({ name, repetition_type, type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } }); return;
    case "binary": out.push({ name, repetition_type, type: "BYTE_ARRAY" }); return;
    case "date": out.push({ name, repetition_type, type: "INT32", converted_type: "DATE", logical_type: { type: "DATE" } }); return;
    case "timestamp":
      out.push({ name, repetition_type, type: "INT64", converted_type: "TIMESTAMP_MICROS", logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" } });
      return;
    case "array":
      out.push({ name, repetition_type, converted_type: "LIST", logical_type: { type: "LIST" }, num_children: 1 });
      out.push({ name: "list", repetition_type: "REPEATED", num_children: 1 });
      emit(out, "element", t.elementType, t.containsNull);
      return;
    case "map":
      out.push({ name, repetition_type, converted_type: "MAP", logical_type: { type: "MAP" }, num_children: 1 });
      out.push({ name: "key_value", repetition_type: "REPEATED", num_children: 2 });
      emit(out, "key", t.keyType, false);
      emit(out, "value", t.valueType, t.valueContainsNull);
      return;
    case "struct":
      out.push({ name, repetition_type, num_children: t.fields.length });
      for (const f of t.fields) emit(out, f.name, f.dataType, f.nullable);
      return;
    default:
      throw unsupported(name, t);
  }
}

export function unsupported(name: string, t: DataType): AnalysisError {
  return new AnalysisError(
    "UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE",
    `[UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE] The Parquet datasource doesn't support the column \`${name}\` of the type "${sqlTypeName(t)}".`,
  );
}

/** Throws for types Parquet cannot store (void, interval), anywhere in the schema. */
export function checkParquetType(name: string, t: DataType): void {
  switch (t.kind) {
    case "null": case "interval": throw unsupported(name, t);
    case "array": checkParquetType(name, t.elementType); return;
    case "map": checkParquetType(name, t.keyType); checkParquetType(name, t.valueType); return;
    case "struct": for (const f of t.fields as readonly StructField[]) checkParquetType(name, f.dataType); return;
    default: return;
  }
}
