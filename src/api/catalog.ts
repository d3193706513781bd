import type { Catalog } from "../analyzer/analyzer.js";
import { AnalysisError } from "../errors/errors.js";
import type { LogicalPlan } from "../plan/logical-plan.js";
import { CacheManager, type StorageLevel } from "./cache-manager.js";

/** Temporary views of a session (createOrReplaceTempView), by case-insensitive name, and its cached plans. */
export class SessionCatalog implements Catalog {
  private readonly views = new Map<string, { name: string; plan: LogicalPlan }>();
  /** Plans kept in memory by `df.cache()` / `persist()` / `cacheTable` (see cache-manager.ts). */
  readonly cacheManager = new CacheManager();
  /** Resolves `format.\`path\`` relations (SELECT * FROM json.`/data`). */
  fileRelationResolver: ((format: string, path: string) => LogicalPlan | undefined) | null = null;

  createView(name: string, plan: LogicalPlan, replace: boolean): void {
    const k = name.toLowerCase();
    if (!replace && this.views.has(k)) {
      throw new AnalysisError("TEMP_TABLE_OR_VIEW_ALREADY_EXISTS", `[TEMP_TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create the temporary view \`${name}\` because it already exists. Choose a different name, drop or replace the existing view.`);
    }
    this.views.set(k, { name, plan });
  }

  dropView(name: string): boolean {
    return this.views.delete(name.toLowerCase());
  }

  lookupRelation(nameParts: readonly string[]): LogicalPlan | undefined {
    if (nameParts.length === 2 && this.fileRelationResolver) {
      const f = this.fileRelationResolver(nameParts[0]!.toLowerCase(), nameParts[1]!);
      if (f) return f;
    }
    return this.views.get(nameParts[nameParts.length - 1]!.toLowerCase())?.plan;
  }

  relationNames(): string[] {
    return [...this.views.values()].map((v) => v.name).sort();
  }

  tableExists(name: string): boolean {
    return this.views.has(name.toLowerCase());
  }

  /** Whether the view `name` is cached (`spark.catalog.isCached`). */
  isCached(name: string): boolean {
    return this.cacheManager.isCached(this.viewPlan(name, "isCached"));
  }
  /** Caches the view `name`: its rows are computed by the first query that reads them. */
  cacheTable(name: string, level: StorageLevel = "MEMORY_AND_DISK"): void {
    this.cacheManager.cache(this.viewPlan(name, "cacheTable"), level);
  }
  uncacheTable(name: string): void {
    this.cacheManager.uncache(this.viewPlan(name, "uncacheTable"));
  }
  /** Forgets every cached plan of the session. */
  clearCache(): void {
    this.cacheManager.clear();
  }

  private viewPlan(name: string, what: string): LogicalPlan {
    const v = this.views.get(name.toLowerCase());
    if (!v) throw new AnalysisError("TABLE_OR_VIEW_NOT_FOUND", `[TABLE_OR_VIEW_NOT_FOUND] ${what}: the table or view \`${name}\` cannot be found.`);
    return v.plan;
  }
}
