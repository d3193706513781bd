import { type Vector, takeVector } from "../batch/vector.js";
import { GroupTable } from "./aggregate/group-table.js";
import { type SortKeySpec, rowComparator } from "./sort-util.js";

/**
 * The input of a window operator in window order: grouped by partition, each partition's rows in
 * ORDER BY order. Position p of that order holds input row `rowAt(p)`; partition k covers
 * positions [starts[k], starts[k + 1]), and the last entry of `starts` is n.
 */
export class WindowLayout {
  private peerEnds: Int32Array | null = null;
  /** Vectors already put in window order (a function's argument is often an output column). */
  private readonly ordered = new Map<Vector, Vector>();
  constructor(
    readonly n: number,
    /** Input row at each position; null when the input is already in window order. */
    readonly idx: Int32Array | null,
    readonly starts: Int32Array,
    /** Compares two input rows by the ORDER BY keys; null without ORDER BY. */
    private readonly orderCmp: ((a: number, b: number) => number) | null,
  ) {}

  rowAt(p: number): number {
    return this.idx === null ? p : this.idx[p]!;
  }

  /** A vector of input rows in window order. */
  inOrder(v: Vector): Vector {
    if (this.idx === null) return v;
    let o = this.ordered.get(v);
    if (o === undefined) this.ordered.set(v, (o = takeVector(v, this.idx)));
    return o;
  }

  /**
   * For each position, the end (exclusive) of its peer group: the following positions of its
   * partition with equal ORDER BY keys. Without ORDER BY a partition is one peer group.
   */
  peerEnd(): Int32Array {
    if (this.peerEnds !== null) return this.peerEnds;
    const ends = new Int32Array(this.n), cmp = this.orderCmp, idx = this.idx;
    for (let k = this.starts.length - 2; k >= 0; k--) {
      const s = this.starts[k]!, e = this.starts[k + 1]!;
      for (let p = e - 1; p >= s; p--) {
        ends[p] = p + 1 < e && (cmp === null || (idx === null ? cmp(p, p + 1) : cmp(idx[p]!, idx[p + 1]!)) === 0) ? ends[p + 1]! : p + 1;
      }
    }
    return (this.peerEnds = ends);
  }
}

/**
 * The input's partitions found by hashing their keys, rows left where they are. When every
 * partition's rows already come in ORDER BY order (events arriving in time order: Nexmark's bids
 * per bidder), window functions can be computed in input order (window-in-place.ts); otherwise
 * `sortedLayout` groups the rows.
 */
export interface HashedPartitions {
  readonly n: number;
  /** The partition of each input row. */
  readonly gids: Int32Array;
  readonly groups: number;
  /** Per partition, 1 when its rows are out of ORDER BY order; null when not checked (no plain key). */
  readonly unordered: Uint8Array | null;
  /** Every partition's rows are in ORDER BY order (always so without ORDER BY). */
  readonly allOrdered: boolean;
  /** The ORDER BY values when ORDER BY is one typed column without nulls, else null. */
  readonly key: ArrayLike<number> | null;
}

/**
 * Partitions of the input: a WindowLayout at once when the input is already grouped by partition
 * (the output of a window over the same PARTITION BY) — recognised from its runs of equal keys,
 * without hashing every row — else the partitions found by hashing, with whether each is in
 * ORDER BY order (learnt in one pass over the key in input order).
 */
export function partitionInput(pk: readonly Vector[], ok: readonly Vector[], orderSpecs: readonly SortKeySpec[], n: number): WindowLayout | HashedPartitions {
  const known = pk.length > 0 ? hashedBefore.get(pk[0]!)?.find((h) => sameVectors(h.pk, pk) && sameVectors(h.ok, ok) && h.ascending === orderSpecs.map((o) => o.ascending).join()) : undefined;
  if (known !== undefined) return known.parts;
  const parts = findPartitions(pk, ok, orderSpecs, n);
  if (pk.length > 0 && !(parts instanceof WindowLayout)) {
    const entries = hashedBefore.get(pk[0]!) ?? [];
    entries.push({ pk, ok, ascending: orderSpecs.map((o) => o.ascending).join(), parts });
    hashedBefore.set(pk[0]!, entries);
  }
  return parts;
}

/**
 * Partitions hashed for earlier windows, by their first key column. A window over the output of
 * another with the same PARTITION BY and ORDER BY (a lag, then a running sum over it: sessions
 * in the Nexmark q11 manner) reads the same key columns, unchanged, when the first kept its rows
 * where they were: the partitions are the same. Vectors never change, and entries go with them.
 */
const hashedBefore = new WeakMap<Vector, Array<{ pk: readonly Vector[]; ok: readonly Vector[]; ascending: string; parts: HashedPartitions }>>();

function sameVectors(a: readonly Vector[], b: readonly Vector[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function findPartitions(pk: readonly Vector[], ok: readonly Vector[], orderSpecs: readonly SortKeySpec[], n: number): WindowLayout | HashedPartitions {
  const grouped = groupedRuns(pk, n);
  if (grouped !== null) return sortPartitions(grouped, null, ok.length > 0 ? rowComparator(ok, orderSpecs) : null, n, plainKey(ok, orderSpecs));
  const gids = new Int32Array(n);
  const table = new GroupTable(pk.map((v) => v.type));
  table.lookup(pk, n, gids);
  const groups = n === 0 ? 0 : table.size;
  if (ok.length === 0) return { n, gids, groups, unordered: null, allOrdered: true, key: null };
  const key = plainKey(ok, orderSpecs);
  if (key === null) return { n, gids, groups, unordered: null, allOrdered: false, key: null };
  const v = key.values, dir = key.ascending ? 1 : -1;
  const last = new Float64Array(groups).fill(-dir * Infinity), unordered = new Uint8Array(groups);
  let any = 0;
  for (let i = 0; i < n; i++) {
    const g = gids[i]!, x = v[i]!;
    if ((x - last[g]!) * dir < 0) any = unordered[g] = 1;
    last[g] = x;
  }
  return { n, gids, groups, unordered, allOrdered: any === 0, key: v };
}

/**
 * Puts hashed partitions' rows in window order: grouped by a stable counting sort, partitions
 * keeping the order in which their keys first appear (the order of a window's output rows is not
 * defined), and only partitions out of ORDER BY order sorted.
 */
export function sortedLayout(h: HashedPartitions, ok: readonly Vector[], orderSpecs: readonly SortKeySpec[]): WindowLayout {
  const { n, gids, groups } = h;
  const next = new Int32Array(groups + 1);
  for (let i = 0; i < n; i++) next[gids[i]! + 1]!++;
  for (let g = 0; g < groups; g++) next[g + 1]! += next[g]!;
  const starts = next.slice();
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[next[gids[i]!]!++] = i;
  const orderCmp = ok.length > 0 ? rowComparator(ok, orderSpecs) : null;
  return sortPartitions(starts, idx, orderCmp, n, plainKey(ok, orderSpecs), h.unordered);
}

/** The ORDER BY key when it is one typed column of integers or timestamps without nulls (compared inline). */
function plainKey(ok: readonly Vector[], specs: readonly SortKeySpec[]): { values: ArrayLike<number>; ascending: boolean } | null {
  const k = ok.length === 1 ? ok[0]! : null;
  if (k === null || k.nulls !== null || Array.isArray(k.values) || k.type.kind === "float" || k.type.kind === "double") return null;
  return { values: k.values as ArrayLike<number>, ascending: specs[0]!.ascending };
}

/** Positions [s, e) (input rows idx[p], or p without idx) are in ORDER BY order. */
function inOrder(s: number, e: number, key: { values: ArrayLike<number>; ascending: boolean }, idx: Int32Array | null): boolean {
  const v = key.values, dir = key.ascending ? 1 : -1;
  if (idx === null) {
    for (let p = s + 1; p < e; p++) if ((v[p - 1]! - v[p]!) * dir > 0) return false;
  } else {
    for (let p = s + 1; p < e; p++) if ((v[idx[p - 1]!]! - v[idx[p]!]!) * dir > 0) return false;
  }
  return true;
}

/**
 * Partition starts (then n) when every partition's rows are contiguous, else null. Runs of equal
 * adjacent keys are found by comparison; only their first rows are hashed, a block at a time, to
 * check that no key has two runs: input in another order (bids in time order) is given up on at
 * the first repeated key, after a few thousand rows. Skipped when runs are too short to pay.
 */
function groupedRuns(pk: readonly Vector[], n: number): Int32Array | null {
  if (pk.length === 0) return Int32Array.of(0, n);
  // One key in a typed array: compared inline (two NaNs make two runs, and the hashing below then
  // finds the key twice: correct, only slower).
  const one = pk.length === 1 && !Array.isArray(pk[0]!.values) ? pk[0]! : null;
  const vals = one?.values as ArrayLike<number> | undefined, nulls = one?.nulls ?? null;
  const same = vals === undefined ? rowComparator(pk, pk.map(() => ({ ascending: true, nullsFirst: true }))) : null;
  const table = new GroupTable(pk.map((v) => v.type));
  const heads: number[] = n > 0 ? [0] : [];
  let checked = 0;
  // Whether the heads not yet hashed are new keys.
  const distinct = (): boolean => {
    const block = heads.slice(checked);
    table.lookup(pk.map((v) => takeVector(v, block)), block.length, new Int32Array(block.length));
    checked = heads.length;
    return table.size === checked;
  };
  for (let i = 1; i < n; i++) {
    const differs = vals !== undefined ? vals[i - 1] !== vals[i] || (nulls !== null && nulls[i - 1] !== nulls[i]) : same!(i - 1, i) !== 0;
    if (differs) {
      heads.push(i);
      // Runs averaging under two rows: hashing every row costs about as much.
      if (heads.length * 2 > Math.max(i, 4096)) return null;
      if (heads.length - checked >= HEADS_BLOCK && !distinct()) return null;
    }
  }
  if (!distinct()) return null;
  heads.push(n);
  return Int32Array.from(heads);
}

const HEADS_BLOCK = 2048;

/**
 * Sorts, alone, each partition whose rows are not already in ORDER BY order (checked here, or
 * flagged in `unordered` by the caller).
 */
function sortPartitions(starts: Int32Array, grouped: Int32Array | null, orderCmp: ((a: number, b: number) => number) | null, n: number, key: { values: ArrayLike<number>; ascending: boolean } | null, unordered: Uint8Array | null = null): WindowLayout {
  let idx = grouped;
  if (orderCmp !== null) {
    for (let k = 0; k + 1 < starts.length; k++) {
      const s = starts[k]!, e = starts[k + 1]!;
      if (unordered !== null ? unordered[k] === 0 : key !== null && inOrder(s, e, key, idx)) continue;
      let ordered = true;
      for (let p = s + 1; p < e && ordered; p++) ordered = (idx === null ? orderCmp(p - 1, p) : orderCmp(idx[p - 1]!, idx[p]!)) <= 0;
      if (ordered) continue;
      if (idx === null) {
        idx = new Int32Array(n);
        for (let i = 0; i < n; i++) idx[i] = i;
      }
      // Array sort is stable: peers keep their input order.
      const part = Array.from(idx.subarray(s, e)).sort(orderCmp);
      idx.set(part, s);
    }
  }
  return new WindowLayout(n, idx, starts, orderCmp);
}
