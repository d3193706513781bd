/**
 * `tsx bench/ab.ts --builds DIR[,DIR...] [--query q5|yahoo] [--events N] [--threads N] [--warmups N] [--rounds N]`
 *
 * An engine change measured against another build in ONE process: each build's checkout (a git
 * worktree with `node_modules` linked, e.g. `git worktree add /tmp/old HEAD~1`) is imported as its
 * own module graph, and a Nexmark query (or the Yahoo benchmark's binary path: `--query yahoo`,
 * 10 M events unless `--events`) runs on each in turn, round after round (the order flips
 * every round). On a shared VM whose speed drifts by tens of percent from minute to minute, runs of
 * two builds in separate processes minutes apart compare the minutes more than the builds; here
 * both see the same minutes. Still expect about ±10% between builds on a query neither changed.
 * Prints each build's median and mean run and checks that the builds agree (rows, column sum).
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type * as SluiceModule from "../src/index.js";
import type * as QueriesModule from "./nexmark/queries.js";
import type * as DigestModule from "./nexmark/digest.js";
import type * as YahooQueryModule from "./yahoo/query.js";
import { measure } from "./nexmark/measure.js";

interface Options {
  builds: string[];
  query: string;
  events: number;
  threads: number;
  warmups: number;
  rounds: number;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { builds: [], query: "q5", events: 0, threads: 1, warmups: 3, rounds: 10 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const num = (): number => {
      const v = Number(next());
      if (!Number.isInteger(v) || v < 0) throw new Error(`${a} needs a non-negative integer`);
      return v;
    };
    if (a === "--builds") o.builds = next().split(",").map((b) => resolve(b));
    else if (a === "--query") o.query = next();
    else if (a === "--events") o.events = num();
    else if (a === "--threads") o.threads = num();
    else if (a === "--warmups") o.warmups = num();
    else if (a === "--rounds") o.rounds = num();
    else throw new Error(`unknown argument ${a} (expected --builds, --query, --events, --threads, --warmups, --rounds)`);
  }
  if (o.events === 0) o.events = o.query === "yahoo" ? 10_000_000 : 2_000_000;
  if (o.builds.length === 0) throw new Error("--builds DIR[,DIR...] is required (checkouts of the builds to compare)");
  return o;
}

interface Build {
  dir: string;
  run(): Promise<{ rows: number; sum: number }>;
  times: number[];
}

async function load(dir: string, o: Options): Promise<Build> {
  const at = (path: string): string => pathToFileURL(resolve(dir, path)).href;
  const { Session, col } = (await import(at("src/index.ts"))) as typeof SluiceModule;
  const { QUERIES, nexmarkTables } = (await import(at("bench/nexmark/queries.ts"))) as typeof QueriesModule;
  const { digestBatches } = (await import(at("bench/nexmark/digest.ts"))) as typeof DigestModule;
  if (o.query === "yahoo") {
    const { yahooQuery } = (await import(at("bench/yahoo/query.ts"))) as typeof YahooQueryModule;
    const spark = Session.builder().appName(`ab ${dir}`).getOrCreate();
    spark.conf.set("sluice.executor.threads", o.threads);
    const campaigns = spark.read.format("yahoo").option("table", "campaigns").load();
    const events = spark.read.format("yahoo").option("eventsNum", o.events).load();
    return { dir, run: async () => digestBatches(await yahooQuery(events, campaigns, col("event_time")).collectBatches(), "n"), times: [] };
  }
  const query = QUERIES.find((q) => q.name === o.query);
  if (!query) throw new Error(`${dir} has no Nexmark query ${o.query}`);
  const spark = Session.builder().appName(`ab ${dir}`).getOrCreate();
  spark.conf.set("sluice.executor.threads", o.threads);
  const tables = nexmarkTables(spark, { eventsNum: o.events });
  return { dir, run: async () => digestBatches(await query.dataframe(tables).collectBatches(), query.checkColumn), times: [] };
}

const o = parseArgs(process.argv.slice(2));
const builds: Build[] = [];
for (const dir of o.builds) builds.push(await load(dir, o));
process.stdout.write(`${o.query}, ${o.events.toLocaleString("en-US")} events, ${o.threads} thread(s): ${o.warmups} warm-up and ${o.rounds} measured rounds over ${builds.length} builds\n`);
const answers = new Map<string, string>();
for (let r = -o.warmups; r < o.rounds; r++) {
  for (const b of r % 2 === 0 ? builds : [...builds].reverse()) {
    const { value: d, m } = await measure(() => b.run());
    if (r >= 0) b.times.push(m.seconds * 1000);
    answers.set(b.dir, `${d.rows} rows, sum ${d.sum}`);
  }
}
const median = (v: readonly number[]): number => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)] ?? NaN;
for (const b of builds) {
  const mean = b.times.reduce((x, y) => x + y, 0) / Math.max(1, b.times.length);
  process.stdout.write(`${b.dir}: median ${median(b.times).toFixed(0)} ms, mean ${mean.toFixed(0)} ms (${answers.get(b.dir)})\n`);
}
if (new Set(answers.values()).size > 1) {
  process.stdout.write("the builds' answers differ\n");
  process.exitCode = 1;
}
process.exit();
