/**
 * Helpers of the crash tests: starting the child query process and killing it.
 *
 * The child is test/crash/fixtures/file-etl-child.ts. Starting it with `node --import tsx` costs
 * about a second on a small machine (tsx loads and transforms ~300 modules), so the harness
 * bundles it once per test file with esbuild (tsx's own transformer) into one ESM file and
 * starts that with plain `node` (~0.2 s); when esbuild cannot be loaded it falls back to tsx.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const CHILD_SOURCE = path.join(here, "fixtures", "file-etl-child.ts");

/** How to start the child: a command and the arguments before the child's own. */
export interface ChildCommand {
  readonly argv0: string;
  readonly args: readonly string[];
}

/**
 * Bundles a child (file-etl-child.ts unless `source` names another; or falls back to running it
 * through tsx). The bundle lives under
 * node_modules/.cache so that its imports of packages resolve; `dispose` removes it.
 */
export async function prepareChild(source = CHILD_SOURCE): Promise<ChildCommand & { dispose(): void }> {
  const repo = path.resolve(here, "../..");
  const outfile = path.join(repo, "node_modules", ".cache", "sluice-crash-tests", `${path.basename(source, ".ts")}-${process.pid}-${Date.now()}.mjs`);
  const dispose = (): void => fs.rmSync(outfile, { force: true });
  try {
    const esbuild = await import("esbuild");
    await esbuild.build({ entryPoints: [source], bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", outfile, logLevel: "silent", absWorkingDir: repo });
    return { argv0: process.execPath, args: [outfile], dispose };
  } catch {
    return { argv0: process.execPath, args: ["--import", "tsx", source], dispose };
  }
}

/** How one child run ended. */
export interface ChildOutcome {
  /** Exit code, or null when killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the child once. `crashAt` sets SLUICE_TEST_CRASH_AT (the child kills itself there);
 * `killAfterMs` has the parent SIGKILL it after that many milliseconds of wall-clock time.
 */
export function runChild(cmd: ChildCommand, childArgs: readonly string[], opts: { crashAt?: string; killAfterMs?: number; timeoutMs?: number } = {}): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env["SLUICE_TEST_CRASH_AT"];
    if (opts.crashAt !== undefined) env["SLUICE_TEST_CRASH_AT"] = opts.crashAt;
    const child = spawn(cmd.argv0, [...cmd.args, ...childArgs], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timers: NodeJS.Timeout[] = [];
    if (opts.killAfterMs !== undefined) timers.push(setTimeout(() => child.kill("SIGKILL"), opts.killAfterMs));
    // A safety net: a child that hangs fails the test instead of hanging it.
    timers.push(setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      for (const t of timers) clearTimeout(t);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A small seeded PRNG (mulberry32), so a failing run can be repeated with SLUICE_CRASH_SEED. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The highest batch id in `<checkpoint>/commits`, -1 when none. */
export function lastCommitted(checkpoint: string): number {
  let names: string[];
  try {
    names = fs.readdirSync(path.join(checkpoint, "commits"));
  } catch {
    return -1;
  }
  return names.filter((n) => /^\d+$/.test(n)).map(Number).reduce((a, b) => Math.max(a, b), -1);
}
