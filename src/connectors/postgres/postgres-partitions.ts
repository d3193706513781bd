/**
 * Spark's JDBC partitioning (JDBCRelation.columnPartition), as WHERE clauses: `numPartitions`
 * strides of `upperBound / n - lowerBound / n` (integer division, as Spark's Long arithmetic)
 * from `lowerBound`. The bounds only set the strides, they filter nothing: the first partition
 * is open below (and takes the NULLs), the last is open above. A single partition (n <= 1, or
 * equal bounds) has no WHERE clause. When the range is smaller than n, n becomes the range.
 *
 * @example
 * stridePartitions('"id"', 0n, 100n, 4)
 * // ['"id" < 25 or "id" is null', '"id" >= 25 AND "id" < 50', '"id" >= 50 AND "id" < 75', '"id" >= 75']
 */
export function stridePartitions(column: string, lowerBound: bigint, upperBound: bigint, numPartitions: number): (string | null)[] {
  if (numPartitions <= 1 || lowerBound === upperBound) return [null];
  const range = upperBound - lowerBound;
  const n = range >= BigInt(numPartitions) || range < 0n ? BigInt(numPartitions) : range;
  const stride = upperBound / n - lowerBound / n;
  const out: string[] = [];
  let current = lowerBound;
  for (let i = 0n; i < n; i++) {
    const lo = i !== 0n ? `${column} >= ${current}` : null;
    current += stride;
    const hi = i !== n - 1n ? `${column} < ${current}` : null;
    out.push(hi === null ? lo! : lo === null ? `${hi} or ${column} is null` : `${lo} AND ${hi}`);
  }
  return out;
}
