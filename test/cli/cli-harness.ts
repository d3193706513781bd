import { Writable } from "node:stream";
import { main } from "../../src/cli/main.js";

/** Collects what the CLI writes to a stream. */
export class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** Runs `sluice <args>` in-process and returns its exit code and output. */
export async function runCli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new Capture(), err = new Capture();
  const code = await main(args, out, err);
  return { code, out: out.text, err: err.text };
}
