import type { Catalog } from "../analyzer/analyzer.js";
import { AnalysisError } from "../errors/errors.js";
import type { LogicalPlan } from "../plan/logical-plan.js";

/** Temporary views of a session (createOrReplaceTempView), by case-insensitive name. */
export class SessionCatalog implements Catalog {
  private readonly views = new Map<string, { name: string; plan: LogicalPlan }>();
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
}
