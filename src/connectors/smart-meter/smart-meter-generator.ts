import { type RecordBatch, makeBatch } from "../../batch/record-batch.js";
import { makeVector } from "../../batch/vector.js";
import { BooleanType, DoubleType, IntegerType, StringType, TimestampType, structField, structType } from "../../types/data-type.js";
import { type SmartMeterConfig, TICKS_PER_DAY, TICKS_PER_MINUTE, TICK_MS, totalTicks } from "./smart-meter-config.js";

/**
 * The smart-meter generator: 10-second power readings (watts) of many homes, with appliance
 * cycles embedded in each home's base load. Every value is a function of (seed, home, tick) or
 * (seed, home, day), so any range of ticks can be regenerated, in any order, after a restart.
 *
 * A home has a base load (120–450 W, a daily swing of 10–40 W, noise σ≈25 W per reading), a few
 * kettle spikes a day (2 kW for 2–4 minutes: not cycles), and some of three appliances:
 *
 * | appliance       | profile (phases)                                                        | normal energy | inefficient variant                          |
 * |-----------------|-------------------------------------------------------------------------|---------------|----------------------------------------------|
 * | dishwasher      | prewash 150 W, heat 2 kW, wash 180 W, heat 2 kW (rinse), rinse, dry 40 W | 0.9–1.4 kWh   | too hot (2.2 kW, long heats: 1.8–2.4 kWh); half-empty runs twice a day |
 * | washing_machine | fill, heat 2 kW, wash 220 W, rinses, spins 450/650 W                    | 0.6–0.9 kWh   | too hot (90 °C: 35–45 min heat, 1.6–2.0 kWh); half-empty runs twice a day |
 * | boiler          | one 2.5–3 kW plateau of 60–100 min, at night                            | 2.5–5 kWh     | too long (150–180 min, 6–9 kWh); run at the evening peak (17:00–20:00) |
 *
 * Confounders that are not cycles: kettle spikes and, in 40% of homes, an electric oven on half
 * the evenings (preheat, then the thermostat cycling 1.9 kW on and off for 30–80 minutes).
 * A cycle that would overlap an earlier one of the same home is usually shifted after it; one in
 * ten is left to overlap (two appliances at once: hard to tell apart from the total). Data defects: 1% of readings
 * missing at random plus occasional outages of 5–40 minutes, 0.5% duplicated (re-sent up to 30 s
 * later), 0.3% late by 1–3 minutes and 0.05% by 10–20 minutes, and rare glitches (watts -1 or
 * null). The ground truth of the cycles is `option("table", "truth")`.
 */

export const READINGS_SCHEMA = structType([
  structField("home", IntegerType, false),
  structField("ts", TimestampType, false),
  structField("watts", DoubleType, true),
]);

export const TRUTH_SCHEMA = structType([
  structField("home", IntegerType, false),
  structField("appliance", StringType, false),
  structField("start_ts", TimestampType, false),
  structField("end_ts", TimestampType, false),
  structField("energy_kwh", DoubleType, false),
  structField("peak_w", DoubleType, false),
  structField("inefficient", BooleanType, false),
  structField("reason", StringType, true),
]);

export type Appliance = "dishwasher" | "washing_machine" | "boiler" | "kettle" | "oven";

export interface Cycle {
  readonly home: number;
  readonly appliance: Appliance;
  /** First tick (absolute, from the stream's start) and the tick after the last. */
  start: number;
  end: number;
  /** Pairs (ticks, watts). */
  readonly phases: number[];
  readonly energyKwh: number;
  readonly peakW: number;
  inefficient: boolean;
  reason: string | null;
}

/** The longest delay of a reading, in ticks (late readings and re-sent duplicates). */
export const MAX_DELAY_TICKS = 124;

// ---- hashing and random numbers ----

function mix(a: number): number {
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  a = Math.imul(a ^ (a >>> 13), 0xc2b2ae35);
  return (a ^ (a >>> 16)) >>> 0;
}

export function hash3(seed: number, a: number, b: number): number {
  return mix(mix(mix(seed ^ 0x9e3779b9) ^ a) + b);
}

function rng(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- homes and their daily schedules ----

interface Home {
  readonly base: number;
  readonly swing: number;
  readonly swingPhase: number;
  readonly dishwasher: "none" | "normal" | "frequent";
  readonly dishwasherHot: boolean;
  readonly washer: "none" | "normal" | "frequent";
  readonly washerHot: boolean;
  readonly boiler: boolean;
  readonly boilerWatts: number;
  readonly boilerLong: boolean;
  readonly boilerPeak: boolean;
  readonly outageChance: number;
  readonly oven: boolean;
}

function homeTraits(seed: number, home: number): Home {
  const r = rng(hash3(seed, home, 0x51f15e));
  const pick = (pHas: number, pFrequent: number): "none" | "normal" | "frequent" => {
    const a = r(), b = r();
    return a >= pHas ? "none" : b < pFrequent ? "frequent" : "normal";
  };
  return {
    base: 120 + 330 * r(),
    swing: 10 + 30 * r(),
    swingPhase: r() * 24,
    dishwasher: pick(0.8, 0.1),
    dishwasherHot: r() < 0.15,
    washer: pick(0.95, 0.1),
    washerHot: r() < 0.15,
    boiler: r() < 0.5,
    boilerWatts: 2500 + 500 * r(),
    boilerLong: r() < 0.15,
    boilerPeak: r() < 0.12,
    outageChance: 0.15 * r(),
    oven: r() < 0.4,
  };
}

const ticks = (minutes: number): number => Math.max(1, Math.round(minutes * TICKS_PER_MINUTE));

function makeCycle(home: number, appliance: Appliance, startMinuteAbs: number, phasesMin: readonly (readonly [number, number])[], inefficient: boolean, reason: string | null): Cycle {
  const phases: number[] = [];
  let len = 0, wh = 0, peak = 0;
  for (const [m, w] of phasesMin) {
    const n = ticks(m);
    phases.push(n, w);
    len += n;
    wh += (n * w * TICK_MS) / 3_600_000;
    peak = Math.max(peak, w);
  }
  const start = Math.round(startMinuteAbs * TICKS_PER_MINUTE);
  return { home, appliance, start, end: start + len, phases, energyKwh: wh / 1000, peakW: peak, inefficient, reason };
}

function dishwasherPhases(r: () => number, hot: boolean, halfEmpty: boolean): [number, number][] {
  const heatW = hot ? 2150 + 100 * r() : 1950 + 100 * r();
  const k = halfEmpty ? 0.85 : 1;
  return [
    [6, 150],
    [(hot ? 26 + 6 * r() : 14 + 6 * r()) * k, heatW],
    [25 + 10 * r(), 180],
    [(hot ? 20 + 6 * r() : 10 + 5 * r()) * k, heatW],
    [10, 160],
    [20 + 10 * r(), 40],
  ];
}

function washerPhases(r: () => number, hot: boolean, halfEmpty: boolean): [number, number][] {
  const k = halfEmpty ? 0.8 : 1;
  return [
    [4, 120],
    [(hot ? 35 + 10 * r() : 10 + 6 * r()) * k, 2000 + 200 * r()],
    [40 + 15 * r(), 220],
    [12, 160],
    [5, 450],
    [10, 160],
    [8, 650],
  ];
}

const PEAK_FROM_MIN = 17 * 60, PEAK_TO_MIN = 20 * 60;

/** The cycles (and kettle spikes) of one home on one day, sorted by start, not overlapping. */
export function dayCycles(seed: number, home: number, day: number, traits: Home = homeTraits(seed, home)): Cycle[] {
  if (day < 0) return [];
  const r = rng(hash3(seed, home, 0x100000 + day));
  const dayMin = day * 24 * 60;
  const cycles: Cycle[] = [];
  if (traits.boiler && r() < 0.95) {
    const peak = traits.boilerPeak && r() < 0.8;
    const long = !peak && traits.boilerLong && r() < 0.75;
    const start = peak ? PEAK_FROM_MIN + r() * 150 : 60 + r() * 240;
    const dur = long ? 150 + r() * 30 : 60 + r() * 40;
    cycles.push(makeCycle(home, "boiler", dayMin + start, [[dur, traits.boilerWatts]], peak || long, peak ? "peak-time" : long ? "too-long" : null));
  }
  if (traits.washer !== "none") {
    const frequent = traits.washer === "frequent";
    const runs = frequent ? (r() < 0.9 ? 2 : 1) : r() < 0.45 ? 1 : 0;
    for (let i = 0; i < runs; i++) {
      const start = frequent ? (i === 0 ? 8 * 60 + r() * 120 : 16 * 60 + r() * 150) : 9 * 60 + r() * 420;
      const hot = traits.washerHot && r() < 0.65;
      cycles.push(makeCycle(home, "washing_machine", dayMin + start, washerPhases(r, hot, frequent), hot || frequent, hot ? "too-hot" : frequent ? "half-empty-frequent" : null));
    }
  }
  if (traits.dishwasher !== "none") {
    const frequent = traits.dishwasher === "frequent";
    const runs = frequent ? (r() < 0.9 ? 2 : 1) : r() < 0.75 ? 1 : 0;
    for (let i = 0; i < runs; i++) {
      const start = frequent ? (i === 0 ? 6 * 60 + r() * 90 : 19 * 60 + r() * 150) : 19 * 60 + r() * 180;
      const hot = traits.dishwasherHot && r() < 0.7;
      cycles.push(makeCycle(home, "dishwasher", dayMin + start, dishwasherPhases(r, hot, frequent), hot || frequent, hot ? "too-hot" : frequent ? "half-empty-frequent" : null));
    }
  }
  if (traits.oven && r() < 0.5) {
    // Cooking: preheat, then the thermostat switches the element on and off (not a cycle to find).
    const phases: [number, number][] = [[8 + 4 * r(), 2000]];
    const rounds = 4 + Math.floor(r() * 5);
    for (let i = 0; i < rounds; i++) phases.push([3 + 2 * r(), 60], [3 + 2 * r(), 1900]);
    cycles.push(makeCycle(home, "oven", dayMin + 17 * 60 + r() * 120, phases, false, null));
  }
  cycles.sort((a, b) => a.start - b.start);
  // Shift a cycle that would overlap the previous one to 20–40 minutes after it (in 1 case of
  // 10 it is left to overlap: two appliances running at once).
  for (let i = 1; i < cycles.length; i++) {
    const prev = cycles[i - 1]!, c = cycles[i]!;
    const gap = ticks(20 + 20 * r());
    const overlapOk = r() < 0.1 && c.start >= prev.start + ticks(10);
    if (c.start < prev.end + gap && !overlapOk) {
      const len = c.end - c.start;
      c.start = prev.end + gap;
      c.end = c.start + len;
    }
  }
  for (const c of cycles) {
    if (c.appliance !== "boiler") continue;
    const minuteOfDay = c.start / TICKS_PER_MINUTE - dayMin;
    const peak = minuteOfDay >= PEAK_FROM_MIN && minuteOfDay < PEAK_TO_MIN;
    c.inefficient = peak || c.reason === "too-long";
    c.reason = peak ? "peak-time" : c.reason === "too-long" ? "too-long" : null;
  }
  const kettles = Math.floor(r() * 5);
  for (let i = 0; i < kettles; i++) {
    const k = makeCycle(home, "kettle", dayMin + 6 * 60 + r() * 17 * 60, [[2 + 2 * r(), 2000 + 200 * r()]], false, null);
    const margin = ticks(30);
    if (cycles.every((c) => c.appliance === "kettle" ? k.start >= c.end || k.end <= c.start : k.end + margin <= c.start || k.start >= c.end + margin)) cycles.push(k);
  }
  return cycles;
}

/** Outage of a home on a day: [start, end) ticks, or null. */
function dayOutage(seed: number, home: number, day: number, traits: Home): [number, number] | null {
  const r = rng(hash3(seed, home, 0x200000 + day));
  if (r() >= traits.outageChance) return null;
  const start = day * TICKS_PER_DAY + Math.floor(r() * TICKS_PER_DAY);
  return [start, start + ticks(5 + 35 * r())];
}

// ---- readings ----

class Columns {
  home: Int32Array;
  ts: Float64Array;
  watts: Float64Array;
  nulls: Uint8Array;
  n = 0;
  constructor(capacity: number) {
    this.home = new Int32Array(capacity);
    this.ts = new Float64Array(capacity);
    this.watts = new Float64Array(capacity);
    this.nulls = new Uint8Array(capacity);
  }
  push(home: number, tsMicros: number, watts: number | null): void {
    if (this.n === this.home.length) this.grow();
    const i = this.n++;
    this.home[i] = home;
    this.ts[i] = tsMicros;
    if (watts === null) this.nulls[i] = 1;
    else this.watts[i] = watts;
  }
  private grow(): void {
    const c = this.home.length * 2 + 16;
    const h = new Int32Array(c), t = new Float64Array(c), w = new Float64Array(c), nl = new Uint8Array(c);
    h.set(this.home);
    t.set(this.ts);
    w.set(this.watts);
    nl.set(this.nulls);
    this.home = h;
    this.ts = t;
    this.watts = w;
    this.nulls = nl;
  }
  batches(rowsPerBatch: number): RecordBatch[] {
    const out: RecordBatch[] = [];
    for (let s = 0; s < this.n; s += rowsPerBatch) {
      const e = Math.min(this.n, s + rowsPerBatch), n = e - s;
      out.push(
        makeBatch(
          READINGS_SCHEMA,
          [
            makeVector(IntegerType, n, this.home.slice(s, e), null),
            makeVector(TimestampType, n, this.ts.slice(s, e), null),
            makeVector(DoubleType, n, this.watts.slice(s, e), this.nulls.slice(s, e)),
          ],
          n,
        ),
      );
    }
    return out;
  }
}

const traitCache = new Map<string, Home>();

function traitsOf(seed: number, home: number): Home {
  const key = `${seed}:${home}`;
  let t = traitCache.get(key);
  if (!t) {
    if (traitCache.size > 200_000) traitCache.clear();
    t = homeTraits(seed, home);
    traitCache.set(key, t);
  }
  return t;
}

/**
 * The readings that arrive in ticks [from, to) (the stream's offsets are arrival ticks): those
 * measured then and not delayed, plus late ones and re-sent duplicates measured up to
 * MAX_DELAY_TICKS earlier. A batch read covers arrival ticks [0, total + MAX_DELAY_TICKS).
 */
export function readingsBetween(cfg: SmartMeterConfig, from: number, to: number): RecordBatch[] {
  const total = totalTicks(cfg) ?? Number.MAX_SAFE_INTEGER;
  const seed = cfg.seed;
  const t0 = Math.max(0, from - MAX_DELAY_TICKS), t1 = Math.min(to, total);
  const cols = new Columns(Math.max(16, Math.ceil(cfg.homes * Math.max(0, to - from) * 1.01)));
  if (t1 <= t0) return [];
  const span = t1 - t0;
  const power = new Float64Array(span);
  const firstDay = Math.floor(t0 / TICKS_PER_DAY), lastDay = Math.floor((t1 - 1) / TICKS_PER_DAY);
  const startMicros = cfg.startTimeMs * 1000, tickMicros = TICK_MS * 1000;
  for (let home = 0; home < cfg.homes; home++) {
    const traits = traitsOf(seed, home);
    power.fill(0);
    const outages: [number, number][] = [];
    for (let day = firstDay - 1; day <= lastDay; day++) {
      for (const c of dayCycles(seed, home, day, traits)) {
        if (c.end <= t0 || c.start >= t1) continue;
        let t = c.start;
        for (let p = 0; p < c.phases.length; p += 2) {
          const n = c.phases[p]!, w = c.phases[p + 1]!;
          const a = Math.max(t, t0), b = Math.min(t + n, t1);
          for (let x = a; x < b; x++) power[x - t0] += w;
          t += n;
        }
      }
      const o = day >= firstDay ? dayOutage(seed, home, day, traits) : null;
      if (o) outages.push(o);
    }
    for (let t = t0; t < t1; t++) {
      const h1 = hash3(seed, home, t);
      if (h1 % 100 === 0) continue; // 1% missing
      let out = false;
      for (const [a, b] of outages) if (t >= a && t < b) out = true;
      if (out) continue;
      const h2 = mix(h1 ^ 0x5bd1e995), h3 = mix(h2 + 0x27d4eb2f);
      const u2 = h2 / 4294967296;
      const delay = u2 < 0.003 ? 6 + (h3 % 13) : u2 < 0.0035 ? 60 + (h3 % 61) : 0;
      const arrival = t + delay;
      const dup = (h3 >>> 8) % 200 === 0;
      const arrival2 = arrival + (h3 & 3);
      const emit1 = arrival >= from && arrival < to, emit2 = dup && arrival2 >= from && arrival2 < to;
      if (!emit1 && !emit2) continue;
      const g = (h2 >>> 4) % 5000;
      let watts: number | null;
      if (g === 0) watts = -1;
      else if (g === 1) watts = null;
      else {
        const hour = ((cfg.startTimeMs / 3_600_000 + (t * TICK_MS) / 3_600_000) % 24 + 24) % 24;
        const noise = ((h1 & 0x3ff) + ((h1 >>> 10) & 0x3ff) + ((h1 >>> 20) & 0x3ff)) / 1024 - 1.5; // σ ≈ 0.5
        const p = power[t - t0]!;
        const appliance = p > 0 ? p * (1 + 0.03 * ((h3 & 0xff) / 256 - 0.5)) : 0;
        watts = Math.round((traits.base + traits.swing * Math.sin(((hour - traits.swingPhase) * Math.PI) / 12) + 50 * noise + appliance) * 10) / 10;
      }
      const ts = startMicros + t * tickMicros;
      if (emit1) cols.push(home, ts, watts);
      if (emit2) cols.push(home, ts, watts);
    }
  }
  return cols.batches(cfg.batchRows);
}

/** The ground truth: every appliance cycle (kettles and ovens excluded) starting within the generated days. */
export function truthCycles(cfg: SmartMeterConfig): Cycle[] {
  const total = totalTicks(cfg) ?? 0;
  const days = Math.ceil(total / TICKS_PER_DAY);
  const out: Cycle[] = [];
  for (let home = 0; home < cfg.homes; home++) {
    const traits = traitsOf(cfg.seed, home);
    for (let day = 0; day < days; day++) for (const c of dayCycles(cfg.seed, home, day, traits)) if (c.appliance !== "kettle" && c.appliance !== "oven" && c.start < total) out.push(c);
  }
  return out;
}

export function truthBatch(cfg: SmartMeterConfig): RecordBatch {
  const cycles = truthCycles(cfg);
  const n = cycles.length;
  const home = new Int32Array(n), start = new Float64Array(n), end = new Float64Array(n), energy = new Float64Array(n), peak = new Float64Array(n), ineff = new Uint8Array(n);
  const appliance: unknown[] = [], reason: unknown[] = [];
  const reasonNulls = new Uint8Array(n);
  const tickMicros = TICK_MS * 1000;
  cycles.forEach((c, i) => {
    home[i] = c.home;
    appliance.push(c.appliance);
    start[i] = cfg.startTimeMs * 1000 + c.start * tickMicros;
    end[i] = cfg.startTimeMs * 1000 + c.end * tickMicros;
    energy[i] = Math.round(c.energyKwh * 1000) / 1000;
    peak[i] = c.peakW;
    ineff[i] = c.inefficient ? 1 : 0;
    reason.push(c.reason);
    if (c.reason === null) reasonNulls[i] = 1;
  });
  return makeBatch(
    TRUTH_SCHEMA,
    [
      makeVector(IntegerType, n, home, null),
      makeVector(StringType, n, appliance, null),
      makeVector(TimestampType, n, start, null),
      makeVector(TimestampType, n, end, null),
      makeVector(DoubleType, n, energy, null),
      makeVector(DoubleType, n, peak, null),
      makeVector(BooleanType, n, ineff, null),
      makeVector(StringType, n, reason, reasonNulls),
    ],
    n,
  );
}
