/** Marks a DataFrame for broadcasting in a join, as `F.broadcast(df)` does in PySpark. */
export function broadcast<T extends { hint(name: "broadcast"): T }>(df: T): T {
  return df.hint("broadcast");
}
