/**
 * Real GPU figures for the simulation (NVIDIA's published specs; model names as NVML reports them): NVML model names, power limits, framebuffer
 * totals as DCGM reports them (MiB), clocks and idle/thermal behaviour.
 */
export interface GpuSpec {
  readonly modelName: string;
  readonly powerLimitW: number;
  readonly idlePowerW: number;
  readonly fbTotalMiB: number;
  readonly fbReservedMiB: number;
  readonly maxSmClockMHz: number;
  readonly idleSmClockMHz: number;
  readonly memClockMHz: number;
  readonly idleTempC: number;
  /** Steady temperature at full load (below the slowdown threshold). */
  readonly loadTempC: number;
  /** GDDR parts report no memory temperature (the exporter skips the series). */
  readonly hbm: boolean;
}

export const GPU_SPECS: Record<string, GpuSpec> = {
  rtx6000: {
    modelName: 'NVIDIA RTX 6000 Ada Generation',
    powerLimitW: 300,
    idlePowerW: 22,
    fbTotalMiB: 49140,
    fbReservedMiB: 481,
    maxSmClockMHz: 2505,
    idleSmClockMHz: 210,
    memClockMHz: 10001,
    idleTempC: 32,
    loadTempC: 80,
    hbm: false,
  },
  a100: {
    modelName: 'NVIDIA A100-SXM4-80GB',
    powerLimitW: 400,
    idlePowerW: 55,
    fbTotalMiB: 81920,
    fbReservedMiB: 559,
    maxSmClockMHz: 1410,
    idleSmClockMHz: 210,
    memClockMHz: 1593,
    idleTempC: 33,
    loadTempC: 78,
    hbm: true,
  },
  h100: {
    modelName: 'NVIDIA H100 PCIe',
    powerLimitW: 350,
    idlePowerW: 47,
    fbTotalMiB: 81559,
    fbReservedMiB: 592,
    maxSmClockMHz: 1755,
    idleSmClockMHz: 345,
    memClockMHz: 1593,
    idleTempC: 31,
    loadTempC: 72,
    hbm: true,
  },
  'h100-sxm': {
    modelName: 'NVIDIA H100 80GB HBM3',
    powerLimitW: 700,
    idlePowerW: 80,
    fbTotalMiB: 81559,
    fbReservedMiB: 592,
    maxSmClockMHz: 1980,
    idleSmClockMHz: 345,
    memClockMHz: 2619,
    idleTempC: 31,
    loadTempC: 78,
    hbm: true,
  },
  h200: {
    modelName: 'NVIDIA H200',
    powerLimitW: 700,
    idlePowerW: 76,
    fbTotalMiB: 143771,
    fbReservedMiB: 651,
    maxSmClockMHz: 1980,
    idleSmClockMHz: 345,
    memClockMHz: 3201,
    idleTempC: 28,
    loadTempC: 74,
    hbm: true,
  },
  b200: {
    modelName: 'NVIDIA B200',
    powerLimitW: 1000,
    idlePowerW: 170,
    fbTotalMiB: 183359,
    fbReservedMiB: 717,
    maxSmClockMHz: 1965,
    idleSmClockMHz: 120,
    memClockMHz: 3996,
    idleTempC: 30,
    loadTempC: 76,
    hbm: true,
  },
  gb200: {
    modelName: 'NVIDIA GB200',
    powerLimitW: 1200,
    idlePowerW: 168,
    fbTotalMiB: 189471,
    fbReservedMiB: 730,
    maxSmClockMHz: 2062,
    idleSmClockMHz: 120,
    memClockMHz: 3996,
    idleTempC: 32,
    loadTempC: 78,
    hbm: true,
  },
};

/** A typical data-centre driver branch for the DCGM_FI_DRIVER_VERSION label. */
export const DRIVER_VERSION = '550.90.07';

/** PCI bus numbers of the eight GPUs of an HGX baseboard, as nvidia-smi lists them. */
export const PCI_BUSES = ['18', '2A', '3A', '5D', '9A', 'AB', 'BA', 'DB'];
