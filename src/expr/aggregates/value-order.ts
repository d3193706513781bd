// Moved to src/expr/value-order.ts; kept for the importers in src/physical until they switch.
export * from "../value-order.js";
