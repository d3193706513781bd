import { userInfo } from "node:os";
import { IntegerType, LongType, StringType, simpleString } from "../../types/data-type.js";
import { registerFunctions } from "../function-registry.js";
import type { ScalarFunctionDef } from "../function-def.js";
import { fn, row } from "./define.js";

/**
 * Miscellaneous functions. The partition-dependent ones read the partition from
 * `ExecFunctionContext` when the engine provides it (see `PartitionAwareContext`), else 0.
 */
export interface PartitionAwareContext {
  /** The partition this compiled copy runs on (Spark's partitionIndex). */
  readonly partitionIndex?: number;
  /** The file being read, for input_file_name(). */
  readonly inputFileName?: string;
}

const monotonicallyIncreasingId = fn({
  name: "monotonically_increasing_id", args: [], result: LongType, nullable: false, deterministic: false,
  doc: "monotonically_increasing_id() - Unique increasing ids: the partition index in the upper 31 bits, a per-partition counter below.",
  impl: (_sig, ctx) => {
    const p = (ctx as PartitionAwareContext).partitionIndex ?? 0;
    const base = p * 2 ** 33;
    let n = 0;
    return row(() => base + n++);
  },
});

const sparkPartitionId = fn({
  name: "spark_partition_id", args: [], result: IntegerType, nullable: false, deterministic: false,
  impl: (_sig, ctx) => {
    const p = (ctx as PartitionAwareContext).partitionIndex ?? 0;
    return row(() => p);
  },
});

const inputFileName = fn({
  name: "input_file_name", args: [], result: StringType, nullable: false, deterministic: false,
  impl: (_sig, ctx) => {
    const f = (ctx as PartitionAwareContext).inputFileName ?? "";
    return row(() => f);
  },
});

const typeOf = fn({
  name: "typeof", args: ["any"], result: StringType, nullSafe: true, nullable: false,
  doc: "typeof(x) - The DDL name of x's type, e.g. int, bigint, array<string>.",
  state: (_args, types) => simpleString(types[0]!),
  impl: (sig) => {
    const s = sig.state as string;
    return row(() => s);
  },
});

const version = fn({ name: "version", args: [], result: StringType, nullable: false, impl: () => row(() => "3.5.0 sluice") });

/** The operating-system user running the process (Spark: the session's user). */
function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env["USER"] ?? "unknown";
  }
}
const currentUser = fn({ name: "current_user", aliases: ["user", "session_user"], args: [], result: StringType, nullable: false, impl: () => { const u = osUser(); return row(() => u); } });
/** Sluice has one catalog and one namespace, named as Spark's defaults. */
const currentDatabase = fn({ name: "current_database", aliases: ["current_schema"], args: [], result: StringType, nullable: false, impl: () => row(() => "default") });
const currentCatalog = fn({ name: "current_catalog", args: [], result: StringType, nullable: false, impl: () => row(() => "spark_catalog") });

export const MISC_FUNCTIONS: readonly ScalarFunctionDef[] = [monotonicallyIncreasingId, sparkPartitionId, inputFileName, typeOf, version, currentUser, currentDatabase, currentCatalog];

registerFunctions(MISC_FUNCTIONS);
