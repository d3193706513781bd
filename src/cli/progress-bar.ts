import type { ExecProgress } from "../physical/physical-op.js";

export interface ProgressOutput {
  write(s: string): unknown;
  readonly isTTY?: boolean;
}

/**
 * Shows the input progress of long batch work: on a terminal, one self-rewriting line
 * (`⠹ 1,204,000 rows · 3 files · 2.4 s · 501,667 rows/s`) redrawn at most 10 times a second and
 * erased at the end; elsewhere (logs, pipes), a plain line every `plainEveryMs` once the work has
 * run that long, so short queries print nothing extra.
 */
export class ProgressBar implements ExecProgress {
  private rows = 0;
  private files = 0;
  private readonly started: number;
  private lastDraw = 0;
  private frame = 0;
  private drawn = false;

  constructor(
    private readonly out: ProgressOutput,
    private readonly now: () => number = Date.now,
    private readonly plainEveryMs = 5000,
  ) {
    this.started = now();
    this.lastDraw = this.started;
  }

  rowsRead(n: number): void {
    this.rows += n;
    this.tick();
  }

  fileRead(): void {
    this.files++;
    this.tick();
  }

  /** The status text for the current counts. */
  text(): string {
    const secs = (this.now() - this.started) / 1000;
    const rate = secs > 0 ? Math.round(this.rows / secs) : 0;
    const parts = [`${this.rows.toLocaleString("en-US")} rows`];
    if (this.files > 0) parts.push(`${this.files.toLocaleString("en-US")} files`);
    parts.push(`${secs.toFixed(1)} s`, `${rate.toLocaleString("en-US")} rows/s`);
    return parts.join(" · ");
  }

  private tick(): void {
    const t = this.now();
    if (this.out.isTTY) {
      if (t - this.lastDraw < 100) return;
      this.lastDraw = t;
      const spinner = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"[this.frame++ % 10];
      this.out.write(`\r\x1b[2K${spinner} ${this.text()}`);
      this.drawn = true;
    } else if (t - this.lastDraw >= this.plainEveryMs) {
      this.lastDraw = t;
      this.out.write(`progress: ${this.text()}\n`);
    }
  }

  /** Erases the terminal line (so the result prints cleanly); a final line for logs of long runs. */
  finish(): void {
    if (this.out.isTTY && this.drawn) this.out.write("\r\x1b[2K");
    else if (!this.out.isTTY && this.now() - this.started >= this.plainEveryMs) this.out.write(`done: ${this.text()}\n`);
  }
}
