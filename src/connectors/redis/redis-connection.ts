import { createClient } from "redis";
import { ExecutionError } from "../../errors/errors.js";
import type { RedisConnectionOptions } from "./redis-options.js";

/** What the connector needs of a node-redis client: raw commands and transactions. */
export type RedisClient = ReturnType<typeof createClient>;

/** A raw XRANGE reply: `[id, [field, value, field, value, ...]]` per entry. */
export type RawEntry = [string, string[]];

/** The server a connection talks to, as `host:port`, for error messages. */
export function serverAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || "127.0.0.1"}:${u.port || "6379"}`;
  } catch {
    return url;
  }
}

const CONNECTION_ERROR_NAMES = new Set([
  "ConnectionTimeoutError",
  "SocketTimeoutError",
  "ClientClosedError",
  "ClientOfflineError",
  "DisconnectsClientError",
  "SocketClosedUnexpectedlyError",
  "ReconnectStrategyError",
  "TimeoutError",
]);
const CONNECTION_ERROR_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND", "ECONNABORTED"]);

/** A lost or refused connection (worth a retry), as opposed to an error reply from the server. */
export function isConnectionError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (CONNECTION_ERROR_NAMES.has(e.constructor.name) || CONNECTION_ERROR_NAMES.has(e.name)) return true;
  const code = (e as NodeJS.ErrnoException).code;
  if (code !== undefined && CONNECTION_ERROR_CODES.has(code)) return true;
  return /socket closed|connection is closed|client is closed|ECONNREFUSED|ECONNRESET/i.test(e.message);
}

/** An authentication or authorization failure reply (never retried). */
export function isAuthError(e: unknown): boolean {
  return e instanceof Error && /^(WRONGPASS|NOAUTH|NOPERM)\b/.test(e.message);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * One lazily opened node-redis connection with retries: an operation that fails because the
 * connection was lost (or could not be made) is retried `retries` times on a fresh connection,
 * after `retryBackoffMs`, doubled each attempt. Error replies from the server are not retried;
 * authentication failures and the final connection failure become errors that name the server.
 *
 * Operations passed to `run` must be safe to repeat: reads, or writes that check first whether
 * they already happened (the sink's batch marker).
 */
export class RedisConnection {
  readonly address: string;
  private client: RedisClient | null = null;
  private connecting: Promise<RedisClient> | null = null;
  private closed = false;

  constructor(
    readonly options: RedisConnectionOptions,
    /** Who connects, for messages: `Redis source`, `Redis sink`. */
    private readonly who: string,
  ) {
    this.address = serverAddress(options.url);
  }

  private open(): Promise<RedisClient> {
    if (this.client !== null) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const c = createClient({
        url: this.options.url,
        ...(this.options.username !== null ? { username: this.options.username } : {}),
        ...(this.options.password !== null ? { password: this.options.password } : {}),
        RESP: 2,
        socket: { reconnectStrategy: false, connectTimeout: this.options.connectTimeoutMs },
      });
      // Failures surface as rejected commands; the event would otherwise crash the process.
      c.on("error", () => {});
      try {
        await c.connect();
      } catch (e) {
        c.destroy();
        throw e;
      }
      this.client = c as unknown as RedisClient;
      return this.client;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private discard(): void {
    const c = this.client;
    this.client = null;
    if (c !== null) {
      try {
        c.destroy();
      } catch {
        // already closed
      }
    }
  }

  /** Runs `fn` on the connection, retrying on connection loss; `what` names the operation in errors. */
  async run<T>(what: string, fn: (client: RedisClient) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new ExecutionError("REDIS_CONNECTION_CLOSED", `The ${this.who} connection to ${this.address} was closed (the query stopped) during ${what}.`);
      try {
        const c = await this.open();
        return await fn(c);
      } catch (e) {
        if (isAuthError(e)) {
          this.discard();
          throw new ExecutionError(
            "REDIS_AUTH_FAILED",
            `The ${this.who} could not authenticate to Redis at ${this.address}: ${(e as Error).message}. Check option 'password' (and 'username'), or the user:password in option 'url'.`,
            { cause: e },
          );
        }
        if (!isConnectionError(e)) throw e;
        this.discard();
        if (attempt >= this.options.retries) {
          throw new ExecutionError(
            "REDIS_CONNECTION_FAILED",
            `The ${this.who} could not reach Redis at ${this.address} (${what}) after ${attempt + 1} attempt(s): ${(e as Error).message}. Check option 'url', that the server runs, and options 'retries' / 'retryBackoffMs'.`,
            { cause: e },
          );
        }
        await sleep(this.options.retryBackoffMs * 2 ** attempt);
      }
    }
  }

  /** Sends one raw command (retried on connection loss). */
  command<T>(args: readonly string[], what = args[0]!): Promise<T> {
    return this.run(what, (c) => c.sendCommand(args) as Promise<T>);
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.connecting;
    if (pending !== null) await pending.catch(() => null);
    const c = this.client;
    this.client = null;
    if (c !== null) {
      try {
        await c.close();
      } catch {
        c.destroy();
      }
    }
  }
}
