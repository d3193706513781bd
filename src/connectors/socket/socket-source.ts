import * as net from "node:net";
import { BatchBuilder, type RecordBatch } from "../../batch/record-batch.js";
import { IllegalArgumentError, StreamingError } from "../../errors/errors.js";
import type { Clock } from "../../streaming/clock.js";
import type { Offset, Source, SourceContext, StreamingSourceProvider } from "../../streaming/source.js";
import { type StreamSourceRequest, optionOf, registerStreamSource } from "../../streaming/stream-source-registry.js";
import { type StructType, StringType, TimestampType, structField, structType } from "../../types/data-type.js";

export const SOCKET_SCHEMA = structType([structField("value", StringType, true)]);
export const SOCKET_SCHEMA_WITH_TIMESTAMP = structType([structField("value", StringType, true), structField("timestamp", TimestampType, true)]);

/**
 * `format("socket")`: lines of UTF-8 text read from a TCP server (Spark's TextSocketSource), one
 * row per line (`value STRING`, plus `timestamp TIMESTAMP` — when the line arrived — with
 * `includeTimestamp`). For tests and demos: `nc -lk 9999` in one terminal, a query in another.
 *
 * **Not replayable.** Lines live only in this process's memory until their batch commits. After
 * a restart from a checkpoint, the lines of a batch that was planned but not committed, and any
 * line received but not yet in a batch, are gone: the re-run of that batch reads nothing, and
 * numbering continues after the checkpoint's offsets. Exactly-once holds only for what was
 * committed; use a replayable source (files, Kafka) where that matters.
 *
 * Offsets are line numbers (-1 before the first line). The connection is made when the query
 * starts and `open()` waits for it, so a refused connection fails `start()` naming host:port (as
 * Spark's socket source fails at creation); a later socket error fails the query at its next
 * trigger. When the server closes the connection the query stays active with no new data.
 */
export class TextSocketSource implements Source {
  readonly schema: StructType;
  readonly description: string;
  /** Received lines not yet committed; `lines[0]` has offset `firstOffset`. */
  private lines: { value: string; timestampMs: number }[] = [];
  /** Set when the engine first tells the source where it stands (a fresh start or the checkpoint). */
  private firstOffset: number | null = null;
  private partial = "";
  private readonly socket: net.Socket;
  private failure: Error | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly includeTimestamp: boolean,
    private readonly clock: Clock,
  ) {
    this.schema = includeTimestamp ? SOCKET_SCHEMA_WITH_TIMESTAMP : SOCKET_SCHEMA;
    this.description = `TextSocketV2[host: ${host}, port: ${port}]`;
    this.socket = net.connect({ host, port });
    this.socket.setEncoding("utf8");
    this.socket.on("data", (chunk: string) => this.receive(chunk));
    this.socket.on("end", () => {
      if (this.partial.length > 0) this.push(this.partial);
      this.partial = "";
    });
    this.socket.on("error", (e) => {
      this.failure = new StreamingError("SOCKET_SOURCE_ERROR", `The socket source could not read from ${host}:${port}: ${e.message}`);
      this.notify();
    });
  }

  private receive(chunk: string): void {
    const text = this.partial + chunk;
    const parts = text.split("\n");
    this.partial = parts.pop()!;
    for (const p of parts) this.push(p.endsWith("\r") ? p.slice(0, -1) : p);
    if (parts.length > 0) this.notify();
  }

  private push(value: string): void {
    this.lines.push({ value, timestampMs: this.clock.getTimeMillis() });
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Fixes the numbering: buffered lines follow offset `o` (the engine's committed or re-run end). */
  private anchor(o: number): void {
    if (this.firstOffset === null) this.firstOffset = o + 1;
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }

  initialOffset(): Offset {
    return -1;
  }

  /** Waits until the connection is made (or fails, with the error naming host:port). */
  async open(): Promise<void> {
    this.check();
    if (!this.socket.connecting) return;
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.socket.off("connect", done);
        this.socket.off("error", done);
        if (this.failure) reject(this.failure);
        else resolve();
      };
      this.socket.once("connect", done);
      // After the constructor's handler, which records the failure.
      this.socket.once("error", done);
    });
  }

  latestOffset(start: Offset): Offset {
    this.check();
    this.anchor(Number(start));
    return this.firstOffset! + this.lines.length - 1;
  }

  async getBatch(start: Offset, end: Offset): Promise<RecordBatch[]> {
    this.check();
    // A re-run after a restart: the lines of (start, end] were in the crashed process; gone.
    this.anchor(Number(end));
    const from = Math.max(Number(start) + 1, this.firstOffset!), to = Number(end);
    if (to < from) return [];
    const b = new BatchBuilder(this.schema, to - from + 1);
    for (let o = from; o <= to; o++) {
      const line = this.lines[o - this.firstOffset!];
      if (line === undefined) break;
      b.appendRow(this.includeTimestamp ? [line.value, line.timestampMs * 1000] : [line.value]);
    }
    const batch = b.finish();
    return batch.numRows > 0 ? [batch] : [];
  }

  commit(end: Offset): void {
    if (this.firstOffset === null) return;
    const drop = Number(end) - this.firstOffset + 1;
    if (drop <= 0) return;
    this.lines = this.lines.slice(drop);
    this.firstOffset += drop;
  }

  stop(): void {
    this.socket.destroy();
  }

  onDataAvailable(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

registerStreamSource({
  name: "socket",
  resolve(req: StreamSourceRequest): StreamingSourceProvider {
    if (req.userSchema !== null) throw new IllegalArgumentError("USER_SPECIFIED_SCHEMA_UNSUPPORTED", "The socket source does not support a user-specified schema.");
    const host = optionOf(req.options, "host");
    const portText = optionOf(req.options, "port");
    if (host === undefined) throw new IllegalArgumentError("INVALID_OPTION", "Set a host to read from with option('host', ...).");
    if (portText === undefined) throw new IllegalArgumentError("INVALID_OPTION", "Set a port to read from with option('port', ...).");
    const port = Number(portText);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new IllegalArgumentError("INVALID_OPTION", `The port must be an integer between 1 and 65535, got '${portText}'.`);
    const ts = (optionOf(req.options, "includeTimestamp") ?? "false").toLowerCase();
    if (ts !== "true" && ts !== "false") throw new IllegalArgumentError("INVALID_OPTION", `includeTimestamp must be 'true' or 'false', got '${ts}'.`);
    const includeTimestamp = ts === "true";
    process.emitWarning("The socket source should not be used for production applications! It does not support recovery.");
    return {
      kind: "StreamingSourceProvider",
      name: `TextSocket[${host}:${port}]`,
      schema: includeTimestamp ? SOCKET_SCHEMA_WITH_TIMESTAMP : SOCKET_SCHEMA,
      createSource: (ctx: SourceContext) => new TextSocketSource(host, port, includeTimestamp, ctx.clock),
    };
  },
});
