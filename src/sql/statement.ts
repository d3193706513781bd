import type { LogicalPlan } from "../plan/logical-plan.js";
import type { StructType } from "../types/data-type.js";

/**
 * A parsed SQL statement. Queries carry an unresolved logical plan; the other kinds are commands
 * that the session executes (views, configuration, EXPLAIN, ...). Names of views are single
 * identifiers; a multi-part name (`global_temp.v`) is joined with dots.
 */
export type Statement =
  | QueryStatement
  | CreateViewStatement
  | CreateTempViewUsingStatement
  | InsertIntoStatement
  | ExplainStatement
  | DropViewStatement
  | ShowTablesStatement
  | ShowFunctionsStatement
  | DescribeQueryStatement
  | SetConfigStatement
  | ResetConfigStatement
  | CacheTableStatement
  | UncacheTableStatement;

export type StatementKind = Statement["kind"];

export interface QueryStatement { readonly kind: "Query"; readonly plan: LogicalPlan }

/** `CREATE [OR REPLACE] [GLOBAL] TEMP[ORARY] VIEW [IF NOT EXISTS] name AS query` */
export interface CreateViewStatement {
  readonly kind: "CreateView";
  readonly name: string;
  readonly plan: LogicalPlan;
  readonly replace: boolean;
  readonly ifNotExists: boolean;
  readonly global: boolean;
}

/** `CREATE [OR REPLACE] TEMP VIEW v [(col type, ...)] USING provider [OPTIONS (k 'v', ...)]` (a source as a view, e.g. kafka). */
export interface CreateTempViewUsingStatement {
  readonly kind: "CreateTempViewUsing";
  readonly name: string;
  readonly replace: boolean;
  /** Lower-case provider name: `kafka`, `json`, `csv`, `parquet`, `rate`, ... */
  readonly provider: string;
  /** Option keys as written (dotted keys kept whole: `kafka.bootstrap.servers`); values as strings. */
  readonly options: Readonly<Record<string, string>>;
  readonly schema?: StructType;
}

/** `INSERT INTO|OVERWRITE [TABLE] name [(cols)] query` */
export interface InsertIntoStatement {
  readonly kind: "InsertInto";
  readonly table: readonly string[];
  readonly plan: LogicalPlan;
  readonly overwrite: boolean;
  /** The column list, when given: `INSERT INTO t (a, b) SELECT ...`. */
  readonly columns: readonly string[] | null;
}

export type ExplainMode = "simple" | "extended" | "codegen" | "cost" | "formatted";
/** `EXPLAIN [EXTENDED|CODEGEN|COST|FORMATTED] statement` */
export interface ExplainStatement { readonly kind: "Explain"; readonly statement: Statement; readonly mode: ExplainMode }

/** `DROP VIEW [IF EXISTS] name` */
export interface DropViewStatement { readonly kind: "DropView"; readonly name: string; readonly ifExists: boolean }

/** `SHOW TABLES [LIKE 'pattern']` (pattern null when absent). */
export interface ShowTablesStatement { readonly kind: "ShowTables"; readonly pattern: string | null }
/** `SHOW [USER|SYSTEM|ALL] FUNCTIONS [LIKE 'pattern']` */
export interface ShowFunctionsStatement { readonly kind: "ShowFunctions"; readonly pattern: string | null }

/** `DESCRIBE [TABLE] name`, `DESCRIBE QUERY query`, `DESCRIBE SELECT ...`: the schema of a plan. */
export interface DescribeQueryStatement { readonly kind: "DescribeQuery"; readonly plan: LogicalPlan }

/** `SET k=v` (both set), `SET k` (value null: show one), `SET` (both null: show all). Text kept raw, trimmed. */
export interface SetConfigStatement { readonly kind: "SetConfig"; readonly key: string | null; readonly value: string | null }
/** `RESET [k]` */
export interface ResetConfigStatement { readonly kind: "ResetConfig"; readonly key: string | null }

/** `CACHE [LAZY] TABLE name [[AS] query]` */
export interface CacheTableStatement { readonly kind: "CacheTable"; readonly name: string; readonly plan: LogicalPlan | null; readonly lazy: boolean }
/** `UNCACHE TABLE [IF EXISTS] name` */
export interface UncacheTableStatement { readonly kind: "UncacheTable"; readonly name: string; readonly ifExists: boolean }
