#!/usr/bin/env node
import { runFromProcess } from "../dist/cli/entry.js";
runFromProcess();
