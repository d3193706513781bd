/**
 * `npm start [-- --homes N --days N --seed N --follow --rate N --out DIR --alerts N]`: the energy
 * waste checker, a streaming pipeline over generated smart-meter readings (examples/energy/).
 * It processes the generated days and stops by itself, printing alerts, a peer comparison and a
 * summary checked against the generator's ground truth; `--follow` runs in real time with the
 * web UI until Ctrl-C.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { main } from "./energy/cli.js";

const args = process.argv.slice(2);
if (args.includes("--follow") && process.env["SLUICE_ENERGY_FOLLOWER"] !== "1") {
  // tsx (npm start) kills its child outright when Ctrl-C finds the child's event loop busy in a
  // micro-batch. The follower runs in its own process group instead, and Ctrl-C is forwarded
  // to it, so it stops after the current batch and prints its summary (a second Ctrl-C forces).
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args], {
    stdio: "inherit",
    detached: true,
    env: { ...process.env, SLUICE_ENERGY_FOLLOWER: "1" },
  });
  const forward = (): void => {
    child.kill("SIGINT");
  };
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  process.exitCode = await new Promise<number>((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 130 : 1))));
} else {
  process.exitCode = await main(args);
}
