import { reserveExprIdsThrough } from "../../expr/expression.js";
import type { FunctionDef } from "../../expr/function-def.js";
import { lookupFunction, lookupInternalFunction } from "../../expr/function-registry.js";
import { type UdfSource, isUserFunction, udfSourceOf } from "../../expr/udf-source.js";
import type { RecordBatch } from "../../batch/record-batch.js";
import { type TransferBatch, decodeBatches, encodeBatches } from "./batch-transfer.js";
import { type GroupStateSpec, type ShippedGroupStateSpec, operatorLabel, rebuiltGroupStateSpec, shippedGroupStateSpec } from "../stateful/flat-map-groups-with-state-exec.js";

/** Plans and expressions in a form postMessage can carry (see encodeTree). */
export interface Encoded<T> {
  readonly tree: unknown;
  /** Only for typing: what decodeTree returns. */
  readonly __type?: T;
}

/** Thrown when a plan holds something that cannot travel to a worker; the stage then runs in-process. */
export class NotShippableError extends Error {}

/**
 * Encodes plan fragments and expressions for a worker thread. Plan nodes and expressions are plain data and
 * clone as they are, except: function definitions travel by name (the worker has the same
 * built-ins) or, for user-defined functions, as their source text (udf-source.ts); in-memory
 * rows travel as transfer batches whose buffers are listed in `transfer`. `encodedRows` gives, by
 * relation description, in-memory relations whose rows are already encoded (their buffers are
 * the caller's to list).
 */
export function encodeTree<T>(value: T, encodedRows: Readonly<Record<string, readonly TransferBatch[]>> = {}): { encoded: Encoded<T>; transfer: ArrayBuffer[] } {
  const encoder = new TreeEncoder(encodedRows);
  return { encoded: { tree: encoder.walk(value) }, transfer: encoder.transfer };
}

// Both walks are methods, not arrow functions made per call: V8 drops the optimized code of a
// closure that dies at the next full GC, and every task of every query walks its plan again.
class TreeEncoder {
  readonly transfer: ArrayBuffer[] = [];
  constructor(private readonly encodedRows: Readonly<Record<string, readonly TransferBatch[]>>) {}

  walk(v: unknown): unknown {
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (const x of v) out.push(this.walk(x));
      return out;
    }
    if (!isPlainObject(v)) return v;
    const o = v as Record<string, unknown>;
    const preEncoded = o.kind === "LocalRelation" && typeof o.description === "string" ? this.encodedRows[o.description] : undefined;
    if (preEncoded) return { ...o, output: this.walk(o.output), batches: { $batches: preEncoded } };
    if (o.kind === "LocalRelation") {
      const enc = encodeBatches(o.batches as never);
      this.transfer.push(...enc.transfer);
      return { ...o, output: this.walk(o.output), batches: { $batches: enc.batches } };
    }
    const out: Record<string, unknown> = {};
    for (const k in o) {
      if ((o.kind === "Call" || o.kind === "AggCall") && k === "fn") out[k] = encodeFunction(o[k] as FunctionDef);
      else if (o.kind === "FlatMapGroupsWithState" && k === "spec") out[k] = encodeGroupStateSpec(o[k] as GroupStateSpec);
      else out[k] = this.walk(o[k]);
    }
    return out;
  }
}

function encodeGroupStateSpec(spec: GroupStateSpec): unknown {
  const shipped = shippedGroupStateSpec(spec);
  if (shipped === null) throw new NotShippableError(`the functions of ${operatorLabel(spec)} (${spec.functionName}) have no source text to send`);
  return { $groupState: shipped };
}

function encodeFunction(def: FunctionDef): unknown {
  const src = udfSourceOf(def);
  if (src) return { $udf: src };
  // Registered in this thread's registry only: a worker would not find it by name.
  if (isUserFunction(def)) throw new NotShippableError(`the udf ${def.name} has no source text to send (a native or bound function)`);
  if (lookupFunction(def.name) === def) return { $fn: def.name };
  if (lookupInternalFunction(def.name) === def) return { $internal: def.name };
  throw new NotShippableError(`the function ${def.name} is neither registered nor a udf with source text`);
}

/** Rebuilds a user-defined function from its source text (the worker passes the API's udf/udaf). */
export type UdfRebuilder = (src: UdfSource) => FunctionDef;

export function decodeTree<T>(enc: Encoded<T>, rebuildUdf: UdfRebuilder): T {
  const decoder = new TreeDecoder(rebuildUdf);
  const tree = decoder.walk(enc.tree) as T;
  // Planning here may name new columns (eager aggregation): their ids must not be ones the plan uses.
  reserveExprIdsThrough(decoder.maxId);
  return tree;
}

class TreeDecoder {
  private readonly udfs = new Map<string, FunctionDef>();
  private readonly decoded = new Map<TransferBatch[], RecordBatch[]>();
  maxId = 0;
  constructor(private readonly rebuildUdf: UdfRebuilder) {}

  walk(v: unknown): unknown {
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (const x of v) out.push(this.walk(x));
      return out;
    }
    if (!isPlainObject(v)) return v;
    const o = v as Record<string, unknown>;
    if ("$fn" in o) {
      const def = lookupFunction(o.$fn as string);
      if (!def) throw new Error(`worker thread: no built-in function ${String(o.$fn)}`);
      return def;
    }
    if ("$internal" in o) {
      const def = lookupInternalFunction(o.$internal as string);
      if (!def) throw new Error(`worker thread: no internal function ${String(o.$internal)}`);
      return def;
    }
    if ("$udf" in o) {
      const src = o.$udf as UdfSource;
      const key = `${src.kind}:${src.name}:${src.source}`;
      let def = this.udfs.get(key);
      if (!def) this.udfs.set(key, (def = this.rebuildUdf(src)));
      return def;
    }
    if ("$groupState" in o) return rebuiltGroupStateSpec(o.$groupState as ShippedGroupStateSpec);
    if ("$batches" in o) {
      // A relation used twice in the plan (a self-join of shuffled rows) is decoded once.
      const enc = o.$batches as TransferBatch[];
      let rows = this.decoded.get(enc);
      if (!rows) this.decoded.set(enc, (rows = decodeBatches(enc)));
      return rows;
    }
    if (typeof o.kind === "string" && typeof o.id === "number" && o.id > this.maxId) this.maxId = o.id;
    const out: Record<string, unknown> = {};
    for (const k in o) out[k] = this.walk(o[k]);
    return out;
  }
}

function isPlainObject(v: unknown): boolean {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}
