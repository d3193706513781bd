import { type Vector, VectorBuilder } from "../../batch/vector.js";
import { valueKey } from "../../expr/aggregates/collect.js";
import { type DataType, isNumberValued } from "../../types/data-type.js";
import { internNumberTuples } from "./key-coder.js";

/** Stands for a null key in hash maps (null itself would work, but this keeps intent clear). */
const NULL_KEY = Symbol("null");

/**
 * Map keys must compare by value: complex values (arrays, structs, binary, maps) are encoded;
 * structs of numbers (the `window` struct) are interned per table, without a string per row.
 */
function keyEncoder(t: DataType): ((v: unknown) => unknown) | null {
  switch (t.kind) {
    case "struct":
      return t.fields.every((f) => isNumberValued(f.dataType)) ? internNumberTuples() : valueKey(t);
    case "binary": case "array": case "map": case "interval":
      return valueKey(t);
    default:
      return null;
  }
}

/**
 * Assigns a dense group id to each distinct key tuple. One key: a Map from value to id. Several
 * keys: nested Maps, so a lookup allocates nothing. Keys are kept (as vectors) for the output.
 */
export class GroupTable {
  private readonly root = new Map<unknown, unknown>();
  private readonly encoders: (((v: unknown) => unknown) | null)[];
  private readonly keyBuilders: VectorBuilder[];
  private count = 0;

  constructor(private readonly keyTypes: readonly DataType[]) {
    this.encoders = keyTypes.map(keyEncoder);
    this.keyBuilders = keyTypes.map((t) => new VectorBuilder(t, 1024));
  }

  get size(): number {
    return this.count;
  }

  /** Fills `gids[i]` with the group of row i (creating groups as needed). */
  lookup(keys: readonly Vector[], n: number, gids: Int32Array): void {
    const k = keys.length;
    if (k === 0) {
      if (this.count === 0) this.count = 1;
      gids.fill(0, 0, n);
      return;
    }
    if (k === 1) return this.lookupOne(keys[0]!, n, gids);
    const vals = keys.map((v) => v.values);
    const nulls = keys.map((v) => v.nulls);
    const isBool = keys.map((v) => v.type.kind === "boolean");
    for (let i = 0; i < n; i++) {
      let m = this.root;
      for (let j = 0; j < k - 1; j++) {
        const key = this.keyAt(vals[j]!, nulls[j]!, isBool[j]!, j, i);
        let next = m.get(key) as Map<unknown, unknown> | undefined;
        if (next === undefined) {
          next = new Map();
          m.set(key, next);
        }
        m = next;
      }
      const last = this.keyAt(vals[k - 1]!, nulls[k - 1]!, isBool[k - 1]!, k - 1, i);
      let g = m.get(last) as number | undefined;
      if (g === undefined) {
        g = this.newGroup(keys, i);
        m.set(last, g);
      }
      gids[i] = g;
    }
  }

  /**
   * Looks keys up without creating groups: `out[i]` is the group of row i, or -1 when the key is
   * absent or (for columns whose `nullMatches` is false) contains a null, as SQL equality wants.
   */
  probe(keys: readonly Vector[], n: number, out: Int32Array, nullMatches: readonly boolean[]): void {
    const k = keys.length;
    const isBool = keys.map((v) => v.type.kind === "boolean");
    for (let i = 0; i < n; i++) {
      let m: Map<unknown, unknown> | undefined = this.root;
      let g = -1;
      for (let j = 0; j < k && m !== undefined; j++) {
        const v = keys[j]!;
        if (v.nulls !== null && v.nulls[i] === 1 && !nullMatches[j]) { m = undefined; break; }
        const key = this.keyAt(v.values, v.nulls, isBool[j]!, j, i);
        const next = m.get(key);
        if (j === k - 1) g = next === undefined ? -1 : (next as number);
        else m = next as Map<unknown, unknown> | undefined;
      }
      out[i] = g;
    }
  }

  private keyAt(values: Vector["values"], nulls: Uint8Array | null, isBool: boolean, j: number, i: number): unknown {
    if (nulls !== null && nulls[i] === 1) return NULL_KEY;
    const v = isBool ? values[i] === 1 : values[i];
    const enc = this.encoders[j];
    return enc ? enc(v) : v;
  }

  private lookupOne(key: Vector, n: number, gids: Int32Array): void {
    const m = this.root as Map<unknown, number>;
    const vals = key.values, nulls = key.nulls;
    const enc = this.encoders[0];
    if (nulls === null && enc === null && key.type.kind !== "boolean") {
      // The hot path: one non-null primitive key.
      for (let i = 0; i < n; i++) {
        const v = vals[i];
        let g = m.get(v);
        if (g === undefined) {
          g = this.newGroup([key], i);
          m.set(v, g);
        }
        gids[i] = g;
      }
      return;
    }
    const isBool = key.type.kind === "boolean";
    for (let i = 0; i < n; i++) {
      const v = this.keyAt(vals, nulls, isBool, 0, i);
      let g = m.get(v);
      if (g === undefined) {
        g = this.newGroup([key], i);
        m.set(v, g);
      }
      gids[i] = g;
    }
  }

  private newGroup(keys: readonly Vector[], i: number): number {
    for (let j = 0; j < keys.length; j++) {
      const v = keys[j]!;
      const isNull = v.nulls !== null && v.nulls[i] === 1;
      this.keyBuilders[j]!.append(isNull ? null : v.type.kind === "boolean" ? v.values[i] === 1 : v.values[i]);
    }
    return this.count++;
  }

  /** The distinct keys, one vector per key column, in group-id order. */
  keyVectors(): Vector[] {
    return this.keyBuilders.map((b) => b.finish());
  }

  get types(): readonly DataType[] {
    return this.keyTypes;
  }
}
