import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/**
 * A throwaway `redis-server` for tests: loopback only, a free port, a temporary directory, no
 * persistence. Started with `--daemonize yes` (ready in ~0.02 s); `stop()` shuts it down and
 * removes the directory. A missing binary is an error telling how to install it — tests never
 * skip because of it.
 *
 * @example
 * const redis = await startRedisServer();
 * // ... createClient({ url: redis.url }) ...
 * await redis.stop();
 */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>` (with the password when one was set). */
  readonly url: string;
  readonly dir: string;
  /** Kills the server (SIGTERM to the pid in its pidfile) and waits until the port is closed. */
  stop(): Promise<void>;
  /** Stops the server without removing its directory (to simulate a lost connection). */
  kill(): Promise<void>;
  /** Starts it again on the same port (after kill()). */
  restart(): Promise<void>;
}

export interface RedisServerOptions {
  /** `requirepass`: clients must AUTH with it. */
  readonly password?: string;
}

function findBinary(): string {
  for (const p of ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"]) if (fs.existsSync(p)) return p;
  const r = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  const found = r.stdout.trim();
  if (r.status === 0 && found) return found;
  throw new Error("redis-server is not installed; the Redis connector tests need it. Run `bash scripts/setup-system.sh` (as root) to install it.");
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const bin = findBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-redis-"));
  const pidfile = path.join(dir, "redis.pid");
  const port = await freePort();
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--daemonize", "yes", "--save", "", "--appendonly", "no", "--dir", dir, "--pidfile", pidfile, "--logfile", path.join(dir, "redis.log")];
  if (opts.password !== undefined) args.push("--requirepass", opts.password);
  const launch = async (): Promise<void> => {
    execFileSync(bin, args, { stdio: "ignore" });
    await waitFor(`redis-server on port ${port}`, () => canConnect(port));
  };
  const kill = async (): Promise<void> => {
    let pid: number | null = null;
    try {
      pid = Number(fs.readFileSync(pidfile, "utf8").trim());
    } catch {
      return;
    }
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
    await waitFor(`redis-server (pid ${pid}) to exit`, async () => !(await canConnect(port)));
    fs.rmSync(pidfile, { force: true });
  };
  await launch();
  const auth = opts.password !== undefined ? `:${encodeURIComponent(opts.password)}@` : "";
  return {
    host: "127.0.0.1",
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    dir,
    kill,
    restart: launch,
    async stop() {
      await kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
