import { availableParallelism } from "node:os";
import { IllegalArgumentError } from "../errors/errors.js";

/** Settings users can read and change at run time (`spark.conf`), with Spark's names as `sluice.*` (Spark's own names reach them too: settingKey). */
export const CONFIG_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  "sluice.sql.session.timeZone": "UTC",
  "sluice.sql.ansi.enabled": "false",
  "sluice.sql.caseSensitive": "false",
  "sluice.sql.shuffle.partitions": "4",
  // Parallel execution (src/physical/parallel): worker threads for stages over large inputs.
  "sluice.executor.threads": String(availableParallelism()),
  "sluice.executor.minRowsPerTask": "100000",
  "sluice.sql.execution.batchSize": "8192",
  "sluice.sql.execution.memoryLimitBytes": String(512 * 1024 * 1024),
  "sluice.sql.optimizer.enabled": "true",
  // Map-side `row_number() <= k` limits before a window's shuffle (Spark's WindowGroupLimit), for
  // k up to this; -1 turns them off (src/physical/parallel/rank-limit.ts).
  "sluice.sql.optimizer.windowGroupLimitThreshold": "1000",
  // Sliding-window aggregations whose length is a whole number of slides aggregate each row once,
  // into its slide-long pane, then the panes into windows (src/physical/aggregate/pane-aggregation.ts).
  "sluice.sql.optimizer.slidingWindowPanes": "true",
  // Spark prefers sort-merge joins because its build sides may not fit one executor; in one process
  // a hash join is 2-3x faster, and sort-merge (which spills) is for when memory is the limit.
  "sluice.sql.join.preferSortMergeJoin": "false",
  "sluice.sql.autoBroadcastJoinThreshold": String(10 * 1024 * 1024),
  "sluice.sql.streaming.minBatchesToRetain": "100",
  "sluice.sql.streaming.noDataMicroBatches.enabled": "true",
  "sluice.sql.streaming.multipleWatermarkPolicy": "min",
  "sluice.sql.streaming.schemaInference": "false",
  "sluice.sql.streaming.stateStore.providerClass": "memory",
  "sluice.sql.streaming.stateStore.minDeltasForSnapshot": "10",
  "sluice.sql.streaming.stateStore.maintenanceInterval": "60 seconds",
  "sluice.sql.repl.eagerEval.maxNumRows": "20",
  // Web UI and monitoring (src/monitoring, src/ui): off by default so tests and library use stay
  // quiet (Spark's UI is on by default); `npm start -- --follow` and users turn the UI on.
  "sluice.ui.enabled": "false",
  "sluice.ui.host": "127.0.0.1",
  "sluice.ui.port": "4040",
  "sluice.ui.port.maxRetries": "16",
  "sluice.ui.retainedQueries": "100",
  "sluice.ui.retainedProgressUpdates": "300",
  "sluice.log.batches.enabled": "false",
  "sluice.log.level": "info",
  "sluice.log.slowBatchMs": "10000",
});

/**
 * The key a setting is stored under: Spark's name of a setting Sluice has (`spark.sql.ansi.enabled`)
 * is Sluice's (`sluice.sql.ansi.enabled`), so code written for Spark sets what it means instead of
 * a key nothing reads. Every other key as it is.
 */
export function settingKey(key: string): string {
  if (!key.startsWith("spark.")) return key;
  const own = `sluice.${key.slice("spark.".length)}`;
  return own in CONFIG_DEFAULTS ? own : key;
}

export class RuntimeConfig {
  private readonly values = new Map<string, string>();

  constructor(initial: Readonly<Record<string, string | number | boolean>> = {}) {
    for (const [k, v] of Object.entries(initial)) this.set(k, v);
  }

  set(key: string, value: string | number | boolean): void {
    if (typeof key !== "string" || key === "") throw new IllegalArgumentError("INVALID_CONF", "A configuration key must be a non-empty string.");
    this.values.set(settingKey(key), String(value));
  }

  /** The value of `key`, the given default, or Sluice's default; throws for unknown unset keys. */
  get(key: string, defaultValue?: string): string {
    const k = settingKey(key);
    const v = this.values.get(k) ?? defaultValue ?? CONFIG_DEFAULTS[k];
    if (v === undefined) throw new IllegalArgumentError("SQL_CONF_NOT_FOUND", `[SQL_CONF_NOT_FOUND] The configuration "${key}" is not set and has no default.`);
    return v;
  }

  getOption(key: string): string | undefined {
    const k = settingKey(key);
    return this.values.get(k) ?? CONFIG_DEFAULTS[k];
  }

  unset(key: string): void {
    this.values.delete(settingKey(key));
  }

  isModifiable(key: string): boolean {
    return settingKey(key).startsWith("sluice.");
  }

  getAll(): Record<string, string> {
    return { ...CONFIG_DEFAULTS, ...Object.fromEntries(this.values) };
  }

  getBoolean(key: string): boolean {
    const v = this.get(key).toLowerCase();
    if (v !== "true" && v !== "false") throw new IllegalArgumentError("INVALID_CONF_VALUE", `The value '${v}' of the config "${key}" is not a boolean (true or false).`);
    return v === "true";
  }

  getNumber(key: string): number {
    const v = this.get(key);
    const n = Number(v);
    if (!Number.isFinite(n)) throw new IllegalArgumentError("INVALID_CONF_VALUE", `The value '${v}' of the config "${key}" is not a number.`);
    return n;
  }
}
