import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { activePhase, durationMs, parseTimeline } from '../../src/admin/scenario.js';
import { applyPatch } from '../../src/config/live.js';
import { loadConfig } from '../../src/config/load.js';
import { type Config } from '../../src/config/options.js';

const base = (): Config => {
  const r = loadConfig([], {});
  assert.equal(r.kind, 'ok');
  return (r as { config: Config }).config;
};

describe('scenario timelines', () => {
  it('durations', () => {
    assert.equal(durationMs('90s', 'x'), 90_000);
    assert.equal(durationMs('500ms', 'x'), 500);
    assert.equal(durationMs('2m', 'x'), 120_000);
    assert.equal(durationMs(1.5, 'x'), 1500);
    assert.throws(() => durationMs('soon', 'at'), /not a duration/);
  });

  it('every example in scenarios/ loads', () => {
    const dir = new URL('../../../scenarios/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 3);
    for (const f of files) assert.ok(parseTimeline(readFileSync(new URL(f, dir), 'utf8'), base()).phases.length > 1, f);
  });

  it('the active phase: last trigger passed, by time (repeating) or by request count', () => {
    const t = parseTimeline(
      'repeat: 10s\nphases:\n  - {name: a, at: 0s, set: {itl: 1}}\n  - {name: b, at: 4s, set: {itl: 9}}\n',
      base(),
    );
    assert.equal(activePhase(t, 1000, 0), 0);
    assert.equal(activePhase(t, 4500, 0), 1);
    assert.equal(activePhase(t, 11_000, 0), 0); // repeated
    const c = parseTimeline(
      'phases:\n  - {name: a, at: 0s}\n  - {name: b, after_requests: 10, set: {error_rate: 5}}\n',
      base(),
    );
    assert.equal(activePhase(c, 99_999, 9), 0);
    assert.equal(activePhase(c, 0, 10), 1);
  });

  it('bad files name the phase and the problem', () => {
    assert.throws(() => parseTimeline('phases: []', base()), /list of phases/);
    assert.throws(() => parseTimeline('phases:\n  - {name: x, set: {itl: 1}}\n', base()), /x.*exactly one of at/);
    assert.throws(
      () => parseTimeline('phases:\n  - {name: y, at: 1s, set: {port: 1}}\n', base()),
      /y.*--port cannot change/,
    );
    assert.throws(() => parseTimeline('repeat: 1m\nphases:\n  - {name: z, after_requests: 3}\n', base()), /time-based/);
  });
});

describe('live config patches', () => {
  it('validated like the CLI, all or nothing, by name, flag or snake_case', () => {
    const c = base();
    const ok = applyPatch(c, { itl: 7, 'error-rate': 1, stream_stall_ms: 10 });
    assert.ok(ok.ok);
    assert.equal(ok.config.itl, 7);
    assert.equal(ok.config.errorRate, 1);
    assert.equal(ok.config.streamStallMs, 10);
    const bad = applyPatch(c, { itl: 7, maxBatchSize: 0.5, queueFullStatus: 404 });
    assert.ok(!bad.ok);
    assert.equal(bad.problems.length, 2);
    assert.ok(!applyPatch(c, [1, 2]).ok);
  });
});
