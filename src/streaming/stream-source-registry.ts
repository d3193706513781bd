import type { Session } from "../api/session.js";
import { IllegalArgumentError } from "../errors/errors.js";
import type { StructType } from "../types/data-type.js";
import type { StreamingSourceProvider } from "./source.js";

/** What `spark.readStream.format(name)...load(path?)` hands a streaming connector. */
export interface StreamSourceRequest {
  readonly session: Session;
  readonly paths: readonly string[];
  readonly options: Readonly<Record<string, string>>;
  readonly userSchema: StructType | null;
}

/**
 * A streaming connector (`spark.readStream.format(name)`): turns a load into a provider whose
 * schema is known now and whose Source is created when a query starts. Each connector folder
 * registers itself here.
 */
export interface StreamSourceFactory {
  readonly name: string;
  resolve(req: StreamSourceRequest): StreamingSourceProvider;
}

const factories = new Map<string, StreamSourceFactory>();

export function registerStreamSource(f: StreamSourceFactory): void {
  factories.set(f.name.toLowerCase(), f);
}

export function streamSource(name: string): StreamSourceFactory {
  const f = factories.get(name.toLowerCase());
  if (!f) throw new IllegalArgumentError("DATA_SOURCE_NOT_FOUND", `[DATA_SOURCE_NOT_FOUND] Failed to find the streaming data source: ${name}. Available: ${[...factories.keys()].sort().join(", ")}.`);
  return f;
}

/** Case-insensitive option lookup. */
export function optionOf(options: Readonly<Record<string, string>>, key: string): string | undefined {
  const k = key.toLowerCase();
  for (const [n, v] of Object.entries(options)) if (n.toLowerCase() === k) return v;
  return undefined;
}

export function numberOption(options: Readonly<Record<string, string>>, key: string, dflt: number, check: (n: number) => boolean = (n) => Number.isFinite(n) && n >= 0): number {
  const v = optionOf(options, key);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!check(n)) throw new IllegalArgumentError("INVALID_OPTION", `Invalid value '${v}' for option '${key}'.`);
  return n;
}
