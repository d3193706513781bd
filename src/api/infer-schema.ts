import { IllegalArgumentError } from "../errors/errors.js";
import { type DataType, type StructType, NullType, structField, structType } from "../types/data-type.js";
import { findWiderType } from "../expr/type-coercion.js";
import { inferLiteralType } from "./literal.js";
import { arrayType, mapType, LongType, StringType } from "../types/data-type.js";

/** Infers a schema from plain row objects, as PySpark's createDataFrame does. */
export function inferSchemaFromRows(rows: readonly Record<string, unknown>[]): StructType {
  const names: string[] = [];
  const types = new Map<string, DataType>();
  const nullable = new Map<string, boolean>();
  for (const r of rows) {
    if (typeof r !== "object" || r === null || Array.isArray(r)) throw new IllegalArgumentError("CANNOT_INFER_SCHEMA", "createDataFrame without a schema needs rows that are plain objects.");
    for (const [k, v] of Object.entries(r)) {
      if (!types.has(k)) {
        names.push(k);
        types.set(k, NullType);
      }
      if (v === null || v === undefined) {
        nullable.set(k, true);
        continue;
      }
      const t = inferValueType(v);
      const w = findWiderType(types.get(k)!, t);
      if (!w) throw new IllegalArgumentError("CANNOT_MERGE_TYPE", `[CANNOT_MERGE_TYPE] Cannot merge the types of column \`${k}\`: ${types.get(k)!.kind} and ${t.kind}.`);
      types.set(k, w);
    }
  }
  for (const n of names) if (rows.some((r) => !(n in r))) nullable.set(n, true);
  return structType(names.map((n) => {
    const t = types.get(n)!;
    if (t.kind === "null") throw new IllegalArgumentError("CANNOT_DETERMINE_TYPE", `[CANNOT_DETERMINE_TYPE] Some of types cannot be determined after inferring: column \`${n}\` has only nulls. Give a schema.`);
    return structField(n, t, true);
  }));
}

function inferValueType(v: unknown): DataType {
  if (typeof v === "number") return Number.isInteger(v) ? LongType : { kind: "double" };
  if (v instanceof Map) {
    const [k, x] = [...v.entries()][0] ?? [null, null];
    return mapType(k === null ? StringType : inferValueType(k), x === null ? StringType : inferValueType(x));
  }
  if (Array.isArray(v)) {
    const first = v.find((x) => x !== null && x !== undefined);
    return arrayType(first === undefined ? StringType : inferValueType(first));
  }
  if (typeof v === "object" && v !== null && !(v instanceof Date) && !(v instanceof Uint8Array)) {
    return structType(Object.entries(v as Record<string, unknown>).map(([k, x]) => structField(k, x === null || x === undefined ? StringType : inferValueType(x))));
  }
  return inferLiteralType(v);
}
