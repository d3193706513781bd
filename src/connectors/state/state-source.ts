import * as path from "node:path";
import { type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { VectorBuilder } from "../../batch/vector.js";
import type { OperatorMetadata, StateColumnMetadata } from "../../checkpoint/operator-metadata.js";
import { CheckpointError } from "../../checkpoint/checkpoint-error.js";
import { IllegalArgumentError } from "../../errors/errors.js";
import type { DataSourceRelation } from "../../plan/logical-plan.js";
import { listStateFiles } from "../../state/state-file-plan.js";
import { decodeKey } from "../../state/state-key.js";
import { loadVersionIntoMap, requireLoadPlan } from "../../state/state-loader.js";
import { DEFAULT_STORE_NAME, StateStoreCorruptError, describeStoreId } from "../../state/state-store.js";
import { BooleanType, type DataType, IntegerType, LongType, StringType, type StructField, type StructType, structField, structType } from "../../types/data-type.js";
import { parseDataTypeDDL } from "../../types/ddl.js";
import type { BatchSourceProvider } from "../source-registry.js";
import { aggregateFinisher } from "./aggregate-finisher.js";
import {
  type CheckpointOperator,
  committedBatchIds,
  describeOperator,
  describeOperators,
  checkpointOperators,
  loadableVersions,
  requireCheckpointDir,
  storeDir,
} from "./state-checkpoint.js";

/**
 * `spark.read.format("state").load(checkpointDir)`: the keys and values of one stateful
 * operator's state at one batch, as a DataFrame (Spark's state data source reader).
 *
 * Options (names case-insensitive, as Spark's):
 * - `operatorId` (default 0): which operator (`state/<operatorId>` in the checkpoint);
 * - `batchId` (default: the last committed batch): the state as that batch committed it
 *   (state version batchId + 1); the batch must be committed;
 * - `storeName` / `joinSide` (`left` | `right`): which of an operator's named stores (a
 *   stream-stream join keeps several); not both;
 * - `partitionId`: one state partition only.
 *
 * Columns: `key` (a struct of the operator's key columns, named and typed as its metadata
 * records them), `value` (for an aggregation, the aggregates' results — the accumulator buffers
 * in state finished as the query would output them, so a count shows as the count; for a
 * stream-stream join store, that side's buffered row and its matched flag, or the per-key row
 * count; for (flat)mapGroupsWithState, the user state as JSON and its timeout timestamp; for
 * dropDuplicates an empty struct; otherwise the stored value's columns) and `partition_id`.
 *
 * Read-only: the state files are read and checked (checksums), never written; a missing or
 * corrupt file is an error naming it, never empty state.
 */

/** What `resolve` decided, handed to `scan`. */
export interface ResolvedStateRead {
  readonly checkpointDir: string;
  readonly operatorId: number;
  readonly operatorName: string;
  readonly storeName: string;
  readonly batchId: number;
  readonly version: number;
  readonly partitions: readonly number[];
  readonly key: readonly ColumnReader[];
  /** Without operator metadata: the whole key tuple goes to the one key column (as JSON). */
  readonly keyWhole: boolean;
  readonly value: ValueReader;
}

/** One field of the key or value struct and how to turn a stored internal value into it. */
interface ColumnReader {
  readonly field: StructField;
  convert(v: unknown): unknown;
}

interface ValueReader {
  readonly fields: readonly StructField[];
  /** The stored value to the value struct's internal value (an array, one element per field). */
  convert(stored: unknown): unknown[] | null;
}

/** Case-insensitive option lookup. */
export function optionOf(options: Readonly<Record<string, string>>, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(options)) if (k.toLowerCase() === want) return v;
  return undefined;
}

function intOption(options: Readonly<Record<string, string>>, name: string): number | undefined {
  const raw = optionOf(options, name);
  if (raw === undefined || raw.trim() === "") return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new IllegalArgumentError("INVALID_OPTION", `The state source option ${name} must be a non-negative integer, got '${raw}'.`);
  return n;
}

/** The one checkpoint directory from `load(dir)` or option `path`. */
export function checkpointPathOf(paths: readonly string[], source: string): string {
  if (paths.length !== 1) {
    throw new IllegalArgumentError("STATE_SOURCE_PATH", `spark.read.format("${source}").load(checkpointDir) takes exactly one checkpoint directory, got ${paths.length}.`);
  }
  return path.resolve(paths[0]!);
}

const KNOWN_OPTIONS = new Set(["path", "operatorid", "batchid", "storename", "joinside", "partitionid"]);

function typeOf(c: StateColumnMetadata): DataType | undefined {
  try {
    return parseDataTypeDDL(c.type);
  } catch {
    return undefined;
  }
}

/** JSON text of any internal value (bigints as numbers' text, bytes as base64, Maps as objects). */
export function jsonText(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === "bigint") return x.toString();
    if (x instanceof Uint8Array) return Buffer.from(x).toString("base64");
    if (x instanceof Map) return Object.fromEntries([...x].map(([k, y]) => [String(k), y]));
    if (typeof x === "number" && !Number.isFinite(x)) return String(x);
    return x;
  }) ?? "null";
}

function keyReaders(meta: OperatorMetadata | undefined): ColumnReader[] {
  if (meta === undefined) return [{ field: structField("key", StringType, true), convert: (v) => jsonText(v) }];
  return meta.keySchema.map((c) => {
    const t = typeOf(c);
    if (t === undefined) return { field: structField(c.name, StringType, true), convert: (v) => (v === null || v === undefined ? null : jsonText(v)) };
    return { field: structField(c.name, t, true), convert: (v) => (v === undefined ? null : v) };
  });
}

/** A stream-stream join's store: `<side>-keyWithIndexToValue` (key + index → {matched, row}) or `<side>-keyToNumValues` (key → count). */
const JOIN_STORE = /^(left|right)-(keyWithIndexToValue|keyToNumValues)$/;

export function isJoin(meta: OperatorMetadata | undefined): boolean {
  return meta !== undefined && meta.operatorName.startsWith("symmetricHashJoin");
}

function isGroupState(meta: OperatorMetadata | undefined): boolean {
  return meta !== undefined && /^(flatMapGroupsWithState|mapGroupsWithState)$/.test(meta.operatorName);
}

/** The value columns `format("state")` returns for one store of a join. */
export function joinValueFields(meta: OperatorMetadata, storeName: string): readonly StructField[] {
  return joinValueReader(meta, storeName).fields;
}

function joinValueReader(meta: OperatorMetadata, storeName: string): ValueReader {
  const m = JOIN_STORE.exec(storeName);
  if (m === null) return { fields: [structField("value", StringType, true)], convert: (v) => [jsonText(v)] };
  if (m[2] === "keyToNumValues") return { fields: [structField("numValues", LongType, true)], convert: (v) => [typeof v === "number" || typeof v === "bigint" ? v : null] };
  const prefix = `${m[1]}.`;
  const cols = meta.valueSchema.filter((c) => c.name.startsWith(prefix)).map((c) => ({ name: c.name.slice(prefix.length), t: typeOf(c) }));
  const fields = [...cols.map((c) => structField(c.name, c.t ?? StringType, true)), structField("matched", BooleanType, true)];
  return {
    fields,
    convert: (stored) => {
      const v = stored as { matched?: unknown; row?: unknown } | null;
      const row = Array.isArray(v?.row) ? (v.row as unknown[]) : [];
      return [...cols.map((c, i) => (row[i] === undefined || row[i] === null ? null : c.t === undefined ? jsonText(row[i]) : row[i])), typeof v?.matched === "boolean" ? v.matched : null];
    },
  };
}

function valueReader(meta: OperatorMetadata | undefined, storeName: string): ValueReader {
  if (meta === undefined) return { fields: [structField("value", StringType, true)], convert: (v) => [jsonText(v)] };
  if (isJoin(meta)) return joinValueReader(meta, storeName);
  if (isGroupState(meta)) {
    // User state: any JSON-like value, shown as JSON; the timeout timestamp as stored.
    return {
      fields: [structField("groupState", StringType, true), structField("timeoutTimestamp", LongType, true)],
      convert: (stored) => {
        const v = stored as { s?: unknown; t?: unknown } | null;
        // A negative timeout timestamp means none is set.
        const t = typeof v?.t === "number" || typeof v?.t === "bigint" ? v.t : null;
        return [v?.s === undefined ? null : jsonText(v.s), t !== null && t >= 0 ? t : null];
      },
    };
  }
  if (meta.operatorName === "stateStoreSave") {
    // An aggregation: the value is the array of the aggregates' serialized buffers, in call order.
    const fins = meta.valueSchema.map((c) => ({ c, t: typeOf(c) })).map(({ c, t }) => (t === undefined ? undefined : aggregateFinisher(c.name, t)));
    const fields = meta.valueSchema.map((c, i) => {
      const f = fins[i];
      // A buffer that cannot be finished is shown as it is stored, as JSON text.
      return f?.ok ? structField(c.name, f.dataType, true) : structField(`${c.name} (buffer)`, StringType, true);
    });
    return {
      fields,
      convert: (stored) => {
        const bufs = Array.isArray(stored) ? stored : [stored];
        return fins.map((f, i) => {
          const b = bufs[i];
          if (b === undefined) return null;
          if (!f?.ok) return jsonText(b);
          try {
            const r = f.finish(b);
            return r === undefined ? null : r;
          } catch (e) {
            throw new CheckpointError("STATE_VALUE_UNREADABLE", `The state of aggregate ${f.name} cannot be read back from its buffer ${jsonText(b)}: ${(e as Error).message}.`, { cause: e });
          }
        });
      },
    };
  }
  // Other operators: a single-column value is the stored value itself; several columns are
  // stored as an array (or an object with those names); an operator without value columns
  // (dropDuplicates) has an empty value struct.
  const cols = meta.valueSchema.map((c) => {
    const t = typeOf(c);
    return t === undefined ? { field: structField(c.name, StringType, true), json: true } : { field: structField(c.name, t, true), json: false };
  });
  const conv = (v: unknown, json: boolean): unknown => (v === undefined || v === null ? null : json ? jsonText(v) : v);
  return {
    fields: cols.map((c) => c.field),
    convert: (stored) => {
      if (cols.length === 0) return [];
      if (cols.length === 1) return [conv(stored, cols[0]!.json)];
      if (Array.isArray(stored)) return cols.map((c, i) => conv(stored[i], c.json));
      if (stored !== null && typeof stored === "object") return cols.map((c) => conv((stored as Record<string, unknown>)[c.field.name], c.json));
      return cols.map((c, i) => (i === 0 ? conv(stored, c.json) : null));
    },
  };
}

/** Picks the store to read from the `storeName` / `joinSide` options. */
function chooseStore(op: CheckpointOperator, storeName: string | undefined, joinSide: string | undefined): string {
  const names = op.storeNames;
  if (storeName !== undefined && joinSide !== undefined) {
    throw new IllegalArgumentError("STATE_SOURCE_OPTIONS", "The state source options storeName and joinSide cannot be used together: joinSide picks the store of one side of a join.");
  }
  if (joinSide !== undefined) {
    const side = joinSide.toLowerCase();
    if (side !== "left" && side !== "right") throw new IllegalArgumentError("INVALID_OPTION", `The state source option joinSide must be 'left' or 'right', got '${joinSide}'.`);
    const ofSide = names.filter((n) => n.toLowerCase().startsWith(side));
    const values = ofSide.filter((n) => /keyWithIndexToValue$/i.test(n));
    const pick = values.length === 1 ? values : ofSide;
    if (pick.length !== 1) {
      throw new IllegalArgumentError(
        "STATE_SOURCE_JOIN_SIDE",
        `Operator ${op.operatorId} (${op.metadata?.operatorName ?? "unknown"}) has no single ${side} store to read (its stores: ${names.join(", ")}); joinSide applies to stream-stream joins. Use storeName to pick one.`,
      );
    }
    return pick[0]!;
  }
  if (storeName !== undefined) {
    if (!names.includes(storeName)) throw new IllegalArgumentError("STATE_SOURCE_STORE", `Operator ${op.operatorId} has no state store named '${storeName}'; its stores: ${names.join(", ")}.`);
    return storeName;
  }
  if (names.includes(DEFAULT_STORE_NAME)) return DEFAULT_STORE_NAME;
  if (names.length === 1) return names[0]!;
  throw new IllegalArgumentError("STATE_SOURCE_STORE", `Operator ${op.operatorId} keeps several state stores (${names.join(", ")}); choose one with the option storeName (or joinSide for a join).`);
}

/** Resolves the options against the checkpoint; throws the errors a user can fix. */
export function resolveStateRead(paths: readonly string[], options: Readonly<Record<string, string>>): ResolvedStateRead {
  const dir = checkpointPathOf(paths, "state");
  for (const k of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(k.toLowerCase())) throw new IllegalArgumentError("INVALID_OPTION", `Unknown option '${k}' for the state source; it takes operatorId, batchId, storeName, joinSide and partitionId.`);
  }
  requireCheckpointDir(dir);
  const operatorId = intOption(options, "operatorId") ?? 0;
  const ids = checkpointOperators(dir);
  if (!ids.some((o) => o.operatorId === operatorId)) {
    throw new IllegalArgumentError("STATE_SOURCE_NO_OPERATOR", `The checkpoint at ${dir} has no stateful operator ${operatorId}: ${describeOperators(ids)}.`);
  }
  const op = describeOperator(dir, operatorId);
  const storeName = chooseStore(op, optionOf(options, "storeName"), optionOf(options, "joinSide"));

  const committed = committedBatchIds(dir);
  const asked = intOption(options, "batchId");
  if (committed.length === 0) throw new CheckpointError("STATE_SOURCE_NO_COMMITTED_BATCH", `The checkpoint at ${dir} has no committed batch yet, so there is no state to read.`);
  const batchId = asked ?? committed[committed.length - 1]!;
  if (!committed.includes(batchId) && batchId < committed[0]!) {
    throw new CheckpointError(
      "STATE_SOURCE_BATCH_PURGED",
      `The state of batch ${batchId} is no longer in the checkpoint at ${dir}: older batches were purged (sluice.sql.streaming.minBatchesToRetain); the checkpoint keeps batches ${spanText(committed)}.`,
    );
  }
  if (!committed.includes(batchId)) {
    throw new CheckpointError(
      "STATE_SOURCE_BATCH_NOT_COMMITTED",
      `Batch ${batchId} is not committed in the checkpoint at ${dir} (committed batches: ${spanText(committed)}); its state may be incomplete. Choose a committed batchId.`,
    );
  }
  const version = batchId + 1;

  const partitionId = intOption(options, "partitionId");
  let partitions = op.partitions;
  if (partitionId !== undefined) {
    if (!partitions.includes(partitionId)) {
      throw new IllegalArgumentError("STATE_SOURCE_NO_PARTITION", `Operator ${operatorId} has no state partition ${partitionId}; it has partition${partitions.length === 1 ? "" : "s"} ${partitions.join(", ") || "none"}.`);
    }
    partitions = [partitionId];
  }
  if (partitions.length === 0) throw new CheckpointError("STATE_SOURCE_NO_PARTITION", `Operator ${operatorId} has no state partition directories under ${path.join(dir, "state", String(operatorId))}.`);
  // Every file the version needs must be there (checksums are checked when the files are read).
  for (const p of partitions) {
    const sdir = storeDir(dir, operatorId, p, storeName);
    try {
      requireLoadPlan(sdir, listStateFiles(sdir).files, version, describeStoreId({ checkpointLocation: dir, operatorId, partitionId: p, storeName }));
    } catch (e) {
      if (!(e instanceof StateStoreCorruptError)) throw e;
      const have = loadableVersions(sdir);
      const hint = have.length > 0 ? ` The state files hold batches ${spanText(have.map((v) => v - 1))}.` : "";
      throw new StateStoreCorruptError(e.errorClass, `${e.message}${hint}`, e.file, { cause: e });
    }
  }
  return {
    checkpointDir: dir,
    operatorId,
    operatorName: op.metadata?.operatorName ?? "unknown",
    storeName,
    batchId,
    version,
    partitions,
    key: keyReaders(op.metadata),
    keyWhole: op.metadata === undefined,
    value: valueReader(op.metadata, storeName),
  };
}

/** `0..4` for consecutive ids, else a short list. */
export function spanText(ids: readonly number[]): string {
  if (ids.length === 0) return "none";
  const consecutive = ids.every((x, i) => i === 0 || x === ids[i - 1]! + 1);
  if (consecutive) return ids.length === 1 ? String(ids[0]) : `${ids[0]}..${ids[ids.length - 1]}`;
  return ids.length <= 8 ? ids.join(", ") : `${ids.slice(0, 3).join(", ")}, ..., ${ids.slice(-3).join(", ")}`;
}

export function stateReadSchema(r: ResolvedStateRead): StructType {
  return structType([
    structField("key", structType(r.key.map((k) => k.field)), false),
    structField("value", structType(r.value.fields), true),
    structField("partition_id", IntegerType, false),
  ]);
}

const BATCH_ROWS = 8192;

/** The state rows, partition by partition, each in key order. */
export function* readStateRows(r: ResolvedStateRead): Generator<{ key: unknown[]; value: unknown[] | null; partitionId: number }> {
  for (const p of r.partitions) {
    const sdir = storeDir(r.checkpointDir, r.operatorId, p, r.storeName);
    const map = loadVersionIntoMap(sdir, r.version, describeStoreId({ checkpointLocation: r.checkpointDir, operatorId: r.operatorId, partitionId: p, storeName: r.storeName }));
    const keys = [...map.keys()].sort();
    for (const k of keys) {
      let tuple: unknown[];
      try {
        tuple = decodeKey(k);
      } catch (e) {
        throw new StateStoreCorruptError("CANNOT_LOAD_STATE_STORE.CORRUPT_FILE", `A key in the state of ${describeStoreId({ checkpointLocation: r.checkpointDir, operatorId: r.operatorId, partitionId: p, storeName: r.storeName })} at version ${r.version} does not decode: ${(e as Error).message}`, sdir, { cause: e });
      }
      const key = r.keyWhole ? [r.key[0]!.convert(tuple)] : r.key.map((c, i) => c.convert(tuple[i]));
      yield { key, value: r.value.convert(map.get(k)), partitionId: p };
    }
  }
}

async function* scanState(rel: DataSourceRelation): AsyncGenerator<RecordBatch> {
  const r = rel.resolved as ResolvedStateRead;
  const full = rel.schema;
  const names = rel.requiredColumns ?? full.fields.map((f) => f.name);
  const idx = names.map((n) => full.fields.findIndex((f) => f.name === n));
  const outSchema = structType(idx.map((i) => full.fields[i]!));
  let builders = full.fields.map((f) => new VectorBuilder(f.dataType, BATCH_ROWS));
  let n = 0;
  const flush = (): RecordBatch => {
    const cols = builders.map((b) => b.finish());
    const b = makeBatch(outSchema, idx.map((i) => cols[i]!), n);
    builders = full.fields.map((f) => new VectorBuilder(f.dataType, BATCH_ROWS));
    n = 0;
    return b;
  };
  for (const row of readStateRows(r)) {
    builders[0]!.append(row.key);
    builders[1]!.append(row.value);
    builders[2]!.append(row.partitionId);
    if (++n >= BATCH_ROWS) yield flush();
  }
  if (n > 0) yield flush();
}

export const stateBatchSource: BatchSourceProvider = {
  name: "state",
  resolve(paths, options, userSchema) {
    if (userSchema !== null) throw new IllegalArgumentError("USER_SPECIFIED_SCHEMA_UNSUPPORTED", "The state source does not take a schema: it reads the key and value schemas from the checkpoint.");
    const resolved = resolveStateRead(paths, options);
    return { schema: stateReadSchema(resolved), resolved };
  },
  scan: (rel) => scanState(rel),
};
