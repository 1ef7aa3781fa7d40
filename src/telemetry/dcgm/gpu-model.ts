import { type GpuSpec } from './gpu-specs.js';

/** One simulated GPU's physical state. Counters (energy, violation time) only ever grow. */
export interface GpuState {
  /** Smoothed busy fraction, 0–1. */
  util: number;
  powerW: number;
  tempC: number;
  smClockMHz: number;
  fbUsedMiB: number;
  /** Total energy since "boot", millijoules (DCGM's unit). */
  energyMJ: number;
  /** Time spent power-capped, nanoseconds (DCGM's unit). */
  powerViolationNs: number;
}

export function idleState(spec: GpuSpec): GpuState {
  return {
    util: 0,
    powerW: spec.idlePowerW,
    tempC: spec.idleTempC,
    smClockMHz: spec.idleSmClockMHz,
    fbUsedMiB: Math.round(spec.fbTotalMiB * 0.55),
    energyMJ: 0,
    powerViolationNs: 0,
  };
}

const UTIL_TAU_S = 0.4;
const THERMAL_TAU_S = 8;

const approach = (from: number, to: number, dtSec: number, tau: number): number =>
  from + (to - from) * (1 - Math.exp(-dtSec / tau));

/**
 * Advances one GPU by dtSec towards the given load (0–1). Pure: the same inputs give the same state.
 * Utilisation follows the load within ~1 s, temperature lags behind power (τ = 8 s), power and clocks
 * stay inside the part's limits, energy integrates power over time. `noise` is a draw in [-1, 1).
 */
export function stepGpu(prev: GpuState, spec: GpuSpec, load: number, dtSec: number, noise: number): GpuState {
  const target = Math.min(1, Math.max(0, load));
  const util = approach(prev.util, target, dtSec, UTIL_TAU_S);
  const busy = util > 0.01;
  const capPower = spec.powerLimitW * 0.95;
  const rawPower = spec.idlePowerW + (capPower - spec.idlePowerW) * Math.pow(util, 0.85);
  const powerW = Math.min(spec.powerLimitW, Math.max(spec.idlePowerW * 0.9, rawPower * (1 + 0.01 * noise)));
  const heat = (powerW - spec.idlePowerW) / (spec.powerLimitW - spec.idlePowerW);
  const tempC = approach(
    prev.tempC,
    spec.idleTempC + (spec.loadTempC - spec.idleTempC) * Math.max(0, heat),
    dtSec,
    THERMAL_TAU_S,
  );
  const smClockMHz = busy
    ? Math.round(
        spec.maxSmClockMHz - (spec.maxSmClockMHz - spec.idleSmClockMHz) * 0.1 * (1 - util) - 15 * Math.max(0, noise),
      )
    : spec.idleSmClockMHz;
  const fbUsedMiB = Math.round(spec.fbTotalMiB * (0.55 + 0.35 * util));
  const capped = powerW >= spec.powerLimitW * 0.98 ? dtSec * 1e9 * 0.2 : 0;
  return {
    util,
    powerW,
    tempC,
    smClockMHz,
    fbUsedMiB,
    energyMJ: prev.energyMJ + powerW * dtSec * 1000,
    powerViolationNs: prev.powerViolationNs + capped,
  };
}
