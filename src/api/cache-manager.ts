import type { RecordBatch } from "../batch/record-batch.js";
import { planOutput } from "../analyzer/plan-output.js";
import { type LogicalPlan, Plan, children, withChildren } from "../plan/logical-plan.js";

/** Spark's storage levels, accepted by `persist()`; Sluice keeps every level in memory (batches as they are). */
export type StorageLevel =
  | "NONE" | "DISK_ONLY" | "DISK_ONLY_2" | "DISK_ONLY_3" | "MEMORY_ONLY" | "MEMORY_ONLY_2" | "MEMORY_ONLY_SER" | "MEMORY_ONLY_SER_2"
  | "MEMORY_AND_DISK" | "MEMORY_AND_DISK_2" | "MEMORY_AND_DISK_SER" | "MEMORY_AND_DISK_SER_2" | "MEMORY_AND_DISK_DESER" | "OFF_HEAP";

interface CacheEntry {
  readonly level: StorageLevel;
  /** The computed rows, once the first action that reads the plan has run it. */
  batches: readonly RecordBatch[] | null;
  /** The computation in progress (actions running at the same time share it). */
  pending: Promise<readonly RecordBatch[]> | null;
}

/**
 * The session's cached plans, as Spark's CacheManager: `df.cache()` registers the DataFrame's
 * analyzed plan (nothing runs); the first action whose plan contains it computes it once, and
 * every later action reads the kept batches instead (a LocalRelation "InMemoryRelation" with the
 * same attributes put in its place before optimization).
 *
 * Plans are matched by identity: a DataFrame derived from a cached one, a temp view over it, and
 * `spark.table(view)` all contain the same plan object. (Spark also matches structurally equal
 * plans built separately; Sluice does not.) Subquery expressions are not searched.
 */
export class CacheManager {
  private readonly entries = new Map<LogicalPlan, CacheEntry>();

  /** Registers `plan` (no-op when already cached, keeping the first storage level, as Spark warns and does). */
  cache(plan: LogicalPlan, level: StorageLevel = "MEMORY_AND_DISK"): void {
    if (!this.entries.has(plan)) this.entries.set(plan, { level, batches: null, pending: null });
  }

  /** Forgets `plan`'s cached rows; true when it was cached. */
  uncache(plan: LogicalPlan): boolean {
    return this.entries.delete(plan);
  }

  isCached(plan: LogicalPlan): boolean {
    return this.entries.has(plan);
  }

  storageLevel(plan: LogicalPlan): StorageLevel {
    return this.entries.get(plan)?.level ?? "NONE";
  }

  /** Whether `plan`'s rows have been computed and are kept. */
  isMaterialized(plan: LogicalPlan): boolean {
    return this.entries.get(plan)?.batches != null;
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * `plan` with every cached subtree replaced by its kept rows, computing (with `run`) those not
   * yet computed. Returns `plan` itself when nothing in it is cached.
   */
  async substitute(plan: LogicalPlan, run: (p: LogicalPlan) => Promise<RecordBatch[]>): Promise<LogicalPlan> {
    if (this.entries.size === 0) return plan;
    const entry = this.entries.get(plan);
    if (entry) return Plan.localRelation(planOutput(plan), await this.materialize(plan, entry, run), "InMemoryRelation");
    const cs = children(plan);
    if (cs.length === 0) return plan;
    const next: LogicalPlan[] = [];
    for (const c of cs) next.push(await this.substitute(c, run));
    return withChildren(plan, next);
  }

  /**
   * For EXPLAIN: cached subtrees shown as the "InMemoryRelation" they will be read from (with
   * their rows when computed, empty before), without computing anything.
   */
  substituteForExplain(plan: LogicalPlan): LogicalPlan {
    if (this.entries.size === 0) return plan;
    const entry = this.entries.get(plan);
    if (entry) return Plan.localRelation(planOutput(plan), entry.batches ?? [], "InMemoryRelation");
    const cs = children(plan);
    return cs.length === 0 ? plan : withChildren(plan, cs.map((c) => this.substituteForExplain(c)));
  }

  private materialize(plan: LogicalPlan, entry: CacheEntry, run: (p: LogicalPlan) => Promise<RecordBatch[]>): Promise<readonly RecordBatch[]> {
    if (entry.batches) return Promise.resolve(entry.batches);
    entry.pending ??= (async () => {
      try {
        // Cached plans inside this one are read from their own entries.
        const cs = children(plan);
        const next: LogicalPlan[] = [];
        for (const c of cs) next.push(await this.substitute(c, run));
        const batches = await run(cs.length ? withChildren(plan, next) : plan);
        if (this.entries.get(plan) === entry) entry.batches = batches;
        return batches;
      } finally {
        entry.pending = null;
      }
    })();
    return entry.pending;
  }
}
