import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { FastCounter } from '../../src/telemetry/metrics/fast-counter.js';

describe('FastCounter', () => {
  it('renders exactly what prom-client’s Counter renders for the same increments', async () => {
    const a = new Registry();
    const b = new Registry();
    const config = { name: 'x_total', help: 'Things.', labelNames: ['model', 'reason'] as const };
    const theirs = new Counter({ ...config, labelNames: [...config.labelNames], registers: [a] });
    const ours = new FastCounter({ ...config, registers: [b] });
    for (const c of [theirs, ours]) {
      c.inc({ model: 'm', reason: 'stop' }, 0);
      c.inc({ reason: 'stop', model: 'm' }); // other key order: same series
      c.inc({ model: 'm', reason: 'length' }, 2.5);
      c.labels({ model: 'n', reason: 'stop' }).inc(3);
    }
    assert.equal(await b.metrics(), await a.metrics());
    assert.match(await b.metrics(), /x_total\{model="m",reason="stop"\} 1\n/);
  });

  it('binds a series once and pre-creates it at zero', async () => {
    const r = new Registry();
    const c = new FastCounter({ name: 'y_total', help: 'Y.', labelNames: ['model'], registers: [r] });
    const bound = c.labels({ model: 'm' });
    assert.match(await r.metrics(), /y_total\{model="m"\} 0\n/);
    bound.inc();
    bound.inc(4);
    c.inc({ model: 'm' });
    assert.match(await r.metrics(), /y_total\{model="m"\} 6\n/);
  });

  it('keeps every label set apart when calls repeat and alternate (the last-series shortcut)', async () => {
    const a = new Registry();
    const b = new Registry();
    const config = { name: 'z_total', help: 'Z.', labelNames: ['endpoint', 'model', 'status'] as const };
    const theirs = new Counter({ ...config, labelNames: [...config.labelNames], registers: [a] });
    const ours = new FastCounter({ ...config, registers: [b] });
    const sets = [
      { endpoint: 'e', model: 'm', status: '200' },
      { endpoint: 'e', model: 'm', status: '200' },
      { endpoint: 'e', model: 'm', status: '400' },
      { endpoint: 'e', model: 'n', status: '400' },
      { endpoint: 'f', model: 'n', status: '400' },
      { endpoint: 'f', model: 'n' },
      { endpoint: 'f', model: 'n', status: '400' },
      { endpoint: 'e', model: 'm', status: '200' },
    ];
    let seed = 7;
    for (let k = 0; k < 200; k++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const labels = sets[k < sets.length ? k : seed % sets.length]!;
      for (const c of [theirs, ours]) c.inc(labels, (k % 3) + 1);
    }
    assert.equal(await b.metrics(), await a.metrics());
  });
});
