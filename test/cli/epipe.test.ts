import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

// `sluice ... | head -1`: head exits after one line while sluice may still be writing; the next
// write fails with EPIPE, which must end sluice quietly (status 0, nothing on stderr).
const writer = (install: boolean): string => `
  const { exitQuietlyOnEpipe } = await import("./src/cli/entry.ts");
  ${install ? "exitQuietlyOnEpipe(process.stdout);" : ""}
  for (let i = 0; i < 2000; i++) { process.stdout.write("line " + i + "\\n"); await new Promise((r) => setTimeout(r, 2)); }
  process.exit(3);`;

const pipeToHead = (cmd: string): { stdout: string; stderr: string } => {
  const r = spawnSync("bash", ["-c", `${cmd} | head -1; echo "status=\${PIPESTATUS[0]}"`], { encoding: "utf8", timeout: 120_000 });
  return { stdout: r.stdout, stderr: r.stderr };
};

test("a write after the reader closed the pipe ends the process quietly (EPIPE), which it does not by default", () => {
  const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  const without = pipeToHead(`node --import tsx --input-type=module -e ${quote(writer(false))}`);
  assert.match(without.stdout, /status=1\n$/, without.stdout);
  assert.match(without.stderr, /EPIPE/, without.stderr);
  const withHandler = pipeToHead(`node --import tsx --input-type=module -e ${quote(writer(true))}`);
  assert.equal(withHandler.stdout, "line 0\nstatus=0\n", withHandler.stderr);
  assert.equal(withHandler.stderr, "");
});

test("sluice --help | head -1 exits 0 with nothing on stderr", () => {
  const r = pipeToHead("node --import tsx test/cli/fixtures/sluice-from-source.ts --help");
  assert.match(r.stdout, /^Usage: sluice .*\nstatus=0\n$/);
  assert.equal(r.stderr, "");
});
