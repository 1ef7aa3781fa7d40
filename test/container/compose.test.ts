import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ChildProcess } from 'node:child_process';
import { parse } from 'yaml';
import { DOCKER, ROOT, exitCode, freePorts, health, run, startProcess, waitFor } from './tools.js';

const COMPOSE = process.env['COMPOSE'] ?? '/usr/bin/docker-compose';
const PROJECT = 'amocktest';

describe('docker-compose.yml and the Prometheus config', () => {
  let env: NodeJS.ProcessEnv;
  let ports: { http: number; dcgm1: number; dcgm2: number; prom: number };
  const work = mkdtempSync(join(tmpdir(), 'amock-compose-'));
  let prometheus: ChildProcess | null = null;

  before(async () => {
    const [http, dcgm1, dcgm2, prom] = (await freePorts(4)) as [number, number, number, number];
    ports = { http, dcgm1, dcgm2, prom };
    env = {
      MOCK_HTTP_PORT: String(ports.http),
      MOCK_DCGM1_PORT: String(ports.dcgm1),
      MOCK_DCGM2_PORT: String(ports.dcgm2),
      DOCKER_BUILDKIT: '0',
      COMPOSE_DOCKER_CLI_BUILD: '0',
    };
  });
  after(async () => {
    prometheus?.kill('SIGTERM');
    await run(COMPOSE, ['-p', PROJECT, 'down', '--remove-orphans', '--timeout', '5'], { env }).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  it('validates with the classic docker-compose, with and without the aiperf profile', async () => {
    const plain = parse((await run(COMPOSE, ['config'], { env })).stdout) as {
      services: Record<string, { profiles?: string[]; ports?: unknown[] }>;
    };
    assert.ok(plain.services['mock'] && plain.services['prometheus']);
    assert.equal(plain.services['mock']!.ports?.length, 3, 'HTTP and both DCGM ports published');
    // docker-compose 1.29 prints profile services too; what keeps aiperf out of a plain `up` is its profile.
    assert.equal(plain.services['mock']!.profiles, undefined);
    assert.deepEqual(plain.services['aiperf']?.profiles, ['aiperf']);
    const withAiperf = parse((await run(COMPOSE, ['--profile', 'aiperf', 'config'], { env })).stdout) as {
      services: Record<string, { command?: string[] }>;
    };
    assert.ok(withAiperf.services['aiperf']);
    const cmd = JSON.stringify(withAiperf.services['aiperf']!.command);
    for (const part of ['--url http://mock:8000', '--streaming', '--server-metrics', '--gpu-telemetry'])
      assert.ok(cmd.includes(part), part);
  });

  it('promtool accepts the repo Prometheus config', async () => {
    await run('promtool', ['check', 'config', 'deploy/prometheus/prometheus.yml']);
  });

  it('the stack mock comes up healthy; Debian prometheus with the repo config has every job up within 15 s', async () => {
    // Prometheus itself is an image from a registry, which is unreachable here: bring up the mock alone.
    await run(COMPOSE, ['-p', PROJECT, 'up', '-d', '--build', 'mock'], { env, timeoutMs: 900_000 });
    const container = `${PROJECT}_mock_1`;
    await waitFor('mock healthy', 60_000, async () => ((await health(container)) === 'healthy' ? true : null));
    const r = await fetch(`http://127.0.0.1:${ports.http}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 }),
    });
    assert.equal(r.status, 200);
    // The repo config, pointed at the published ports instead of the compose service name.
    const config = readFileSync(join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')
      .replaceAll('mock:8000', `127.0.0.1:${ports.http}`)
      .replaceAll('mock:9400', `127.0.0.1:${ports.dcgm1}`)
      .replaceAll('mock:9401', `127.0.0.1:${ports.dcgm2}`)
      .replace('scrape_interval: 5s', 'scrape_interval: 1s')
      .replace('scrape_timeout: 4s', 'scrape_timeout: 1s');
    writeFileSync(join(work, 'prometheus.yml'), config);
    assert.equal(await exitCode('promtool', ['check', 'config', join(work, 'prometheus.yml')]), 0);
    const started = Date.now();
    prometheus = startProcess('prometheus', [
      `--config.file=${join(work, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(work, 'data')}`,
      `--web.listen-address=127.0.0.1:${ports.prom}`,
    ]);
    interface Target {
      labels: { job: string; instance: string };
      health: string;
    }
    const targets = await waitFor('every Prometheus target up', 15_000, async () => {
      const res = (await (await fetch(`http://127.0.0.1:${ports.prom}/api/v1/targets`)).json()) as {
        data: { activeTargets: Target[] };
      };
      const t = res.data.activeTargets;
      return t.length === 9 && t.every((x) => x.health === 'up') ? t : null;
    });
    const jobs = new Set(targets.map((t) => t.labels.job));
    assert.equal(jobs.size, 8);
    assert.equal(targets.filter((t) => t.labels.job === 'dcgm').length, 2, 'two DCGM instances');
    assert.ok(Date.now() - started < 15_000);
    // The scraped series are queryable: the vLLM job's counter and both GPUs' utilisation.
    const q = async (expr: string): Promise<unknown[]> =>
      (
        (await (
          await fetch(`http://127.0.0.1:${ports.prom}/api/v1/query?query=${encodeURIComponent(expr)}`)
        ).json()) as { data: { result: unknown[] } }
      ).data.result;
    await waitFor('series in Prometheus', 10_000, async () =>
      (await q('vllm:request_success_total')).length > 0 && (await q('DCGM_FI_DEV_GPU_UTIL')).length === 4
        ? true
        : null,
    );
    void DOCKER;
  });
});
