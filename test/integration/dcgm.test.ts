import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { describe, it } from 'node:test';
import { promtoolCheck, scrape, total } from '../support/prometheus.js';
import { postJson, startServer } from '../support/server.js';

/** dcgm-exporter's default fields (dcgm-exporter `etc/default-counters.csv`) with their types, plus the two AIPerf reads that we enable. */
const FIELDS: Record<string, 'GAUGE' | 'COUNTER'> = {
  DCGM_FI_DEV_SM_CLOCK: 'GAUGE',
  DCGM_FI_DEV_MEM_CLOCK: 'GAUGE',
  DCGM_FI_DEV_MEMORY_TEMP: 'GAUGE',
  DCGM_FI_DEV_GPU_TEMP: 'GAUGE',
  DCGM_FI_DEV_POWER_USAGE: 'GAUGE',
  DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION: 'COUNTER',
  DCGM_FI_DEV_PCIE_REPLAY_COUNTER: 'COUNTER',
  DCGM_FI_DEV_GPU_UTIL: 'GAUGE',
  DCGM_FI_DEV_MEM_COPY_UTIL: 'GAUGE',
  DCGM_FI_DEV_ENC_UTIL: 'GAUGE',
  DCGM_FI_DEV_DEC_UTIL: 'GAUGE',
  DCGM_FI_DEV_XID_ERRORS: 'GAUGE',
  DCGM_FI_DEV_FB_FREE: 'GAUGE',
  DCGM_FI_DEV_FB_USED: 'GAUGE',
  DCGM_FI_DEV_FB_RESERVED: 'GAUGE',
  DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL: 'COUNTER',
  DCGM_FI_DEV_VGPU_LICENSE_STATUS: 'GAUGE',
  DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS: 'COUNTER',
  DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS: 'COUNTER',
  DCGM_FI_DEV_ROW_REMAP_FAILURE: 'GAUGE',
  DCGM_FI_PROF_GR_ENGINE_ACTIVE: 'GAUGE',
  DCGM_FI_PROF_PIPE_TENSOR_ACTIVE: 'GAUGE',
  DCGM_FI_PROF_DRAM_ACTIVE: 'GAUGE',
  DCGM_FI_PROF_PCIE_TX_BYTES: 'GAUGE',
  DCGM_FI_PROF_PCIE_RX_BYTES: 'GAUGE',
  DCGM_FI_PROF_SM_ACTIVE: 'GAUGE',
  DCGM_FI_DEV_POWER_VIOLATION: 'COUNTER',
};
const LABEL_ORDER = ['gpu', 'UUID', 'pci_bus_id', 'device', 'modelName', 'Hostname', 'DCGM_FI_DRIVER_VERSION'];

/** Real specs (NVIDIA's specs, NVML names): NVML name, power limit, FB total (MiB), memory clock. */
const SPECS: Record<string, [string, number, number, number]> = {
  h200: ['NVIDIA H200', 700, 143771, 3201],
  b200: ['NVIDIA B200', 1000, 183359, 3996],
  'h100-sxm': ['NVIDIA H100 80GB HBM3', 700, 81559, 2619],
  a100: ['NVIDIA A100-SXM4-80GB', 400, 81920, 1593],
  rtx6000: ['NVIDIA RTX 6000 Ada Generation', 300, 49140, 10001],
};

const listenOn = (port: number): Promise<Server | null> =>
  new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(null));
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });

/** A port P such that P and P + 1 are both free right now. */
async function twoFreePorts(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await listenOn(0);
    const port = (first!.address() as { port: number }).port;
    const second = await listenOn(port + 1);
    await new Promise((r) => first!.close(r));
    if (second) {
      await new Promise((r) => second.close(r));
      return port;
    }
  }
  throw new Error('no two consecutive free ports');
}

const value = (families: Awaited<ReturnType<typeof scrape>>['families'], name: string, gpu: string): number =>
  total(families, name, 'value', { gpu });

describe('simulated DCGM', () => {
  for (const [gpu, [modelName, limitW, fbMiB, memClock]] of Object.entries(SPECS)) {
    it(`${gpu}: default field set, real types, labels in the exporter's order, real specs`, async (t) => {
      const server = await startServer([
        '--fast',
        '--dcgm-gpu-name',
        gpu,
        '--dcgm-num-gpus',
        '3',
        '--dcgm-hostname',
        'node-a',
      ]);
      try {
        for (const path of ['/dcgm1/metrics', '/dcgm2/metrics']) {
          const { text, families } = await scrape(server.url + path);
          const expected = Object.entries(FIELDS).filter(
            ([n]) => !(gpu === 'rtx6000' && n === 'DCGM_FI_DEV_MEMORY_TEMP'),
          );
          assert.deepEqual(
            families.map((f) => f.name).sort(),
            expected.map(([n]) => n).sort(),
            `${gpu} ${path} field set`,
          );
          for (const [name, type] of expected) {
            const fam = families.find((f) => f.name === name)!;
            assert.equal(fam.type, type, name);
            assert.equal(fam.metrics.length, 3, `${name}: one series per GPU`);
          }
          const first = text.split('\n').find((l) => l.startsWith('DCGM_FI_DEV_GPU_UTIL{'))!;
          const names = [...first.matchAll(/([A-Za-z_]+)="/g)].map((m) => m[1]);
          assert.deepEqual(names, LABEL_ORDER);
          assert.match(
            text,
            /DCGM_FI_DEV_XID_ERRORS\{[^}]*DCGM_FI_DRIVER_VERSION="[^"]+",err_code="0",err_msg="No Error"\} 0/,
          );
          const util = families.find((f) => f.name === 'DCGM_FI_DEV_GPU_UTIL')!;
          for (const m of util.metrics) {
            assert.equal(m.labels['modelName'], modelName);
            assert.equal(m.labels['Hostname'], 'node-a');
            assert.match(m.labels['UUID']!, /^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
            assert.match(m.labels['pci_bus_id']!, /^00000000:[0-9A-F]{2}:00\.0$/);
            assert.equal(m.labels['device'], `nvidia${m.labels['gpu']}`);
            const g = m.labels['gpu']!;
            const fb =
              value(families, 'DCGM_FI_DEV_FB_USED', g) +
              value(families, 'DCGM_FI_DEV_FB_FREE', g) +
              value(families, 'DCGM_FI_DEV_FB_RESERVED', g);
            assert.equal(fb, fbMiB, 'used + free + reserved = the real total');
            assert.equal(value(families, 'DCGM_FI_DEV_MEM_CLOCK', g), memClock);
            const power = value(families, 'DCGM_FI_DEV_POWER_USAGE', g);
            assert.ok(power > 0 && power <= limitW, `power ${power} W within ${limitW} W`);
            assert.ok(value(families, 'DCGM_FI_DEV_GPU_UTIL', g) <= 5, 'idle with no traffic');
          }
          promtoolCheck(text, path, t);
        }
        const a = (await scrape(`${server.url}/dcgm1/metrics`)).families;
        const b = (await scrape(`${server.url}/dcgm2/metrics`)).families;
        const uuids = (f: typeof a) =>
          f.find((x) => x.name === 'DCGM_FI_DEV_GPU_UTIL')!.metrics.map((m) => m.labels['UUID']);
        assert.notDeepEqual(uuids(a), uuids(b), 'two nodes, two sets of GPUs');
      } finally {
        await server.stop();
      }
    });
  }

  it('load follows the whole server throughput (2 workers), decays when traffic stops; energy only grows', async () => {
    // The floor is far above what this load reaches, so the load is throughput ÷ floor, not relative to a
    // peak that one worker's tokens alone would also reach: counting one worker of two halves it.
    const floor = 20_000;
    const server = await startServer([
      '--workers',
      '2',
      '--ttft',
      '1',
      '--itl',
      '1',
      '--dcgm-window-sec',
      '0.5',
      '--dcgm-min-throughput',
      String(floor),
    ]);
    try {
      const readings: { util: number; power: number; energy: number }[] = [];
      const read = async (): Promise<void> => {
        const { families } = await scrape(`${server.url}/dcgm1/metrics`);
        readings.push({
          util: value(families, 'DCGM_FI_DEV_GPU_UTIL', '0'),
          power: value(families, 'DCGM_FI_DEV_POWER_USAGE', '0'),
          energy: value(families, 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', '0'),
        });
      };
      const health = async () =>
        (await (await fetch(`${server.url}/health`)).json()) as {
          telemetry: { tokensByWorker: Record<string, number> };
        };
      await read();
      const idle = readings[0]!;
      let running = true;
      let delivered = 0; // tokens the client received (each stream is exactly 40)
      const load = (async () => {
        while (running) {
          await Promise.all(
            Array.from({ length: 8 }, () =>
              postJson(
                `${server.url}/v1/chat/completions`,
                {
                  model: 'm',
                  messages: [{ role: 'user', content: 'busy' }],
                  max_tokens: 40,
                  ignore_eos: true,
                  stream: true,
                },
                { connection: 'close' },
              ).then(async (r) => {
                if ((await r.text()).endsWith('data: [DONE]\n\n')) delivered += 40;
              }),
            ),
          );
        }
      })();
      // Utilisation against the token rate the client received, once the GPUs have followed (τ 0.4 s).
      await new Promise((r) => setTimeout(r, 1500));
      const t0 = performance.now();
      const d0 = delivered;
      const utils: number[] = [];
      for (let i = 0; i < 8; i++) {
        await new Promise((r) => setTimeout(r, 150));
        await read();
        utils.push(readings.at(-1)!.util);
      }
      const clientRate = ((delivered - d0) * 1000) / (performance.now() - t0);
      const ratios = utils.map((u) => u / ((100 * clientRate) / floor));
      const busy = readings.at(-1)!;
      const byWorker = Object.values((await health()).telemetry.tokensByWorker);
      running = false;
      await load;
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 200));
        await read();
      }
      const after = readings.at(-1)!;
      const total = byWorker.reduce((a, b) => a + b, 0);
      assert.equal(byWorker.length, 2);
      assert.ok(Math.min(...byWorker) >= 0.25 * total, `tokens per worker ${byWorker}: both must carry the load`);
      ratios.sort((a, b) => a - b);
      const median = ratios[Math.floor(ratios.length / 2)]!;
      assert.ok(
        median > 0.7 && median < 1.35,
        `utilisation ÷ (client-received ${clientRate.toFixed(0)} tokens/s ÷ floor): ${ratios.map((r) => r.toFixed(2))}`,
      );
      assert.ok(busy.util >= 5, `utilisation under load: ${busy.util} %`);
      assert.ok(busy.power > idle.power + 10, `power rose from ${idle.power} to ${busy.power} W`);
      assert.ok(after.util <= 2, `utilisation after the load: ${after.util} %`);
      assert.ok(after.power < busy.power, `power fell back to ${after.power} W`);
      for (let i = 1; i < readings.length; i++)
        assert.ok(readings[i]!.energy >= readings[i - 1]!.energy, 'energy is monotonic');
      assert.ok(after.energy > idle.energy);
    } finally {
      await server.stop();
    }
  });

  it('same seed, same pages; another seed, other pages', async () => {
    const pages = async (seed: string): Promise<string[]> => {
      const server = await startServer(['--fast', '--dcgm-seed', seed]);
      try {
        const out: string[] = [];
        for (let i = 0; i < 3; i++) {
          const { text } = await scrape(`${server.url}/dcgm1/metrics`);
          // Energy (and NVLink traffic) integrate real time between scrapes; everything else is the seeded sequence.
          out.push(
            text
              .split('\n')
              .filter((l) => !/^DCGM_FI_DEV_(TOTAL_ENERGY|NVLINK_BANDWIDTH)/.test(l))
              .join('\n'),
          );
        }
        out.push(
          (await scrape(`${server.url}/dcgm2/metrics`)).text
            .split('\n')
            .filter((l) => l.includes('UUID'))
            .slice(0, 1)
            .join(),
        );
        return out;
      } finally {
        await server.stop();
      }
    };
    const a = await pages('7');
    const b = await pages('7');
    const c = await pages('8');
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.notEqual(
      a[3],
      a[0]!.split('\n').find((l) => l.includes('UUID')),
      'node 2 differs from node 1',
    );
  });

  it('--dcgm-port serves both nodes at /metrics on their own ports', async () => {
    const port = await twoFreePorts();
    const server = await startServer(['--fast', '--dcgm-port', String(port)]);
    try {
      await new Promise((r) => setTimeout(r, 100));
      for (const p of [port, port + 1]) {
        const { families } = await scrape(`http://127.0.0.1:${p}/metrics`);
        assert.ok(
          families.some((f) => f.name === 'DCGM_FI_DEV_GPU_UTIL'),
          `port ${p}`,
        );
      }
      assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
    } finally {
      await server.stop();
    }
  });
});
