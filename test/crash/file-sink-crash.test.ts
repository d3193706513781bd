import { defineCrashSuite } from "./crash-suite.js";

// SIGKILL crash tests of a file source → json file sink query; see crash-suite.ts.
defineCrashSuite("files");
