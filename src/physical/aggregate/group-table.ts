import type { Vector } from "../../batch/vector.js";
import type { DataType } from "../../types/data-type.js";
import { GroupKeys, KeyCoder, TupleTable } from "./key-coder.js";

/**
 * Assigns a dense group id to each distinct key tuple, in first-seen order, for the operators
 * that group row by row outside a generated loop (hash aggregation's column-wise path, joins'
 * build sides, set operations, streaming aggregation). The same structures as the generated
 * aggregation loops (FusedAggregate): each key column coded by a KeyCoder (a dense array for
 * small integer ranges, a typed-array table for other numbers, a Map for the rest), and for two
 * or more keys the codes' tuple looked up in a TupleTable. Grouping equality is Spark's: NaN =
 * NaN, -0 = 0, null = null.
 */
export class GroupTable {
  private readonly coders: KeyCoder[];
  private readonly tuples: TupleTable | null;
  /** Per key column, the codes of the rows of the batch being looked up (reused). */
  private codes: Int32Array[] = [];
  private readonly tuple: Int32Array;
  /** Groups without key columns: 0 or 1. */
  private noKeyGroups = 0;

  constructor(private readonly keyTypes: readonly DataType[]) {
    this.coders = keyTypes.map((t) => new KeyCoder(t));
    this.tuples = keyTypes.length >= 2 ? new TupleTable(keyTypes.length) : null;
    this.tuple = new Int32Array(keyTypes.length);
  }

  get size(): number {
    const k = this.coders.length;
    return k === 0 ? this.noKeyGroups : k === 1 ? this.coders[0]!.size : this.tuples!.count;
  }

  /** Fills `gids[i]` with the group of row i (creating groups as needed). */
  lookup(keys: readonly Vector[], n: number, gids: Int32Array): void {
    const k = keys.length;
    if (k === 0) {
      this.noKeyGroups = 1;
      gids.fill(0, 0, n);
      return;
    }
    if (k === 1) return this.coders[0]!.codeAll(keys[0]!.values, keys[0]!.nulls, n, gids);
    const codes = this.codesFor(n);
    for (let j = 0; j < k; j++) this.coders[j]!.codeAll(keys[j]!.values, keys[j]!.nulls, n, codes[j]!);
    const tuple = this.tuple, tuples = this.tuples!;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) tuple[j] = codes[j]![i]!;
      gids[i] = tuples.findOrInsert(tuple);
    }
  }

  /**
   * Looks keys up without creating groups: `out[i]` is the group of row i, or -1 when the key is
   * absent or (for columns whose `nullMatches` is false) contains a null, as SQL equality wants.
   */
  probe(keys: readonly Vector[], n: number, out: Int32Array, nullMatches: readonly boolean[]): void {
    const k = keys.length;
    if (k === 0) {
      out.fill(this.noKeyGroups > 0 ? 0 : -1, 0, n);
      return;
    }
    if (k === 1) return this.coders[0]!.findAll(keys[0]!.values, keys[0]!.nulls, n, out, nullMatches[0]!);
    const codes = this.codesFor(n);
    for (let j = 0; j < k; j++) this.coders[j]!.findAll(keys[j]!.values, keys[j]!.nulls, n, codes[j]!, nullMatches[j]!);
    const tuple = this.tuple, tuples = this.tuples!;
    rows: for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) {
        const c = codes[j]![i]!;
        if (c < 0) {
          out[i] = -1;
          continue rows;
        }
        tuple[j] = c;
      }
      out[i] = tuples.find(tuple);
    }
  }

  /** The distinct keys, in group-id order. */
  groupKeys(): GroupKeys {
    return new GroupKeys(this.coders, this.tuples, this.size);
  }

  get types(): readonly DataType[] {
    return this.keyTypes;
  }

  private codesFor(n: number): Int32Array[] {
    if (this.codes.length === 0 || this.codes[0]!.length < n) this.codes = this.coders.map(() => new Int32Array(Math.max(n, 1024)));
    return this.codes;
  }
}
