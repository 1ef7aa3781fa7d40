import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { SEMI_SPACE_FLAG, workerExecArgv } from '../../src/server/heap.js';

const HEAP_MODULE = new URL('../../src/server/heap.js', import.meta.url).href;

/**
 * A child process keeps ~16 MB alive and churns objects that live long enough to be promoted (what
 * finished requests do under load), then reports how many full collections it took. Runs in a child
 * because V8 flags are process-wide.
 */
const CHURN = `
import { applyHeapGrowth } from ${JSON.stringify(HEAP_MODULE)};
import { PerformanceObserver, constants } from 'node:perf_hooks';
applyHeapGrowth(Number(process.argv[1]));
let majors = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
}).observe({ entryTypes: ['gc'] });
const keep = [];
for (let i = 0; i < 20000; i++) keep.push(new Array(100).fill(i));
const ring = new Array(50000);
for (let i = 0; i < 3000000; i++) ring[i % 50000] = new Array(20).fill(i);
setTimeout(() => process.stdout.write(String(majors)), 50);
`;

async function fullCollections(percent: number): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', CHURN, String(percent)]);
  return Number(stdout);
}

describe('--heap-growth-percent', () => {
  it('makes V8 collect the old generation sooner than its own growth factor does', async () => {
    const own = await fullCollections(0);
    const capped = await fullCollections(20);
    // Measured: 4 full collections with V8's own factor, 7 with 20 %, the same on every run.
    assert.ok(own >= 1, `expected at least one full collection, got ${own}`);
    assert.ok(capped >= own + 2, `20 %: ${capped} full collections, V8's own: ${own}`);
  });
});

const ROOT = new URL('../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8');

/** new_space capacity (both semi-spaces, bytes) of a child that churned enough to grow it to its maximum. */
async function newSpaceAfterChurn(nodeArgs: string[]): Promise<number> {
  const script = `
const ring = new Array(50000);
for (let i = 0; i < 3000000; i++) ring[i % 50000] = new Array(20).fill(i);
const s = require('node:v8').getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
process.stdout.write(String(s.space_size));`;
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  const { stdout } = await promisify(execFile)(process.execPath, [...nodeArgs, '-e', script], { env });
  return Number(stdout);
}

describe('the young-generation size (SEMI_SPACE_FLAG)', () => {
  it('caps the nursery at 2 × 4 MB where V8 would let it grow to 2 × 16 MB', async () => {
    const own = await newSpaceAfterChurn([]);
    const capped = await newSpaceAfterChurn([SEMI_SPACE_FLAG]);
    assert.equal(capped, 8 * 1024 * 1024);
    assert.ok(own > capped, `V8's own: ${own} bytes`);
  });

  it('is on the command line of npm start and in the image', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    assert.match(pkg.scripts['start']!, new RegExp(`node ${SEMI_SPACE_FLAG} dist/src/main\\.js`));
    assert.match(read('Dockerfile'), new RegExp(`NODE_OPTIONS=${SEMI_SPACE_FLAG}\\b`));
  });

  it('is added to cluster workers unless the command line or NODE_OPTIONS already chose a size', () => {
    assert.deepEqual(workerExecArgv([], undefined), [SEMI_SPACE_FLAG]);
    assert.deepEqual(workerExecArgv(['--enable-source-maps'], ''), ['--enable-source-maps', SEMI_SPACE_FLAG]);
    assert.deepEqual(workerExecArgv(['--max-semi-space-size=16'], undefined), ['--max-semi-space-size=16']);
    assert.deepEqual(workerExecArgv(['--max-semi-space-size', '16'], undefined), ['--max-semi-space-size', '16']);
    assert.deepEqual(workerExecArgv([], '--trace-gc --max-semi-space-size=2'), []);
    assert.deepEqual(workerExecArgv(['--max_semi_space_size=2'], undefined), ['--max_semi_space_size=2']);
    // A different flag that merely starts the same way is not a choice of size.
    assert.deepEqual(workerExecArgv(['--max-semi-space-size-x'], '--max-old-space-size=96'), [
      '--max-semi-space-size-x',
      SEMI_SPACE_FLAG,
    ]);
  });
});
