import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { ExecutionError } from "../../errors/errors.js";
import { BinaryType, StringType } from "../../types/data-type.js";
import type { ArgInfo, ScalarFunctionDef } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { checkArgCount, coerceArg, row, scalar } from "./define.js";

/**
 * aes_encrypt / aes_decrypt / try_aes_decrypt, in Spark's output layout: GCM (the default) writes
 * a 12-byte IV, the ciphertext and a 16-byte tag; CBC (PKCS padding) a 16-byte IV and the
 * ciphertext; ECB (PKCS) the ciphertext only. Keys are 16, 24 or 32 bytes. Without an IV
 * argument a random one is used, so encryption is not deterministic.
 */

type Mode = "GCM" | "CBC" | "ECB";

function modeOf(mode: string, padding: string): Mode {
  const m = mode.toUpperCase(), p = padding.toUpperCase();
  if (m === "GCM" && (p === "DEFAULT" || p === "NONE")) return "GCM";
  if ((m === "CBC" || m === "ECB") && (p === "DEFAULT" || p === "PKCS")) return m;
  throw new ExecutionError("UNSUPPORTED_FEATURE.AES_MODE", `[UNSUPPORTED_FEATURE.AES_MODE] AES-${mode} with the padding ${padding} by the \`aes_encrypt\`/\`aes_decrypt\` function is not supported.`);
}

function algorithm(key: Uint8Array, mode: Mode): string {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new ExecutionError("INVALID_PARAMETER_VALUE.AES_KEY_LENGTH", `[INVALID_PARAMETER_VALUE.AES_KEY_LENGTH] The value of parameter(s) \`key\` in \`aes_encrypt\`/\`aes_decrypt\` is invalid: expects a binary value with 16, 24 or 32 bytes, but got ${key.length} bytes.`);
  }
  return `aes-${key.length * 8}-${mode.toLowerCase()}`;
}

function cryptoError(e: unknown): ExecutionError {
  return new ExecutionError("INVALID_PARAMETER_VALUE.AES_CRYPTO_ERROR", `[INVALID_PARAMETER_VALUE.AES_CRYPTO_ERROR] The value of parameter(s) \`expr\`, \`key\` in \`aes_encrypt\`/\`aes_decrypt\` is invalid: detail message: ${(e as Error).message}`);
}

export function aesEncrypt(input: Uint8Array, key: Uint8Array, mode: Mode, iv: Uint8Array | null, aad: Uint8Array | null): Uint8Array {
  const algo = algorithm(key, mode);
  if (mode === "ECB") {
    if (iv && iv.length > 0) throw new ExecutionError("UNSUPPORTED_FEATURE.AES_MODE_IV", "[UNSUPPORTED_FEATURE.AES_MODE_IV] AES-ECB does not support initialization vectors (IVs).");
    const c = createCipheriv(algo, key, null);
    return Buffer.concat([c.update(input), c.final()]);
  }
  const ivLen = mode === "GCM" ? 12 : 16;
  const theIv = iv && iv.length > 0 ? iv : randomBytes(ivLen);
  if (theIv.length !== ivLen) throw new ExecutionError("INVALID_PARAMETER_VALUE.AES_IV_LENGTH", `[INVALID_PARAMETER_VALUE.AES_IV_LENGTH] Supported initialization vector (IV) lengths for AES-${mode} are ${ivLen} bytes, but got ${theIv.length} bytes.`);
  if (mode === "GCM") {
    const c = createCipheriv(algo as "aes-128-gcm", key, theIv, { authTagLength: 16 });
    if (aad && aad.length > 0) c.setAAD(aad);
    const body = Buffer.concat([c.update(input), c.final()]);
    return Buffer.concat([theIv, body, c.getAuthTag()]);
  }
  if (aad && aad.length > 0) throw new ExecutionError("UNSUPPORTED_FEATURE.AES_MODE_AAD", "[UNSUPPORTED_FEATURE.AES_MODE_AAD] AES-CBC does not support additional authenticated data (AAD).");
  const c = createCipheriv(algo, key, theIv);
  return Buffer.concat([theIv, c.update(input), c.final()]);
}

export function aesDecrypt(input: Uint8Array, key: Uint8Array, mode: Mode, aad: Uint8Array | null): Uint8Array {
  const algo = algorithm(key, mode);
  try {
    if (mode === "ECB") {
      const d = createDecipheriv(algo, key, null);
      return Buffer.concat([d.update(input), d.final()]);
    }
    if (mode === "GCM") {
      if (input.length < 28) throw new Error("the input is shorter than the IV and the tag");
      const d = createDecipheriv(algo as "aes-128-gcm", key, input.subarray(0, 12), { authTagLength: 16 });
      if (aad && aad.length > 0) d.setAAD(aad);
      d.setAuthTag(input.subarray(input.length - 16));
      return Buffer.concat([d.update(input.subarray(12, input.length - 16)), d.final()]);
    }
    if (input.length < 16) throw new Error("the input is shorter than the IV");
    const d = createDecipheriv(algo, key, input.subarray(0, 16));
    return Buffer.concat([d.update(input.subarray(16)), d.final()]);
  } catch (e) {
    throw e instanceof ExecutionError ? e : cryptoError(e);
  }
}

const bytes = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

function resolveArgs(name: string, args: readonly ArgInfo[], max: number, kinds: readonly ("bin" | "str")[]): { inputTypes: (typeof BinaryType | typeof StringType | null)[] } {
  checkArgCount(name, args.length, 2, max);
  return { inputTypes: args.map((a, i) => coerceArg(name, i, a, kinds[i] === "str" ? StringType : BinaryType)) as never };
}

const aesEncryptDef = scalar({
  type: "scalar", name: "aes_encrypt", minArgs: 2, maxArgs: 6, deterministic: false,
  doc: "aes_encrypt(expr, key[, mode[, padding[, iv[, aad]]]]) - AES encryption (GCM by default; CBC and ECB with PKCS padding).",
  resolve: (args) => ({ ...resolveArgs("aes_encrypt", args, 6, ["bin", "bin", "str", "str", "bin", "bin"]), dataType: BinaryType }),
  compile: () => row((input: Uint8Array, key: Uint8Array, mode = "GCM", padding = "DEFAULT", iv?: Uint8Array, aad?: Uint8Array) =>
    bytes(aesEncrypt(input, key, modeOf(mode, padding), iv ?? null, aad ?? null))),
});

function decryptDef(name: string, tolerant: boolean): ScalarFunctionDef {
  return scalar({
    type: "scalar", name, minArgs: 2, maxArgs: 5,
    doc: `${name}(expr, key[, mode[, padding[, aad]]]) - Decrypts aes_encrypt's output${tolerant ? "; null instead of an error" : ""}.`,
    resolve: (args) => ({ ...resolveArgs(name, args, 5, ["bin", "bin", "str", "str", "bin"]), dataType: BinaryType }),
    compile: () => row((input: Uint8Array, key: Uint8Array, mode = "GCM", padding = "DEFAULT", aad?: Uint8Array) => {
      try {
        return bytes(aesDecrypt(input, key, modeOf(mode, padding), aad ?? null));
      } catch (e) {
        if (tolerant) return null;
        throw e;
      }
    }),
  });
}

export const AES_FUNCTIONS: readonly ScalarFunctionDef[] = [aesEncryptDef, decryptDef("aes_decrypt", false), decryptDef("try_aes_decrypt", true)];

registerFunctions(AES_FUNCTIONS);
