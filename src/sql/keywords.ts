/**
 * Which words the parser treats as keywords where a name could also stand. Spark's default
 * (non-ANSI) mode reserves few words; these are the ones that would make a query ambiguous or
 * give confusing errors if read as names. Everything else (`window`, `date`, `key`, `count`,
 * `first`, `year`, ...) is an ordinary identifier unless the grammar asks for the keyword.
 */
export const RESERVED = new Set([
  "ALL", "AND", "ANTI", "AS", "BETWEEN", "BY", "CASE", "CROSS", "DISTINCT", "ELSE", "END", "EXCEPT", "FALSE", "FROM", "FULL",
  "GROUP", "HAVING", "ILIKE", "IN", "INNER", "INTERSECT", "IS", "JOIN", "LATERAL", "LEFT", "LIKE", "LIMIT", "MINUS", "NATURAL",
  "NOT", "NULL", "OFFSET", "ON", "OR", "ORDER", "REGEXP", "RIGHT", "RLIKE", "SELECT", "SEMI", "THEN", "TRUE", "UNION", "USING",
  "WHEN", "WHERE", "WITH",
]);

/** Reserved words that are also Spark function names: `left(s, 2)`, `rlike(s, 'x')`. */
export const CALLABLE_RESERVED = new Set(["LEFT", "RIGHT", "LIKE", "ILIKE", "RLIKE", "REGEXP"]);

/** Words that end a select item or relation rather than name it with an alias (`FROM t SORT BY x`). */
export const NOT_AN_ALIAS = new Set(["SORT", "CLUSTER", "DISTRIBUTE", "WINDOW", "PIVOT", "UNPIVOT", "TABLESAMPLE"]);

/** Interval units accepted in `INTERVAL 1 HOUR 30 MINUTES`, mapped to the spelling parseInterval reads. */
export const INTERVAL_UNITS: Readonly<Record<string, string>> = {
  YEAR: "years", YEARS: "years", MONTH: "months", MONTHS: "months", WEEK: "weeks", WEEKS: "weeks", DAY: "days", DAYS: "days",
  HOUR: "hours", HOURS: "hours", MINUTE: "minutes", MINUTES: "minutes", SECOND: "seconds", SECONDS: "seconds",
  MILLISECOND: "milliseconds", MILLISECONDS: "milliseconds", MICROSECOND: "microseconds", MICROSECONDS: "microseconds",
};

/** Keywords worth suggesting when a word looks like a misspelling of one ("FORM" → FROM). */
const SUGGESTABLE = [
  "SELECT", "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "UNION", "INTERSECT", "EXCEPT", "JOIN", "INNER",
  "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "WITH", "CREATE", "INSERT", "EXPLAIN", "DESCRIBE", "DISTINCT", "BETWEEN",
  "WINDOW", "LATERAL", "VALUES", "CASE", "WHEN", "THEN", "ELSE", "END",
];

/** The keyword `word` most likely misspells (edit distance 1, or a swap of two letters), or undefined. */
export function suggestKeyword(word: string): string | undefined {
  const w = word.toUpperCase();
  if (w.length < 3 || SUGGESTABLE.includes(w)) return undefined;
  return SUGGESTABLE.find((k) => closeEnough(w, k));
}

function closeEnough(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  if (a.length === b.length) {
    const diff: number[] = [];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff.push(i);
    if (diff.length === 1) return true;
    return diff.length === 2 && diff[1] === diff[0]! + 1 && a[diff[0]!] === b[diff[1]!] && a[diff[1]!] === b[diff[0]!];
  }
  const [s, l] = a.length < b.length ? [a, b] : [b, a];
  for (let i = 0; i < l.length; i++) if (l.slice(0, i) + l.slice(i + 1) === s) return true;
  return false;
}
