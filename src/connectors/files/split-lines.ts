/**
 * Splits text into lines as Hadoop's line reader does: by `\n`, `\r\n` or `\r` by default, or
 * by a given separator; a final separator does not start an empty last line.
 */
export function splitLines(text: string, lineSep?: string): string[] {
  if (text.length === 0) return [];
  // Splitting by a literal is much faster than by a pattern: use it when there is no \r at all.
  const sep = lineSep !== undefined && lineSep !== "" ? lineSep : text.includes("\r") ? /\r\n|\r|\n/ : "\n";
  const lines = text.split(sep);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}
