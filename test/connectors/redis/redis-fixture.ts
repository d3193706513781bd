import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before } from "node:test";
import { createClient } from "redis";
import { type RedisServer, startRedisServer } from "../../support/redis-server.js";

export interface RedisFixture {
  /** A throwaway redis-server on a loopback port (started in `before`). */
  readonly redis: RedisServer;
  /** A connected client for setting up and checking data. */
  readonly client: ReturnType<typeof createClient>;
  /** A temporary folder for checkpoints, removed in `after`. */
  readonly root: string;
  /** A unique name (stream key, query name) per call. */
  fresh(what: string): string;
}

/** Starts a redis-server, a client and a temp folder for one test file, and stops them after it. */
export function redisFixture(tmpPrefix: string): RedisFixture {
  let redis: RedisServer | undefined, client: ReturnType<typeof createClient> | undefined, root: string | undefined;
  let n = 0;
  before(async () => {
    redis = await startRedisServer();
    client = createClient({ url: redis.url });
    client.on("error", () => {});
    await client.connect();
    root = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
  });
  after(async () => {
    await client?.close();
    await redis?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });
  const ready = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`the Redis fixture's ${what} is used before the fixture started`);
    return v;
  };
  return {
    get redis() { return ready(redis, "server"); },
    get client() { return ready(client, "client"); },
    get root() { return ready(root, "folder"); },
    fresh: (what) => `${what}_${++n}`,
  };
}
