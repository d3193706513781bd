import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import pg from "pg";

/**
 * A throwaway PostgreSQL for tests: `initdb` in a temporary folder, started on a free loopback
 * port with fsync off, password (scram) authentication over TCP, stopped and deleted by `stop()`.
 * As root, initdb and pg_ctl run as the `postgres` user (initdb refuses root). When the server
 * binaries are missing, `startPostgres` throws saying how to install them: tests fail, never skip.
 *
 * @example
 * const server = await startPostgres();
 * await server.query("CREATE TABLE t (x int)");
 * // server.url === "postgresql://postgres:sluice@127.0.0.1:PORT/postgres"
 * await server.stop();
 */
export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** `postgresql://postgres:sluice@127.0.0.1:PORT/postgres` */
  readonly url: string;
  /** Runs one statement on a fresh connection; rows as pg returns them. */
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<R[]>;
  /** A connected client (the caller ends it). */
  client(): Promise<pg.Client>;
  stop(): Promise<void>;
}

const BIN_DIRS = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/14/bin"];

/** The folder holding initdb and pg_ctl, or an error saying how to install them. */
export function postgresBinDir(): string {
  for (const d of BIN_DIRS) if (fs.existsSync(path.join(d, "initdb")) && fs.existsSync(path.join(d, "pg_ctl"))) return d;
  throw new Error(`PostgreSQL server binaries (initdb, pg_ctl) were not found in ${BIN_DIRS.join(", ")}. Install them with \`bash scripts/setup-system.sh\` (installs the Debian package postgresql-15; needs root or sudo).`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-pg-"));
  const data = path.join(root, "data");
  const password = "sluice";
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    execFileSync("chown", ["postgres:postgres", root]);
  }
  const run = (cmd: string, args: string[]): void => {
    const file = path.join(bin, cmd);
    try {
      if (asRoot) execFileSync("runuser", ["-u", "postgres", "--", file, ...args], { stdio: "pipe", cwd: root });
      else execFileSync(file, args, { stdio: "pipe", cwd: root });
    } catch (e) {
      const err = e as { stderr?: Buffer; stdout?: Buffer; message: string };
      throw new Error(`${cmd} ${args.join(" ")} failed: ${err.stderr?.toString() || err.stdout?.toString() || err.message}`);
    }
  };
  const pwfile = path.join(root, "pwfile");
  fs.writeFileSync(pwfile, password + "\n");
  if (asRoot) execFileSync("chown", ["postgres:postgres", pwfile]);
  run("initdb", ["-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", `--pwfile=${pwfile}`, "--no-sync", "-E", "UTF8", "--locale=C"]);
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      run("pg_ctl", ["-D", data, "-w", "-t", "30", "-l", path.join(root, "log"), "-o", `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`, "start"]);
      break;
    } catch (e) {
      if (attempt >= 2) throw e; // the port may have been taken between freePort and start
    }
  }
  const host = "127.0.0.1", user = "postgres", database = "postgres";
  const url = `postgresql://${user}:${password}@${host}:${port}/${database}`;
  let stopped = false;
  const client = async (): Promise<pg.Client> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return c;
  };
  return {
    host, port, user, password, database, url, client,
    async query<R extends Record<string, unknown>>(sql: string, values?: unknown[]): Promise<R[]> {
      const c = await client();
      try {
        return (await c.query<R>(sql, values)).rows;
      } finally {
        await c.end();
      }
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
