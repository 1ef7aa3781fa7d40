import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { envName, OPTIONS } from '../../src/config/options.js';

function ok(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const r = loadConfig(argv, env);
  assert.equal(r.kind, 'ok', r.kind === 'invalid' ? r.problems.join('\n') : '');
  return (r as Extract<typeof r, { kind: 'ok' }>).config;
}

function problems(argv: string[], env: NodeJS.ProcessEnv = {}): string[] {
  const r = loadConfig(argv, env);
  assert.equal(r.kind, 'invalid');
  return (r as Extract<typeof r, { kind: 'invalid' }>).problems;
}

describe('option table', () => {
  it('has the brief defaults', () => {
    const c = ok([]);
    const expected: [keyof typeof c, unknown][] = [
      ['port', 8000],
      ['host', '127.0.0.1'],
      ['workers', 1],
      ['fast', false],
      ['logLevel', 'INFO'],
      ['ttft', 20],
      ['itl', 5],
      ['embeddingBaseLatency', 10],
      ['embeddingPerInputLatency', 2],
      ['rankingBaseLatency', 10],
      ['rankingPerPassageLatency', 1],
      ['errorRate', 0],
      ['randomSeed', undefined],
      ['dcgmGpuName', 'h200'],
      ['dcgmNumGpus', 2],
      ['dcgmAutoLoad', true],
      ['dcgmMinThroughput', 100],
      ['dcgmWindowSec', 1],
      ['dcgmHostname', 'localhost'],
      ['tokenizer', 'builtin'],
      ['tokenizerRevision', 'main'],
      ['noTokenizer', false],
    ];
    for (const [k, v] of expected) assert.equal(c[k], v, k);
  });

  it('derives env names from flags', () => {
    assert.equal(envName(OPTIONS.dcgmNumGpus), 'MOCK_SERVER_DCGM_NUM_GPUS');
    assert.equal(envName(OPTIONS.port), 'MOCK_SERVER_PORT');
    assert.equal(envName(OPTIONS.noTokenizer), 'MOCK_SERVER_NO_TOKENIZER');
  });

  const table: [string, string[], NodeJS.ProcessEnv, Record<string, unknown>][] = [
    [
      'short flags',
      ['-p', '9000', '-w', '2', '-t', '50', '-v'],
      {},
      { port: 9000, workers: 2, ttft: 50, verbose: true, logLevel: 'DEBUG' },
    ],
    ['-f zeroes the latencies given with it', ['-f', '-t', '50'], {}, { fast: true, ttft: 0 }],
    [
      'env values',
      [],
      { MOCK_SERVER_PORT: '8080', MOCK_SERVER_ITL: '7.5', MOCK_SERVER_DCGM_NUM_GPUS: '4' },
      { port: 8080, itl: 7.5, dcgmNumGpus: 4 },
    ],
    ['env boolean', [], { MOCK_SERVER_FAST: 'true' }, { fast: true }],
    ['CLI beats env', ['--port', '9001'], { MOCK_SERVER_PORT: '8080' }, { port: 9001 }],
    ['negated boolean', ['--no-dcgm-auto-load'], {}, { dcgmAutoLoad: false }],
    ['env false', [], { MOCK_SERVER_DCGM_AUTO_LOAD: 'false' }, { dcgmAutoLoad: false }],
    ['no-tokenizer flag', ['--no-tokenizer'], {}, { noTokenizer: true, tokenizer: 'builtin' }],
    [
      'choices case-insensitive',
      ['--dcgm-gpu-name', 'A100', '--log-level', 'debug'],
      {},
      { dcgmGpuName: 'a100', logLevel: 'DEBUG' },
    ],
    ['explicit latencies kept without fast', ['--ttft', '0.5', '--itl', '0'], {}, { ttft: 0.5, itl: 0 }],
  ];
  for (const [name, argv, env, want] of table) {
    it(name, () => {
      const c = ok(argv, env) as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(want)) assert.equal(c[k], v, k);
    });
  }

  it('--fast zeroes every latency, even explicit ones', () => {
    const c = ok(['--fast', '--ttft', '100', '--embedding-base-latency', '30']);
    for (const k of [
      'ttft',
      'itl',
      'embeddingBaseLatency',
      'embeddingPerInputLatency',
      'rankingBaseLatency',
      'rankingPerPassageLatency',
    ] as const) {
      assert.equal(c[k], 0, k);
    }
  });

  it('reports every bad value at once, naming option, value and what is allowed', () => {
    const p = problems(['--port', '70000', '--ttft', '-1', '--dcgm-gpu-name', 'v100'], { MOCK_SERVER_WORKERS: 'many' });
    assert.equal(p.length, 4, p.join('\n'));
    assert.match(
      p.find((l) => l.includes('--port'))!,
      /70000.*integer ≥ 0 and ≤ 65535/,
    );
    assert.match(
      p.find((l) => l.includes('--ttft'))!,
      /-1.*number ≥ 0/,
    );
    assert.match(
      p.find((l) => l.includes('--dcgm-gpu-name'))!,
      /v100.*one of rtx6000, a100/,
    );
    assert.match(
      p.find((l) => l.includes('--workers'))!,
      /MOCK_SERVER_WORKERS.*"many"/,
    );
  });

  it('rejects unknown flags', () => {
    assert.match(problems(['--no-such-flag'])[0]!, /no-such-flag/);
  });

  it('rejects non-integers for integer options', () => {
    assert.match(problems(['--dcgm-num-gpus', '2.5'])[0]!, /--dcgm-num-gpus.*2\.5/);
    assert.match(problems(['--dcgm-num-gpus', '9'])[0]!, /≤ 8/);
  });

  it('reads YAML and JSON config files below env and CLI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mock-cfg-'));
    const yaml = join(dir, 'c.yaml');
    writeFileSync(yaml, 'ttft: 50\ndcgm_num_gpus: 4\nerrorRate: 5\nport: 7000\n');
    const c = ok(['--config', yaml, '--port', '7001'], { MOCK_SERVER_DCGM_NUM_GPUS: '3' });
    assert.equal(c.ttft, 50);
    assert.equal(c.errorRate, 5);
    assert.equal(c.dcgmNumGpus, 3);
    assert.equal(c.port, 7001);
    const json = join(dir, 'c.json');
    writeFileSync(json, JSON.stringify({ itl: 9, 'dcgm-gpu-name': 'b200' }));
    const j = ok([], { MOCK_SERVER_CONFIG: json });
    assert.equal(j.itl, 9);
    assert.equal(j.dcgmGpuName, 'b200');
  });

  it('names unknown or bad keys in a config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mock-cfg-'));
    const f = join(dir, 'c.yaml');
    writeFileSync(f, 'ttft: fast\nbogus: 1\n');
    const p = problems(['--config', f]);
    assert.ok(
      p.some((l) => l.includes('"bogus"')),
      p.join('\n'),
    );
    assert.ok(
      p.some((l) => l.includes('--ttft (config file)')),
      p.join('\n'),
    );
    assert.match(problems(['--config', join(dir, 'missing.yaml')])[0]!, /cannot read/);
  });

  it('prints help with every flag and its env name', () => {
    const r = loadConfig(['--help'], {});
    assert.equal(r.kind, 'exit');
    const out = (r as Extract<typeof r, { kind: 'exit' }>).output;
    for (const spec of Object.values(OPTIONS)) {
      assert.ok(out.includes(`--${spec.flag}`), spec.flag);
      assert.ok(out.includes(envName(spec)), envName(spec));
    }
  });
});

describe('--profile presets', () => {
  it('a named profile sets the engine knobs; flags, env and --config override it', () => {
    const c = ok(['--profile', 'llama-8b-h100']);
    assert.equal(c.engineModel, 'batch');
    assert.equal(c.stepMs, 8);
    assert.equal(c.kvBlocks, 25000);
    assert.equal(ok(['--profile', 'llama-8b-h100', '--max-batch-size', '64']).maxBatchSize, 64);
    assert.equal(ok(['--profile', 'llama-70b-8xh100'], { MOCK_SERVER_STEP_MS: '20' }).stepMs, 20);
    const dir = mkdtempSync(join(tmpdir(), 'profile-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'kv-blocks: 100\n');
    assert.equal(ok(['--profile', 'llama-8b-h100', '--config', file]).kvBlocks, 100);
  });
  it('an unknown profile or a bad engine combination is a clear error', () => {
    assert.match(problems(['--profile', 'no-such-profile']).join('\n'), /--profile: cannot read/);
    assert.match(problems(['--queue-full-status', '500']).join('\n'), /429 or 503/);
  });
});
