import { createHash } from "node:crypto";
import { AnalysisError } from "../../errors/errors.js";
import { BinaryType, type DataType, IntegerType, LongType, StringType } from "../../types/data-type.js";
import { registerFunctions } from "../function-registry.js";
import type { ScalarFunctionDef } from "../function-def.js";
import { murmur3RowHash, xxhash64RowHash } from "../hash/spark-hash.js";
import { checkArgCount, fn, row, scalar } from "./define.js";

/**
 * hash (Murmur3 x86_32, Spark's variant) and xxhash64 with seed 42, bit-for-bit as Spark computes
 * them per type (see ../hash/spark-hash.ts), plus md5, sha1, sha2 and crc32.
 */

function hashDef(name: string, result: DataType, compileHash: (types: readonly DataType[]) => (values: readonly unknown[]) => unknown): ScalarFunctionDef {
  return scalar({
    type: "scalar",
    name,
    minArgs: 1,
    maxArgs: Infinity,
    nullSafe: true,
    doc: `${name}(a, ...) - Spark's ${name === "hash" ? "Murmur3" : "xxHash64"} hash of the arguments (seed 42).`,
    resolve(args) {
      if (args.length === 0) throw new AnalysisError("WRONG_NUM_ARGS.WITHOUT_SUGGESTION", `The \`${name}\` requires at least 1 parameters but the actual number is 0.`);
      checkArgCount(name, args.length, 1, Infinity);
      return { inputTypes: args.map(() => null), dataType: result, nullable: false };
    },
    compile(sig) {
      const hashRow = compileHash(sig.argTypes);
      return row((...xs: unknown[]) => hashRow(xs));
    },
  });
}

const hash = hashDef("hash", IntegerType, (ts) => murmur3RowHash(ts));
const xxhash64 = hashDef("xxhash64", LongType, (ts) => xxhash64RowHash(ts));

function digest(algo: string): (b: Uint8Array) => string {
  return (b) => createHash(algo).update(b).digest("hex");
}
const md5 = fn({ name: "md5", args: [BinaryType], result: StringType, impl: () => row(digest("md5")) });
const sha1 = fn({ name: "sha1", aliases: ["sha"], args: [BinaryType], result: StringType, impl: () => row(digest("sha1")) });
const sha2 = fn({
  name: "sha2", args: [BinaryType, IntegerType], result: StringType,
  doc: "sha2(bin, bits) - SHA-2 hex digest; bits is 224, 256 (or 0), 384 or 512, else null.",
  impl: () => row((b: Uint8Array, bits: number) => {
    const algo = bits === 0 || bits === 256 ? "sha256" : bits === 224 ? "sha224" : bits === 384 ? "sha384" : bits === 512 ? "sha512" : null;
    return algo ? createHash(algo).update(b).digest("hex") : null;
  }),
});

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();
export function crc32Of(b: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
const crc32 = fn({ name: "crc32", args: [BinaryType], result: LongType, impl: () => row(crc32Of) });

export const HASH_FUNCTIONS: readonly ScalarFunctionDef[] = [hash, xxhash64, md5, sha1, sha2, crc32];

registerFunctions(HASH_FUNCTIONS);
