import * as fs from "node:fs";
import * as path from "node:path";
import { committedSinkFiles } from "../../checkpoint/file-sink-log.js";
import { FileFormatError } from "../../errors/errors.js";
import type { FileInfo } from "./file-info.js";
import { FileOptions } from "./file-options.js";
import { globRoot, globToRegExp, hasGlob } from "./glob.js";

/** The files a load names, and the roots partition discovery measures their directories from. */
export interface ListedFiles {
  readonly files: readonly FileInfo[];
  /** Per file (same index), the directory its partition directories are relative to. */
  readonly basePaths: readonly string[];
}

/** `file:/x`, `file:///x` and relative paths → an absolute local path. */
export function toLocalPath(p: string): string {
  const stripped = p.replace(/^file:(\/\/)?/, "");
  return path.resolve(stripped);
}

/** Spark's hidden-file rule: names starting with `.`, or with `_` unless they hold a `=`. */
export function isHiddenName(name: string): boolean {
  return name.startsWith(".") || (name.startsWith("_") && !name.includes("=")) || name.endsWith("._COPYING_");
}

/**
 * Lists the data files under `paths`: a file, a directory (walked recursively, hidden names
 * skipped) or a glob. Throws PATH_NOT_FOUND for a path (or glob) that matches nothing.
 *
 * This is the one place a load turns paths into files. A directory holding a streaming file
 * sink's manifest (`_sluice_metadata/`) lists exactly the files the manifest committed, so
 * readers never see files of a batch that crashed before it committed.
 */
export function listDataFiles(paths: readonly string[], options: Readonly<Record<string, string>>): ListedFiles {
  const opts = new FileOptions(options);
  const nameFilter = opts.get("pathGlobFilter");
  const nameRe = nameFilter !== undefined ? globToRegExp(nameFilter) : null;
  const basePathOpt = opts.get("basePath");
  const files: FileInfo[] = [];
  const basePaths: string[] = [];
  const seen = new Set<string>();
  const add = (p: string, st: fs.Stats, base: string): void => {
    if (seen.has(p)) return;
    if (nameRe !== null && !nameRe.test(path.basename(p))) return;
    seen.add(p);
    files.push({ path: p, size: st.size, modificationTime: st.mtimeMs });
    basePaths.push(basePathOpt !== undefined ? toLocalPath(basePathOpt) : base);
  };
  for (const raw of paths) {
    const abs = toLocalPath(raw);
    const roots = hasGlob(raw) ? expandGlob(abs) : fs.existsSync(abs) ? [abs] : [];
    if (roots.length === 0) throw new FileFormatError("PATH_NOT_FOUND", `[PATH_NOT_FOUND] Path does not exist: file:${abs}.`);
    for (const root of roots) {
      const st = fs.statSync(root);
      // The output directory of a streaming file sink: only the files its manifest committed.
      const committed = st.isDirectory() && !hasGlob(raw) ? committedSinkFiles(root) : null;
      if (committed !== null) {
        for (const f of committed) if (fs.existsSync(f)) add(f, fs.statSync(f), root);
      } else if (st.isDirectory()) walk(root, (p, s) => add(p, s, root));
      else add(root, st, path.dirname(root));
    }
  }
  return { files, basePaths };
}

function walk(dir: string, onFile: (p: string, st: fs.Stats) => void): void {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (isHiddenName(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, onFile);
    else if (e.isFile() || e.isSymbolicLink()) {
      const st = fs.statSync(p);
      if (st.isDirectory()) walk(p, onFile);
      else onFile(p, st);
    }
  }
}

/** Files and directories whose whole path matches an absolute glob. */
function expandGlob(absGlob: string): string[] {
  const re = globToRegExp(absGlob);
  const root = globRoot(absGlob);
  const depth = absGlob.includes("{") ? Number.POSITIVE_INFINITY : absGlob.split("/").length;
  const out: string[] = [];
  const visit = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (re.test(p)) {
        if (!isHiddenName(e.name)) out.push(p);
      } else if (e.isDirectory() && p.split("/").length < depth) visit(p);
    }
  };
  if (fs.existsSync(root)) visit(root);
  return out;
}
