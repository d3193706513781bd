// Monitoring: everything here reads the StreamingQueryListener stream only (never engine
// internals). `spark.monitoring` (session-monitoring.ts) wires it to a session by conf.
export { SessionMonitoring } from "./session-monitoring.js";
export { QueryTracker, progressToJson } from "./query-tracker.js";
export type { QuerySummary, QueryDetail, QueryRunStatus, TrackerEvent, ProgressJson, QueryTrackerOptions } from "./query-tracker.js";
export { QueryMetrics } from "./metrics.js";
export { createLogger, batchLogger } from "./logger.js";
export type { BatchLoggerOptions, Logger } from "./logger.js";
export { AlertManager, readAlertConfigFile, validateAlertConfig, webhookBody } from "./alerts/alert-manager.js";
export type { AlertConfig, AlertLog, AlertManagerOptions } from "./alerts/alert-manager.js";
export { AlertConfigError, validateAlertRule } from "./alerts/alert-rule.js";
export type { AlertRule, AlertRuleSpec, AlertSeverity } from "./alerts/alert-rule.js";
export type { Alert } from "./alerts/alert-evaluator.js";
export { UiServer, UiServerError } from "../ui/ui-server.js";
export type { UiServerOptions } from "../ui/ui-server.js";
