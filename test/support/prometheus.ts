import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Golden } from './golden-metrics.js';

/** One series: its labels (without `le`), and a value, or for histograms buckets, sum and count. */
export interface PromSeries {
  labels: Record<string, string>;
  value?: number;
  buckets?: Record<string, number>;
  sum?: number;
  count?: number;
}

export interface PromFamily {
  /** The family name as written on the page's TYPE line (`vllm:prompt_tokens_total`). */
  name: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: PromSeries[];
}

interface PySample {
  name: string;
  labels: Record<string, string>;
  value: number | string;
}

const PARSER = fileURLToPath(new URL('../../../test/support/prom_parse.py', import.meta.url));

/**
 * Parses with Python prometheus_client's text parser (Debian's python3-prometheus-client), the one
 * AIPerf's server-metrics collector uses. It reports counter families without `_total`, as AIPerf
 * sees them; this returns the name as the page's TYPE line has it.
 */
export function parsePrometheus(text: string): PromFamily[] {
  const run = spawnSync('/usr/bin/python3', [PARSER], { input: text, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(run.status, 0, `prometheus_client could not parse the page:\n${run.stderr}`);
  const typed = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^# TYPE (\S+) (\S+)/.exec(line);
    if (m) typed.set(m[1]!.replace(/_total$/, ''), m[1]!);
  }
  return (JSON.parse(run.stdout) as { name: string; type: string; samples: PySample[] }[]).map((f) => {
    const name = (f.type === 'counter' ? typed.get(f.name) : undefined) ?? f.name;
    const series = new Map<string, PromSeries>();
    for (const s of f.samples) {
      if (s.name.endsWith('_created')) continue;
      const { le, ...labels } = s.labels;
      const key = JSON.stringify(labels);
      let entry = series.get(key);
      if (!entry) series.set(key, (entry = { labels }));
      const v = Number(s.value);
      if (f.type !== 'histogram') entry.value = v;
      else if (s.name.endsWith('_bucket')) (entry.buckets ??= {})[le!] = v;
      else if (s.name.endsWith('_sum')) entry.sum = v;
      else if (s.name.endsWith('_count')) entry.count = v;
    }
    return { name, type: f.type.toUpperCase() as PromFamily['type'], metrics: [...series.values()] };
  });
}

export async function scrape(url: string): Promise<{ text: string; families: PromFamily[] }> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  const text = await res.text();
  return { text, families: parsePrometheus(text) };
}

/** Every golden family present with its type, label names and buckets; nothing else on the page. */
export function checkGolden(families: PromFamily[], golden: Record<string, Golden>, page: string): void {
  const byName = new Map(families.map((f) => [f.name, f]));
  for (const [name, want] of Object.entries(golden)) {
    const fam = byName.get(name);
    assert.ok(fam, `${page}: missing ${name}`);
    assert.equal(fam.type, want.type, `${page}: ${name} type`);
    assert.ok(fam.metrics.length > 0, `${page}: ${name} has no series`);
    for (const m of fam.metrics) {
      assert.deepEqual(Object.keys(m.labels ?? {}).sort(), [...want.labels].sort(), `${page}: ${name} label names`);
      if (want.buckets) {
        const bounds = Object.keys(m.buckets ?? {})
          .map(Number)
          .filter((b) => Number.isFinite(b))
          .sort((a, b) => a - b);
        assert.deepEqual(bounds, [...want.buckets], `${page}: ${name} buckets`);
      }
    }
  }
  const extra = families.map((f) => f.name).filter((n) => !(n in golden));
  assert.deepEqual(extra, [], `${page}: series not in the golden list`);
}

/** Sum of one family's values over all its series (counters, gauges), or of histogram sums/counts. */
export function total(
  families: PromFamily[],
  name: string,
  field: 'value' | 'sum' | 'count' = 'value',
  where: Record<string, string> = {},
): number {
  const fam = families.find((f) => f.name === name);
  assert.ok(fam, `no ${name}`);
  return fam.metrics
    .filter((m) => Object.entries(where).every(([k, v]) => m.labels?.[k] === v))
    .reduce((s, m) => s + Number(m[field] ?? 0), 0);
}

const ALLOWED_LINT = [
  /metric names should not contain ':'/,
  /^vllm:iteration_tokens_total non-counter metrics should not have "_total" suffix$/,
  // dcgm-exporter's counters (energy, PCIe replays, NVLink, remapped rows, violations) have no _total.
  /^DCGM_FI_\w+ counter metrics should have "_total" suffix$/,
  // ... and its real label names modelName, UUID, Hostname.
  /^DCGM_FI_\w+ label names should be written in 'snake_case' not 'camelCase'$/,
  /^DCGM_FI_DEV_PCIE_REPLAY_COUNTER metric name should not include type 'counter'$/,
];

/**
 * promtool check metrics (Debian's prometheus package): no parse error (exit 1), and lint warnings
 * (exit 3) only those the real engines' own pages also get. Without promtool the check fails in CI
 * (CI is set by .ci/run) and marks the test skipped elsewhere, saying why.
 */
export function promtoolCheck(text: string, page: string, t: TestContext): void {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') {
    if (process.env['CI']) assert.fail('promtool is not installed (CI): apt-get install prometheus');
    t.skip('promtool is not installed: apt-get install prometheus to run this check');
    return;
  }
  assert.notEqual(run.status, 1, `${page}: promtool parse error:\n${run.stderr}${run.stdout}`);
  const warnings = `${run.stdout}${run.stderr}`.split('\n').filter(Boolean);
  for (const w of warnings)
    assert.ok(
      ALLOWED_LINT.some((re) => re.test(w)),
      `${page}: promtool: ${w}`,
    );
}
