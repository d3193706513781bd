/**
 * Splits text into lines as Hadoop's line reader does: by `\n`, `\r\n` or `\r` by default, or
 * by a given separator; a final separator does not start an empty last line.
 */
export function splitLines(text: string, lineSep?: string): string[] {
  if (text.length === 0) return [];
  const lines = lineSep !== undefined && lineSep !== "" ? text.split(lineSep) : text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}
