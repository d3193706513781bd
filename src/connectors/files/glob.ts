/**
 * Hadoop-style globs as Spark accepts in load paths: `*` and `?` within one path segment,
 * `[abc]`, `[a-z]`, `[^a]` classes and `{x,y}` alternatives (which may contain `/`).
 */
export function hasGlob(path: string): boolean {
  return /[*?[{]/.test(path);
}

/** A regular expression matching whole paths against `glob`. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    switch (c) {
      case "*": re += "[^/]*"; break;
      case "?": re += "[^/]"; break;
      case "[": {
        const end = glob.indexOf("]", i + 1);
        if (end < 0) { re += "\\["; break; }
        let body = glob.slice(i + 1, end);
        if (body.startsWith("^") || body.startsWith("!")) body = "^" + body.slice(1);
        re += "[" + body.replace(/\\/g, "\\\\") + "]";
        i = end;
        break;
      }
      case "{": re += "(?:"; depth++; break;
      case "}": if (depth > 0) { re += ")"; depth--; } else re += "\\}"; break;
      case ",": re += depth > 0 ? "|" : ","; break;
      case "\\": re += "\\" + (glob[++i] ?? "\\"); break;
      default: re += /[.+^$()|]/.test(c) ? "\\" + c : c;
    }
  }
  return new RegExp("^" + re + "$");
}

/** The leading part of `glob` that has no glob characters, cut at a `/` (where to start walking). */
export function globRoot(glob: string): string {
  const first = glob.search(/[*?[{]/);
  if (first < 0) return glob;
  const slash = glob.lastIndexOf("/", first);
  return slash <= 0 ? (glob.startsWith("/") ? "/" : ".") : glob.slice(0, slash);
}
