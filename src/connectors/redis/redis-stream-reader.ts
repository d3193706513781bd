import { ExecutionError } from "../../errors/errors.js";
import { BEFORE_FIRST_ID, compareIds } from "./redis-entry-id.js";
import type { RawEntry, RedisConnection } from "./redis-connection.js";
import type { OffsetsSpec, StreamPosition } from "./redis-options.js";

/**
 * The reads the Redis source and the batch reader share, each one command (retried on
 * connection loss). A key that is not a stream fails with an error naming it; a missing key is
 * an empty stream (it may be created later).
 */
export class RedisStreamReader {
  constructor(readonly conn: RedisConnection) {}

  private async cmd<T>(stream: string, args: string[]): Promise<T> {
    try {
      return await this.conn.command<T>(args, `${args[0]} ${stream}`);
    } catch (e) {
      if (e instanceof Error && /^WRONGTYPE/.test(e.message)) {
        throw new ExecutionError("REDIS_NOT_A_STREAM", `Key '${stream}' at Redis ${this.conn.address} is not a stream (${e.message}). Option 'streams' must name stream keys.`, { cause: e });
      }
      throw e;
    }
  }

  /** Entries with `after < id <= to`, at most `count`. */
  range(stream: string, after: string, to: string, count: number): Promise<RawEntry[]> {
    return this.cmd<RawEntry[]>(stream, ["XRANGE", stream, "(" + after, to, "COUNT", String(count)]);
  }

  /** All entries with `after < id <= to`, read `fetchSize` at a time, handed to `onChunk` in order. */
  async rangeAll(stream: string, after: string, to: string, fetchSize: number, onChunk: (entries: RawEntry[]) => void): Promise<number> {
    let from = after, total = 0;
    while (compareIds(to, from) > 0) {
      const got = await this.range(stream, from, to, fetchSize);
      if (got.length > 0) onChunk(got);
      total += got.length;
      if (got.length < fetchSize) break;
      from = got[got.length - 1]![0];
    }
    return total;
  }

  /** The ID of the last entry, or null when the stream is empty or missing. */
  async lastId(stream: string): Promise<string | null> {
    const r = await this.cmd<RawEntry[]>(stream, ["XREVRANGE", stream, "+", "-", "COUNT", "1"]);
    return r[0]?.[0] ?? null;
  }

  /** The ID of the first entry, or null when the stream is empty or missing. */
  async firstId(stream: string): Promise<string | null> {
    const r = await this.cmd<RawEntry[]>(stream, ["XRANGE", stream, "-", "+", "COUNT", "1"]);
    return r[0]?.[0] ?? null;
  }

  async length(stream: string): Promise<number> {
    return Number(await this.cmd<number>(stream, ["XLEN", stream]));
  }

  /**
   * The last ID the stream ever generated (entries after it are new), even when those entries
   * were deleted; `0-0` for a missing stream.
   */
  async lastGeneratedId(stream: string): Promise<string> {
    const type = await this.cmd<string>(stream, ["TYPE", stream]);
    if (type === "none") return BEFORE_FIRST_ID;
    const info = await this.cmd<unknown>(stream, ["XINFO", "STREAM", stream]);
    let v: unknown;
    if (Array.isArray(info)) {
      for (let i = 0; i + 1 < info.length; i += 2) if (info[i] === "last-generated-id") v = info[i + 1];
    } else if (info instanceof Map) v = info.get("last-generated-id");
    else if (typeof info === "object" && info !== null) v = (info as Record<string, unknown>)["last-generated-id"];
    if (typeof v !== "string") throw new ExecutionError("REDIS_UNEXPECTED_REPLY", `XINFO STREAM ${stream} at ${this.conn.address} gave no last-generated-id.`);
    return v;
  }

  /** A position resolved to the ID reading starts after (or ends at). */
  async resolve(stream: string, p: StreamPosition): Promise<string> {
    switch (p.kind) {
      case "earliest": return BEFORE_FIRST_ID;
      case "latest": return this.lastGeneratedId(stream);
      case "id": return p.id;
    }
  }

  /** Every stream's position under a spec, resolved now. */
  async resolveAll(streams: readonly string[], spec: OffsetsSpec): Promise<Record<string, string>> {
    const ids = await Promise.all(
      streams.map((s) => this.resolve(s, spec.kind === "perStream" ? spec.positions[s]! : spec)),
    );
    const out: Record<string, string> = {};
    streams.forEach((s, i) => (out[s] = ids[i]!));
    return out;
  }
}
