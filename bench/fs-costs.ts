/**
 * `npx tsx bench/fs-costs.ts [DIR ...] [--calls N]`
 *
 * What the file system calls a checkpoint makes cost in each directory (default: os.tmpdir(),
 * where benchmarks put their checkpoints, and /dev/shm when present): create a file, open an
 * existing one, stat, rename, unlink, and an atomic write (temp file, write, fsync, rename,
 * directory fsync), a 1.5 KB append and fdatasync (a state changelog's commit; also into a
 * preallocated file), each repeated `--calls` times (default 2,000; 200 for the atomic write,
 * 500 for the appends) in a fresh directory; p50 / p99 in milliseconds. Not a test: nothing is
 * asserted.
 *
 * A micro-batch creates files for `offsets/N` and `commits/N` and appends to a changelog per state
 * partition; on a VM where creating a file takes 0.3 ms (README, "Micro-batch latency") creation
 * is most of a small batch's checkpoint cost, and this is how to see it on a machine before
 * reading its latency figures.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { writeFileAtomic } from "../src/checkpoint/atomic-file.js";
import { percentile } from "./nexmark/measure.js";

const args = process.argv.slice(2);
const callsAt = args.indexOf("--calls");
const calls = callsAt >= 0 ? Number(args[callsAt + 1]) : 2000;
const dirs = args.filter((a, i) => !a.startsWith("--") && (callsAt < 0 || i !== callsAt + 1));
if (dirs.length === 0) dirs.push(os.tmpdir(), ...(fs.existsSync("/dev/shm") ? ["/dev/shm"] : []));

function timed(n: number, call: (i: number) => void): string {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    call(i);
    ms.push(performance.now() - t0);
  }
  return `p50 ${percentile(ms, 50).toFixed(3)} / p99 ${percentile(ms, 99).toFixed(3)}`;
}

/**
 * fdatasync after writing 1.5 KB at the end of a file, appending (the size changes, so the file
 * system commits its journal) or overwriting a zero-filled preallocated region (data only, as a
 * database's preallocated log segments).
 */
function fdatasyncRows(file: string, n: number): [string, string][] {
  const block = Buffer.alloc(1500, 7);
  const run = (preallocate: boolean): string => {
    const fd = fs.openSync(file, "w+");
    try {
      if (preallocate) {
        fs.writeSync(fd, Buffer.alloc(n * block.length));
        fs.fsyncSync(fd);
      }
      return timed(n, (i) => {
        fs.writeSync(fd, block, 0, block.length, i * block.length);
        fs.fdatasyncSync(fd);
      });
    } finally {
      fs.closeSync(fd);
      fs.rmSync(file, { force: true });
    }
  };
  return [
    ["append 1.5 KB, fdatasync", run(false)],
    ["same, preallocated", run(true)],
  ];
}

for (const base of dirs) {
  const dir = fs.mkdtempSync(path.join(base, "sluice-fs-costs-"));
  const f = (name: string, i: number): string => path.join(dir, `${name}${i}`);
  try {
    const rows: [string, string][] = [
      ["create", timed(calls, (i) => fs.closeSync(fs.openSync(f("a", i), "wx")))],
      ["open existing", timed(calls, (i) => fs.closeSync(fs.openSync(f("a", i), "r")))],
      ["stat", timed(calls, (i) => fs.statSync(f("a", i)))],
      ["rename", timed(calls, (i) => fs.renameSync(f("a", i), f("b", i)))],
      ["unlink", timed(calls, (i) => fs.unlinkSync(f("b", i)))],
      ["atomic write, fsync", timed(Math.min(calls, 200), (i) => writeFileAtomic(f("c", i), "v1\n{}", { fsync: true }))],
      ["atomic write, no fsync", timed(Math.min(calls, 200), (i) => writeFileAtomic(f("d", i), "v1\n{}", { fsync: false }))],
      // A state changelog's commit: 1.5 KB appended, then fdatasync (the file grows: a journal commit).
      ...fdatasyncRows(path.join(dir, "log"), Math.min(calls, 500)),
    ];
    process.stdout.write(`${base}: ms per call (${calls} calls)\n`);
    for (const [what, figures] of rows) process.stdout.write(`  ${what.padEnd(28)}${figures}\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
