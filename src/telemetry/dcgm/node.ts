import { type Metric, Registry } from 'prom-client';
import seedrandom from 'seedrandom';
import { stableKey } from '../../generation/hash.js';
import { type GpuState, idleState, stepGpu } from './gpu-model.js';
import { DRIVER_VERSION, type GpuSpec, PCI_BUSES } from './gpu-specs.js';

type Kind = 'gauge' | 'counter';
/**
 * dcgm-exporter writes integers with %d and doubles with %f. prom-client renders numbers in their
 * shortest form (612.344 rather than 612.344000): the same value to every parser. Doubles keep six
 * decimals of precision as %f does.
 */
const int = (v: number): number => Math.round(v);
const dbl = (v: number): number => Number(v.toFixed(6));

interface Field {
  readonly name: string;
  readonly type: Kind;
  readonly help: string;
  readonly value: (g: GpuState, spec: GpuSpec, i: number) => number | null;
  readonly extra?: Record<string, string>;
}

/**
 * dcgm-exporter's default field set (dcgm-exporter `etc/default-counters.csv`, in CSV order) plus the two fields AIPerf reads that the
 * stock CSV leaves commented out (DCGM_FI_PROF_SM_ACTIVE, DCGM_FI_DEV_POWER_VIOLATION), marked in the docs.
 */
const FIELDS: readonly Field[] = [
  {
    name: 'DCGM_FI_DEV_SM_CLOCK',
    type: 'gauge',
    help: 'SM clock frequency (in MHz).',
    value: (g) => int(g.smClockMHz),
  },
  {
    name: 'DCGM_FI_DEV_MEM_CLOCK',
    type: 'gauge',
    help: 'Memory clock frequency (in MHz).',
    value: (_g, s) => int(s.memClockMHz),
  },
  {
    name: 'DCGM_FI_DEV_MEMORY_TEMP',
    type: 'gauge',
    help: 'Memory temperature (in C).',
    value: (g, s) => (s.hbm ? int(g.tempC + 4) : null),
  },
  { name: 'DCGM_FI_DEV_GPU_TEMP', type: 'gauge', help: 'GPU temperature (in C).', value: (g) => int(g.tempC) },
  { name: 'DCGM_FI_DEV_POWER_USAGE', type: 'gauge', help: 'Power draw (in W).', value: (g) => dbl(g.powerW) },
  {
    name: 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION',
    type: 'counter',
    help: 'Total energy consumption since boot (in mJ).',
    value: (g) => int(Math.floor(g.energyMJ)),
  },
  { name: 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER', type: 'counter', help: 'Total number of PCIe retries.', value: () => 0 },
  { name: 'DCGM_FI_DEV_GPU_UTIL', type: 'gauge', help: 'GPU utilization (in %).', value: (g) => int(g.util * 100) },
  {
    name: 'DCGM_FI_DEV_MEM_COPY_UTIL',
    type: 'gauge',
    help: 'Memory utilization (in %).',
    value: (g) => int(g.util * 55),
  },
  { name: 'DCGM_FI_DEV_ENC_UTIL', type: 'gauge', help: 'Encoder utilization (in %).', value: () => 0 },
  { name: 'DCGM_FI_DEV_DEC_UTIL', type: 'gauge', help: 'Decoder utilization (in %).', value: () => 0 },
  {
    name: 'DCGM_FI_DEV_XID_ERRORS',
    type: 'gauge',
    help: 'Value of the last XID error encountered.',
    value: () => 0,
    extra: { err_code: '0', err_msg: 'No Error' },
  },
  {
    name: 'DCGM_FI_DEV_FB_FREE',
    type: 'gauge',
    help: 'Framebuffer memory free (in MiB).',
    value: (g, s) => int(s.fbTotalMiB - s.fbReservedMiB - g.fbUsedMiB),
  },
  {
    name: 'DCGM_FI_DEV_FB_USED',
    type: 'gauge',
    help: 'Framebuffer memory used (in MiB).',
    value: (g) => int(g.fbUsedMiB),
  },
  {
    name: 'DCGM_FI_DEV_FB_RESERVED',
    type: 'gauge',
    help: 'Framebuffer memory reserved (in MiB).',
    value: (_g, s) => int(s.fbReservedMiB),
  },
  {
    name: 'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL',
    type: 'counter',
    help: 'Total number of NVLink bandwidth counters for all lanes.',
    value: (g) => int(Math.floor(g.energyMJ / 7)),
  },
  { name: 'DCGM_FI_DEV_VGPU_LICENSE_STATUS', type: 'gauge', help: 'vGPU License status', value: () => 0 },
  {
    name: 'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS',
    type: 'counter',
    help: 'Number of remapped rows for uncorrectable errors',
    value: () => 0,
  },
  {
    name: 'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS',
    type: 'counter',
    help: 'Number of remapped rows for correctable errors',
    value: () => 0,
  },
  {
    name: 'DCGM_FI_DEV_ROW_REMAP_FAILURE',
    type: 'gauge',
    help: 'Whether remapping of rows has failed',
    value: () => 0,
  },
  {
    name: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
    type: 'gauge',
    help: 'Ratio of time the graphics engine is active.',
    value: (g) => dbl(g.util * 0.97),
  },
  {
    name: 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE',
    type: 'gauge',
    help: 'Ratio of cycles the tensor (HMMA) pipe is active.',
    value: (g) => dbl(g.util * 0.42),
  },
  {
    name: 'DCGM_FI_PROF_DRAM_ACTIVE',
    type: 'gauge',
    help: 'Ratio of cycles the device memory interface is active sending or receiving data.',
    value: (g) => dbl(g.util * 0.58),
  },
  {
    name: 'DCGM_FI_PROF_PCIE_TX_BYTES',
    type: 'gauge',
    help: 'The rate of data transmitted over the PCIe bus - including both protocol headers and data payloads - in bytes per second.',
    value: (g) => dbl(2.0e6 + g.util * 3.1e8),
  },
  {
    name: 'DCGM_FI_PROF_PCIE_RX_BYTES',
    type: 'gauge',
    help: 'The rate of data received over the PCIe bus - including both protocol headers and data payloads - in bytes per second.',
    value: (g) => dbl(3.5e6 + g.util * 4.4e8),
  },
  // Not in the stock CSV; AIPerf reads them (SM utilisation, power violation), so this exporter enables them.
  {
    name: 'DCGM_FI_PROF_SM_ACTIVE',
    type: 'gauge',
    help: 'The ratio of cycles an SM has at least 1 warp assigned.',
    value: (g) => dbl(g.util * 0.9),
  },
  {
    name: 'DCGM_FI_DEV_POWER_VIOLATION',
    type: 'counter',
    help: 'Throttling duration due to power constraints (in ns).',
    value: (g) => int(Math.floor(g.powerViolationNs)),
  },
];

export interface NodeOptions {
  readonly spec: GpuSpec;
  readonly numGpus: number;
  readonly hostname: string;
  /** Undefined: a fresh random sequence per run. */
  readonly seed: number | undefined;
  /** 1 or 2: node 2 derives its seed from node 1's (seed + 1). */
  readonly node: number;
}

function uuid(hex: string): string {
  return `GPU-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * One simulated dcgm-exporter: N GPUs whose state advances at every scrape by the real time elapsed,
 * towards the server's current load. Label set and order as the exporter's render template.
 */
export class DcgmNode {
  readonly registry = new Registry();
  private readonly gpus: GpuState[];
  private readonly labels: Record<string, string>[];
  private readonly rng: () => number;
  private readonly gpuBias: number[];
  private last: number | undefined;

  constructor(private readonly opts: NodeOptions) {
    const seed = opts.seed === undefined ? undefined : String(opts.seed + opts.node - 1);
    this.rng = seed === undefined ? seedrandom.alea(`${Math.random()}`) : seedrandom.alea(seed);
    this.gpus = Array.from({ length: opts.numGpus }, () => idleState(opts.spec));
    this.gpuBias = this.gpus.map(() => 0.94 + 0.06 * this.rng());
    this.labels = this.gpus.map((_, i) => ({
      gpu: String(i),
      UUID: uuid(stableKey(opts.hostname, String(opts.seed ?? 'unseeded'), String(opts.node), String(i))),
      pci_bus_id: `00000000:${PCI_BUSES[i] ?? '18'}:00.0`,
      device: `nvidia${i}`,
      modelName: opts.spec.modelName,
      Hostname: opts.hostname,
      DCGM_FI_DRIVER_VERSION: DRIVER_VERSION,
    }));
    for (const field of FIELDS) {
      // GDDR parts have no memory temperature: the exporter skips the field.
      if (field.name === 'DCGM_FI_DEV_MEMORY_TEMP' && !opts.spec.hbm) continue;
      this.registry.registerMetric(this.metric(field));
    }
  }

  /** Moves every GPU to `nowMs` under `load` (0–1). Called once per scrape. */
  advance(nowMs: number, load: number): void {
    const dtSec = this.last === undefined ? 0 : Math.max(0, (nowMs - this.last) / 1000);
    this.last = nowMs;
    this.gpus.forEach((g, i) => {
      this.gpus[i] = stepGpu(g, this.opts.spec, load * this.gpuBias[i]!, dtSec, this.rng() * 2 - 1);
    });
  }

  private metric(field: Field): Metric {
    return {
      name: field.name,
      help: field.help,
      type: field.type,
      get: () => {
        const values: { labels: Record<string, string>; value: number }[] = [];
        this.gpus.forEach((g, i) => {
          const v = field.value(g, this.opts.spec, i);
          if (v !== null) values.push({ labels: { ...this.labels[i]!, ...field.extra }, value: v });
        });
        return { name: field.name, help: field.help, type: field.type, values };
      },
    } as unknown as Metric;
  }
}
