/** Java's rendering of a double as Spark prints it in text formats: `1.0`, `0.1`, `1.0E20`, `NaN`. */
export function doubleText(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  if (Object.is(v, -0)) return "-0.0";
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e7) {
    const s = String(v);
    return s.includes(".") ? s : s + ".0";
  }
  if (v === 0) return "0.0";
  const [m, e] = v.toExponential().split("e") as [string, string];
  return (m.includes(".") ? m : m + ".0") + "E" + (e.startsWith("+") ? e.slice(1) : e);
}

/** Shortest text that reads back as the same float32 value, Java-style. */
export function floatText(v: number): string {
  if (!Number.isFinite(v) || v === 0) return doubleText(v);
  for (let p = 1; p <= 9; p++) {
    const t = Number(v.toPrecision(p));
    if (Math.fround(t) === v) return doubleText(t);
  }
  return doubleText(v);
}
