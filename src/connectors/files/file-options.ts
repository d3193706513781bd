import { IllegalArgumentError } from "../../errors/errors.js";

/**
 * A data source's options, looked up case-insensitively as Spark does (`inferSchema`,
 * `INFERSCHEMA` and `inferschema` are the same option). Typed getters reject bad values with
 * an error naming the option.
 */
export class FileOptions {
  private readonly map = new Map<string, string>();

  constructor(options: Readonly<Record<string, string>>) {
    for (const [k, v] of Object.entries(options)) this.map.set(k.toLowerCase(), String(v));
  }

  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }

  get(name: string): string | undefined {
    return this.map.get(name.toLowerCase());
  }

  string(name: string, def: string): string {
    return this.get(name) ?? def;
  }

  bool(name: string, def: boolean): boolean {
    const v = this.get(name);
    if (v === undefined) return def;
    const t = v.trim().toLowerCase();
    if (t === "true") return true;
    if (t === "false") return false;
    throw new IllegalArgumentError("INVALID_OPTION_VALUE", `Option '${name}' must be true or false, got '${v}'.`);
  }

  int(name: string, def: number): number {
    const v = this.get(name);
    if (v === undefined) return def;
    const n = Number(v.trim());
    if (!Number.isInteger(n)) throw new IllegalArgumentError("INVALID_OPTION_VALUE", `Option '${name}' must be an integer, got '${v}'.`);
    return n;
  }

  number(name: string, def: number): number {
    const v = this.get(name);
    if (v === undefined) return def;
    const n = Number(v.trim());
    if (Number.isNaN(n)) throw new IllegalArgumentError("INVALID_OPTION_VALUE", `Option '${name}' must be a number, got '${v}'.`);
    return n;
  }

  /** A one-character option such as `sep` or `quote`; accepts `\t`, `\u0001` spellings and "" (none). */
  char(name: string, def: string, allowEmpty = false): string {
    const v = this.get(name);
    if (v === undefined) return def;
    const c = unescapeChar(v);
    if (c === "" && allowEmpty) return "";
    if (c.length !== 1) throw new IllegalArgumentError("INVALID_OPTION_VALUE", `Option '${name}' must be a single character, got '${v}'.`);
    return c;
  }

  /** One of `allowed` (compared case-insensitively), returned in lower case. */
  choice<T extends string>(name: string, allowed: readonly T[], def: T): T {
    const v = this.get(name);
    if (v === undefined) return def;
    const t = v.trim().toLowerCase();
    const hit = allowed.find((a) => a.toLowerCase() === t);
    if (hit === undefined) {
      throw new IllegalArgumentError("INVALID_OPTION_VALUE", `Option '${name}' must be one of ${allowed.join(", ")}, got '${v}'.`);
    }
    return hit;
  }
}

function unescapeChar(v: string): string {
  if (v === "\\t") return "\t";
  if (v === "\\n") return "\n";
  if (v === "\\r") return "\r";
  if (v === "\\0") return "\0";
  if (v === "\\\\") return "\\";
  const u = /^\\u([0-9a-fA-F]{4})$/.exec(v);
  if (u) return String.fromCharCode(parseInt(u[1]!, 16));
  return v;
}
