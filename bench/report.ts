import { type BenchResults, type TimingLevel } from './scenarios.js';
import { median } from './stats.js';

const f = (n: number, d = 2): string => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
const pct = (share: number | undefined): string => (share === undefined ? 'n/a' : `${(share * 100).toFixed(1)} %`);

/** The short Markdown summary: every figure next to its same-run baseline and the ratio. */
export function markdown(r: BenchResults): string {
  const lines: string[] = [];
  lines.push(`# Bench ${r.name} (${r.quick ? 'quick' : 'full'} mode)`, '');
  lines.push(
    `${r.machine.date} · ${r.machine.cpu} × ${r.machine.cores} · node ${r.machine.node} · load tool ${r.machine.loadTool}`,
    '',
  );
  if (r.nonStreaming) {
    const n = r.nonStreaming;
    lines.push('## Overhead, non-streaming (`--fast`, 16 tokens)', '');
    lines.push('| target | req/s | CPU s / 1k req | req/s ratio (mock ÷ target) |', '|---|---|---|---|');
    for (const t of n.targets)
      lines.push(
        `| ${t.name} | ${f(t.rps, 0)} | ${f(t.cpuPer1k, 3)} | ${t.name === 'mock' ? '—' : f(n.targets.find((x) => x.name === 'mock')!.rps / t.rps)} |`,
      );
    lines.push('');
  }
  if (r.streaming) {
    const s = r.streaming;
    lines.push(`## Overhead, streaming (\`--fast\`, ${s.eventsPerStream} tokens per stream)`, '');
    lines.push('| target | events/s | CPU s / 100k events | events/s ratio (mock ÷ target) |', '|---|---|---|---|');
    for (const t of s.targets)
      lines.push(
        `| ${t.name} | ${f(t.eventsPerSec, 0)} | ${f(t.cpuPer100kEvents, 3)} | ${t.name === 'mock' ? '—' : f(s.targets.find((x) => x.name === 'mock')!.eventsPerSec / t.eventsPerSec)} |`,
      );
    lines.push('');
  }
  if (r.timing) {
    lines.push(
      `## Timing accuracy (TTFT ${r.timing.ttft} ms, ITL ${r.timing.itl} ms, ${r.timing.tokens} tokens per stream)`,
      '',
    );
    lines.push(
      '| streams | tokens/s | TTFT \\|err\\| p50 / p99 / max (ms) | ITL \\|err\\| p50 / p99 / max (ms) | ITL \\|err\\| > 1 ms | mean ITL drift (ms) | server CPU (cores) |',
      '|---|---|---|---|---|---|---|',
    );
    const row = (l: TimingLevel, who: string): string =>
      `| ${who}${l.concurrency} | ${f(l.tokensPerSec, 0)} | ${f(l.ttft.p50)} / ${f(l.ttft.p99)} / ${f(l.ttft.max)} | ${f(l.itl.p50, 3)} / ${f(l.itl.p99, 3)} / ${f(l.itl.max)} | ${pct(l.itl.over1ms)} | ${f(l.drift.mean, 4)} | ${f(l.serverCores)} |`;
    const base = r.timing.baselineLevels ?? [];
    for (const l of r.timing.levels) {
      lines.push(row(l, ''));
      const b = base.find((x) => x.concurrency === l.concurrency);
      if (b) lines.push(row(b, 'bare '));
    }
    for (const l of r.timing.clusterLevels ?? []) lines.push(row(l, '2 workers '));
    lines.push(
      '',
      `Highest concurrency with p99 |ITL error| ≤ 1 ms: **${r.timing.maxConcurrencyWithin1ms ?? 'none'}**`,
      '',
    );
    const cpu = r.timing.cpuPerToken;
    if (cpu && cpu.mock.length && cpu.bare.length) {
      const m = median(cpu.mock);
      const b = median(cpu.bare);
      lines.push(
        `Server CPU per 100k tokens at ${cpu.streams} streams, ${cpu.mock.length} rounds of ${cpu.seconds} s alternating between the mock and the bare server (mock bare, bare mock, ...): median **${f(m, 3)} s** against **${f(b, 3)} s**, **${f(m / b)} ×** (rounds: mock ${cpu.mock.map((x) => f(x, 3)).join(', ')}; bare ${cpu.bare.map((x) => f(x, 3)).join(', ')}).`,
        '',
      );
    }
    if (base.length)
      lines.push(
        '"bare N": the same client and level against a bare `node:http` server that paces the same streams with one `setTimeout` per event and does nothing else (same run, right after the mock\'s level): what this runtime and machine give without the mock\'s scheduler, parsing, planning and telemetry. "2 workers N": the mock with `--workers 2` (no spare) at the same level, right after the one-worker and bare levels of that concurrency.',
        '',
      );
    const w = r.timing.machineWake;
    if (w) {
      lines.push(
        `Machine baseline (same run, idle, its own process): a ${w.sleepMs} ms futex sleep wakes late by p50 ${f(w.p50, 3)} / p99 ${f(w.p99, 3)} / max ${f(w.max)} ms over ${w.n} sleeps; a late wake of the server's ticker makes two tokens share one read, so this p99 is a floor under the ITL error.`,
        '',
      );
    }
  }
  if (r.burst) {
    const b = r.burst;
    lines.push(
      `## Bursts: N requests written at the same instant (TTFT ${b.ttft} ms, ITL ${b.itl} ms, ${b.rounds} rounds per row)`,
      '',
    );
    lines.push(
      '| arrivals | tokens | connections | TTFT \\|err\\| p50 / p99 mock (ms) | bare (ms) | p99 ratio mock ÷ bare | ITL \\|err\\| p50 / p99 mock (ms) | bare (ms) | mean drift mock / bare (ms) | server CPU s mock / bare |',
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const l of b.levels)
      lines.push(
        `| ${l.arrivals} | ${l.tokens} | ${l.fresh ? 'new each round' : 'kept alive'} | ${f(l.mock.ttft.p50)} / ${f(l.mock.ttft.p99)} | ${f(l.bare.ttft.p50)} / ${f(l.bare.ttft.p99)} | ${f(l.mock.ttft.p99 / l.bare.ttft.p99)} | ${f(l.mock.itl.p50)} / ${f(l.mock.itl.p99)} | ${f(l.bare.itl.p50)} / ${f(l.bare.itl.p99)} | ${f(l.mock.drift.mean, 3)} / ${f(l.bare.drift.mean, 3)} | ${f(l.mock.cpu)} / ${f(l.bare.cpu)} |`,
      );
    lines.push('');
    // The p99 over all rounds is often one round's: each round's own p99 shows which.
    const rounds = b.levels.filter((l) => (l.mock.roundTtftP99?.length ?? 0) > 0);
    if (rounds.length > 0) {
      lines.push(
        'TTFT |error| p99 of each round in the order run (ms), mock / bare (median of the rounds in brackets), and the ratio of the two medians:',
        '',
      );
      const list = (xs: number[]): string => `${xs.map((x) => f(x, 0)).join(' ')} (${f(median(xs), 0)})`;
      for (const l of rounds)
        lines.push(
          `- ${l.arrivals} × ${l.tokens}, ${l.fresh ? 'new connections' : 'kept alive'}: ${list(l.mock.roundTtftP99!)} / ${list(l.bare.roundTtftP99 ?? [])}; ${f(median(l.mock.roundTtftP99!) / median(l.bare.roundTtftP99 ?? []))} ×`,
        );
      lines.push('');
    }
  }
  if (r.cluster) {
    const c = r.cluster;
    lines.push('## Cluster (streaming, `--fast`)', '');
    lines.push(
      '| workers | events/s | CPU s / 100k events | primary share of CPU | RSS per worker right after the load (MB; with 2 workers the spare is last) | RSS per worker idle before it (MB) |',
      '|---|---|---|---|---|---|',
    );
    for (const t of c.targets)
      lines.push(
        `| ${t.workers} | ${f(t.eventsPerSec, 0)} | ${f(t.cpuPer100kEvents, 3)} | ${t.primaryCpuShare === null ? '—' : f(t.primaryCpuShare * 100, 1) + ' %'} | ${t.rssPerWorkerMb.map((x) => f(x, 0)).join(', ')} | ${(t.rssIdleMb ?? []).map((x) => f(x, 0)).join(', ')} |`,
      );
    lines.push(
      '',
      `events/s ratio 2 workers ÷ 1 worker: **${f(c.targets[1]!.eventsPerSec / c.targets[0]!.eventsPerSec)}**`,
      '',
    );
  }
  if (r.startup) {
    lines.push('## Start-up', '');
    lines.push(
      `Launch to first \`/health\` 200, median of ${r.startup.samplesMs.length}: **${f(r.startup.medianMs, 0)} ms** (samples ${r.startup.samplesMs.map((x) => f(x, 0)).join(', ')}); a bare \`node -e\` launch+exit on the same machine: ${f(r.startup.bareNodeMs, 0)} ms.`,
      '',
      `Launch to the warm-up's end (\`/health\` \`warm_up.state\` \`done\`, the server serving meanwhile), median: ${f(r.startup.warmMedianMs, 0)} ms (samples ${r.startup.warmSamplesMs.map((x) => f(x, 0)).join(', ')}).`,
      '',
    );
  }
  if (r.recording) {
    const g = r.recording;
    const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    lines.push(
      `## Request recording (${g.concurrency} streams, TTFT 20 ms, ITL 5 ms; median of ${g.rounds} alternated rounds)`,
      '',
      '| --record-requests | TTFT \\|err\\| p99 (ms) | ITL \\|err\\| p99 (ms) | tokens/s | server CPU (cores) |',
      '|---|---|---|---|---|',
    );
    for (const side of ['off', 'on'] as const) {
      const ls = g[side];
      lines.push(
        `| ${side} | ${f(med(ls.map((l) => l.ttft.p99)))} | ${f(med(ls.map((l) => l.itl.p99)))} | ${f(med(ls.map((l) => l.tokensPerSec)), 0)} | ${f(med(ls.map((l) => l.serverCores)))} |`,
      );
    }
    lines.push('', `Lines written for the ${g.streamsServed} streams served with recording on: ${g.linesWritten}.`, '');
  }
  if (r.prefix) {
    lines.push('## Prefix cache: CPU per request', '');
    lines.push(
      '| prompt tokens | count only (caching off) µs | encode to ids µs | block hashes µs | hashes + lookup + store µs |',
      '|---|---|---|---|---|',
    );
    for (const p of r.prefix)
      lines.push(
        `| ${p.promptTokens} | ${f(p.countUs, 0)} | ${f(p.encodeUs, 0)} | ${f(p.hashUs, 1)} | ${f(p.cacheUs, 1)} |`,
      );
    lines.push('');
  }
  if (r.tokenizers) {
    lines.push('## Tokenizers', '', '| tokenizer | load + corpus ms | count a 1k-token prompt µs |', '|---|---|---|');
    for (const t of r.tokenizers) lines.push(`| ${t.tokenizer} | ${f(t.loadMs, 0)} | ${f(t.count1kUs, 0)} |`);
    lines.push('');
  }
  if (r.frames) {
    lines.push('## Chat chunks: CPU per token', '', '| variant | µs per token |', '|---|---|');
    for (const x of r.frames) lines.push(`| ${x.variant} | ${f(x.perTokenUs, 2)} |`);
    lines.push('');
  }
  return lines.join('\n');
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'];

/** One SVG: ITL error distributions (left) and TTFT error distributions (right), one line per concurrency. */
export function svgPlot(r: BenchResults): string {
  const W = 900;
  const H = 360;
  const panels = [
    { title: `ITL error (ms), ITL ${r.timing?.itl ?? '?'} ms`, key: 'itlHistogram' as const, x0: 60 },
    { title: `TTFT error (ms), TTFT ${r.timing?.ttft ?? '?'} ms`, key: 'ttftHistogram' as const, x0: 500 },
  ];
  const pw = 380;
  const ph = 260;
  const y0 = 50;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  for (const p of panels) {
    parts.push(`<text x="${p.x0 + pw / 2}" y="30" text-anchor="middle" font-weight="bold">${p.title}</text>`);
    parts.push(`<rect x="${p.x0}" y="${y0}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
    const levels = r.timing?.levels ?? [];
    const first = levels[0]?.[p.key];
    if (!first) continue;
    for (let t = 0; t <= 4; t++) {
      const v = first.lo + ((first.hi - first.lo) * t) / 4;
      const x = p.x0 + (pw * t) / 4;
      parts.push(`<text x="${x}" y="${y0 + ph + 16}" text-anchor="middle">${v.toFixed(1)}</text>`);
    }
    parts.push(
      `<text x="${p.x0 - 8}" y="${y0 + ph / 2}" text-anchor="end" transform="rotate(-90 ${p.x0 - 30} ${y0 + ph / 2})">share of samples</text>`,
    );
    levels.forEach((l, k) => {
      const h = l[p.key];
      const total = h.counts.reduce((a, b) => a + b, 0) || 1;
      const peak = Math.max(
        ...levels.map((x) => Math.max(...x[p.key].counts) / (x[p.key].counts.reduce((a, b) => a + b, 0) || 1)),
      );
      const pts = h.counts.map(
        (c, i) =>
          `${(p.x0 + ((i + 0.5) * pw) / h.counts.length).toFixed(1)},${(y0 + ph - (c / total / peak) * (ph - 10)).toFixed(1)}`,
      );
      parts.push(
        `<polyline fill="none" stroke="${COLORS[k % COLORS.length]}" stroke-width="1.5" points="${pts.join(' ')}"/>`,
      );
      if (p.x0 === 60)
        parts.push(
          `<text x="${p.x0 + 10}" y="${y0 + 18 + k * 16}" fill="${COLORS[k % COLORS.length]}">${l.concurrency} streams</text>`,
        );
    });
  }
  parts.push('</svg>');
  return parts.join('\n');
}
