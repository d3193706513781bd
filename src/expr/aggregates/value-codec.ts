import type { DataType } from "../../types/data-type.js";
import { interval } from "../../types/interval.js";
import { type Long, normalizeLong } from "../../types/long.js";

/**
 * Internal values ⇄ JSON-safe values, driven by the data type, so aggregate buffers survive
 * `JSON.stringify` / `JSON.parse` exactly (streaming state is checkpointed as JSON):
 * - long and decimal: a number while safe, else the decimal string of the bigint;
 * - float and double: a number when finite and not -0, else "NaN", "Infinity", "-Infinity", "-0";
 * - binary: base64 text; map: an array of [key, value] pairs; struct: the positional array.
 * Changing this encoding breaks existing checkpoints.
 */
export function encodeValue(v: unknown, t: DataType): unknown {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case "long": case "decimal": return encodeLong(v as Long);
    case "float": case "double": return encodeDouble(v as number);
    case "binary": return Buffer.from(v as Uint8Array).toString("base64");
    case "array": return (v as unknown[]).map((e) => encodeValue(e, t.elementType));
    case "map": return [...(v as Map<unknown, unknown>)].map(([k, x]) => [encodeValue(k, t.keyType), encodeValue(x, t.valueType)]);
    case "struct": return t.fields.map((f, i) => encodeValue((v as unknown[])[i], f.dataType));
    default: return v;
  }
}

export function decodeValue(j: unknown, t: DataType): unknown {
  if (j === null || j === undefined) return null;
  switch (t.kind) {
    case "long": case "decimal": return decodeLong(j);
    case "float": case "double": return decodeDouble(j);
    case "binary": return new Uint8Array(Buffer.from(j as string, "base64"));
    case "array": return (j as unknown[]).map((e) => decodeValue(e, t.elementType));
    case "map": return new Map((j as [unknown, unknown][]).map(([k, x]) => [decodeValue(k, t.keyType), decodeValue(x, t.valueType)]));
    case "struct": return t.fields.map((f, i) => decodeValue((j as unknown[])[i], f.dataType));
    case "interval": {
      const o = j as { months: number; days: number; micros: number };
      return interval(o.months, o.days, o.micros);
    }
    default: return j;
  }
}

export function encodeLong(v: Long): number | string {
  return typeof v === "bigint" ? v.toString() : v;
}

export function decodeLong(j: unknown): Long {
  return typeof j === "string" ? normalizeLong(BigInt(j)) : (j as number);
}

export function encodeDouble(v: number): number | string {
  if (Number.isFinite(v) && !Object.is(v, -0)) return v;
  return Object.is(v, -0) ? "-0" : String(v);
}

export function decodeDouble(j: unknown): number {
  if (typeof j === "number") return j;
  return j === "-0" ? -0 : Number(j);
}

export function encodeBytes(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
}

export function decodeBytes(j: unknown): Uint8Array {
  return new Uint8Array(Buffer.from(j as string, "base64"));
}
