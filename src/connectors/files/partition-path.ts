/**
 * Partition directory names: `k=v` with Spark's escaping (characters that are special in paths
 * become `%XX`), and `__HIVE_DEFAULT_PARTITION__` for null.
 */
export const DEFAULT_PARTITION_NAME = "__HIVE_DEFAULT_PARTITION__";

const NEEDS_ESCAPE = new Set(['"', "#", "%", "'", "*", "/", ":", "=", "?", "\\", "\u007F", "{", "[", "]", "^"]);

export function escapePathName(s: string): string {
  let out = "";
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    if (NEEDS_ESCAPE.has(ch) || (code >= 0x01 && code <= 0x1f)) out += "%" + code.toString(16).toUpperCase().padStart(2, "0");
    else out += ch;
  }
  return out;
}

export function unescapePathName(s: string): string {
  return s.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** `k=v` segments of `relativeDir` (a path below a base path), or null if some segment is not one. */
export function parsePartitionSegments(relativeDir: string): { names: string[]; values: (string | null)[] } | null {
  const names: string[] = [];
  const values: (string | null)[] = [];
  if (relativeDir === "" || relativeDir === ".") return { names, values };
  for (const seg of relativeDir.split("/")) {
    const eq = seg.indexOf("=");
    if (eq <= 0) return null;
    names.push(unescapePathName(seg.slice(0, eq)));
    const raw = unescapePathName(seg.slice(eq + 1));
    values.push(raw === DEFAULT_PARTITION_NAME || raw === "" ? null : raw);
  }
  return { names, values };
}
