import { ExecutionError } from "../../errors/errors.js";
import { BinaryType, LongType } from "../../types/data-type.js";
import { BITMAP_BITS, BITMAP_BYTES } from "../functions/bitmap.js";
import type { Accumulator, AggregateFunctionDef, ArgInfo } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { checkArgCount, unexpectedType } from "./agg-args.js";

/**
 * bitmap_construct_agg(bit_position) sets each position's bit in a 4096-byte bitmap;
 * bitmap_or_agg(bitmap) ORs bitmaps (a shorter input covers the first bytes). Both return the
 * full bitmap, all zeros over no rows, as Spark does.
 */

function orInto(a: Uint8Array, b: Uint8Array): Uint8Array {
  for (let i = 0; i < Math.min(a.length, b.length); i++) a[i]! |= b[i]!;
  return a;
}

function bitmapAccumulator(update: (buf: Uint8Array, v: unknown) => void): Accumulator<Uint8Array> {
  return {
    init: () => new Uint8Array(BITMAP_BYTES),
    update(buf, v: unknown) {
      update(buf, v);
      return buf;
    },
    merge: orInto,
    finish: (buf) => buf.slice(),
    serialize: (buf) => Buffer.from(buf).toString("base64"),
    deserialize: (j) => new Uint8Array(Buffer.from(j as string, "base64")),
  };
}

export const bitmapConstructAgg: AggregateFunctionDef = {
  type: "aggregate",
  name: "bitmap_construct_agg",
  minArgs: 1,
  maxArgs: 1,
  resolve(args: readonly ArgInfo[]) {
    checkArgCount("bitmap_construct_agg", args, 1, 1);
    const t = args[0]!.dataType;
    if (t.kind !== "long" && t.kind !== "int" && t.kind !== "short" && t.kind !== "byte" && t.kind !== "null") throw unexpectedType("bitmap_construct_agg", 0, `"BIGINT"`, t);
    return { inputTypes: [LongType], dataType: BinaryType, nullable: false };
  },
  compile: () => bitmapAccumulator((buf, v) => {
    const p = Number(v as number | bigint);
    if (p < 0 || p >= BITMAP_BITS) throw new ExecutionError("INVALID_BITMAP_POSITION", `[INVALID_BITMAP_POSITION] The 0-indexed bitmap position ${p} is out of bounds. The bitmap has ${BITMAP_BITS} bits (${BITMAP_BYTES} bytes).`);
    buf[p >> 3]! |= 1 << (p & 7);
  }) as Accumulator,
  doc: "bitmap_construct_agg(bit_position) - A bitmap with the bits of all the positions set.",
};

export const bitmapOrAgg: AggregateFunctionDef = {
  type: "aggregate",
  name: "bitmap_or_agg",
  minArgs: 1,
  maxArgs: 1,
  resolve(args: readonly ArgInfo[]) {
    checkArgCount("bitmap_or_agg", args, 1, 1);
    const t = args[0]!.dataType;
    if (t.kind !== "binary" && t.kind !== "null") throw unexpectedType("bitmap_or_agg", 0, `"BINARY"`, t);
    return { inputTypes: [BinaryType], dataType: BinaryType, nullable: false };
  },
  compile: () => bitmapAccumulator((buf, v) => { orInto(buf, v as Uint8Array); }) as Accumulator,
  doc: "bitmap_or_agg(bitmap) - The OR of all the bitmaps.",
};

registerFunctions([bitmapConstructAgg, bitmapOrAgg]);
