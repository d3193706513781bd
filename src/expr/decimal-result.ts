import { type DecimalType, MAX_DECIMAL_PRECISION, decimalType } from "../types/data-type.js";

/**
 * Result precision and scale of decimal arithmetic, following Spark's rules with
 * allowPrecisionLoss (the default): when the precision would exceed 38, the scale shrinks
 * but keeps at least 6 digits.
 */
export function decimalResultType(op: string, a: DecimalType, b: DecimalType): DecimalType {
  const p1 = a.precision, s1 = a.scale, p2 = b.precision, s2 = b.scale;
  switch (op) {
    case "+": case "-": {
      const scale = Math.max(s1, s2);
      return bounded(Math.max(p1 - s1, p2 - s2) + scale + 1, scale);
    }
    case "*":
      return bounded(p1 + p2 + 1, s1 + s2);
    case "/": {
      const scale = Math.max(6, s1 + p2 + 1);
      return bounded(p1 - s1 + s2 + scale, scale);
    }
    case "%": case "pmod": {
      const scale = Math.max(s1, s2);
      return bounded(Math.min(p1 - s1, p2 - s2) + scale, scale);
    }
    default:
      return decimalType(Math.max(p1, p2), Math.max(s1, s2));
  }
}

function bounded(precision: number, scale: number): DecimalType {
  if (precision <= MAX_DECIMAL_PRECISION) return decimalType(precision, scale);
  const intDigits = precision - scale;
  const minScale = Math.min(scale, 6);
  const adjusted = Math.max(MAX_DECIMAL_PRECISION - intDigits, minScale);
  return decimalType(MAX_DECIMAL_PRECISION, adjusted);
}
