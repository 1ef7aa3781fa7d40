import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import { envName, OPTIONS } from '../../src/config/options.js';
import { metricsCatalog } from '../../src/telemetry/metrics/catalog.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string): string => readFileSync(`${ROOT}${path}`, 'utf8');

describe('docs', () => {
  it('the README is the front door: under 15 KB, with the two commands a newcomer needs', () => {
    const readme = read('README.md');
    assert.ok(Buffer.byteLength(readme) <= 15 * 1024, `README is ${Buffer.byteLength(readme)} bytes`);
    assert.match(readme, /npm ci && npm start/);
    assert.match(readme, /npm ci && npm test/);
    assert.match(readme, /aiperf profile .*--tokenizer builtin/s);
    for (const doc of ['options', 'endpoints', 'metrics', 'faults', 'differences', 'memory', 'deployment'])
      assert.ok(readme.includes(`(docs/${doc}.md)`), `README does not link docs/${doc}.md`);
  });

  it('docs/options.md documents every option with its env name', () => {
    const doc = read('docs/options.md');
    for (const spec of Object.values(OPTIONS)) {
      assert.ok(doc.includes(`\`--${spec.flag}\``), `docs/options.md misses --${spec.flag}`);
      assert.ok(doc.includes(envName(spec)), `docs/options.md misses ${envName(spec)}`);
    }
  });

  it('docs/metrics.md lists every series of every page, with its type', async () => {
    const result = loadConfig([], {});
    assert.equal(result.kind, 'ok');
    if (result.kind !== 'ok') return;
    const doc = read('docs/metrics.md');
    let n = 0;
    for (const [page, families] of await metricsCatalog(result.config)) {
      for (const f of families) {
        n++;
        assert.match(doc, new RegExp(`\\| \`${f.name}\` +\\| ${f.type} `), `docs/metrics.md misses ${page}: ${f.name}`);
      }
    }
    assert.ok(n > 100, `only ${n} families rendered`);
  });

  it('nothing in the repository points at files outside it', () => {
    const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((f) => /\.(ts|md|mjs|js|ya?ml|json|sh)$/.test(f) && !f.startsWith('bench/results/'));
    const outside = files.filter((f) => /shared\/(reference|seed)|\.\.\/shared\b/.test(read(f)));
    assert.deepEqual(outside, []);
  });
});
