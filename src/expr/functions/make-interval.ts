import { ExecutionError } from "../../errors/errors.js";
import { CalendarIntervalType, IntegerType, decimalType } from "../../types/data-type.js";
import { MICROS_PER_HOUR, MICROS_PER_MINUTE, interval } from "../../types/interval.js";
import type { Long } from "../../types/long.js";
import type { ScalarFunctionDef } from "../function-def.js";
import { registerFunctions } from "../function-registry.js";
import { rescale } from "./decimal-util.js";
import { fn, row } from "./define.js";

const INT_MIN = -(2 ** 31), INT_MAX = 2 ** 31 - 1;

/**
 * make_interval([years[, months[, weeks[, days[, hours[, mins[, secs]]]]]]]): a calendar interval
 * (months = years·12 + months, days = weeks·7 + days, microseconds from the time fields; secs is
 * DECIMAL(18, 6)). An overflowing month or day count is null, or an error with ANSI mode on.
 */
const makeInterval = makeIntervalDef("make_interval", false);
/** try_make_interval: null instead of an overflow error, whatever the ANSI setting. */
const tryMakeInterval = makeIntervalDef("try_make_interval", true);

function makeIntervalDef(name: string, tolerant: boolean): ScalarFunctionDef {
  return fn({
    name,
    args: [IntegerType, IntegerType, IntegerType, IntegerType, IntegerType, IntegerType, decimalType(18, 6)],
    optional: 7,
    result: CalendarIntervalType,
    doc: `${name}([years[, months[, weeks[, days[, hours[, mins[, secs]]]]]]]) - A calendar interval from its fields.`,
    impl: (sig, ctx) => {
      // secs in microseconds: its unscaled value rescaled from its own scale (a narrower decimal is not widened by the cast).
      const st = sig.argTypes[6];
      const secScale = st?.kind === "decimal" ? st.scale : 0;
      return row((y = 0, mo = 0, w = 0, d = 0, h = 0, mi = 0, secs: Long = 0) => {
        const months = y * 12 + mo, days = w * 7 + d;
        const micros = h * MICROS_PER_HOUR + mi * MICROS_PER_MINUTE + Number(rescale(BigInt(secs), secScale, 6));
        if (months < INT_MIN || months > INT_MAX || days < INT_MIN || days > INT_MAX || !Number.isSafeInteger(micros)) {
          if (ctx.ansi && !tolerant) throw new ExecutionError("ARITHMETIC_OVERFLOW", "[ARITHMETIC_OVERFLOW] make_interval: integer overflow. If necessary set \"sluice.sql.ansi.enabled\" to \"false\" to bypass this error.");
          return null;
        }
        return interval(months, days, micros);
      });
    },
  });
}

export const MAKE_INTERVAL_FUNCTIONS: readonly ScalarFunctionDef[] = [makeInterval, tryMakeInterval];

registerFunctions(MAKE_INTERVAL_FUNCTIONS);
