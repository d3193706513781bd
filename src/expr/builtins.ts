/** Registers every built-in function: import this module once before resolving queries. */
import "./functions/index.js";
import "./aggregates/index.js";
import "./window-functions.js";
import "./session-window.js";
