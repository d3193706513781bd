import { defineCrashSuite } from "./crash-suite.js";

// SIGKILL crash tests of a file source → foreachBatch query writing files keyed by batch id; see crash-suite.ts.
defineCrashSuite("foreachBatch");
