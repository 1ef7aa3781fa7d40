import { type BenchResults } from './scenarios.js';

/**
 * What makes a bench run unusable, whatever its figures: a target that answered with errors, a timing
 * level with broken streams, a cluster run with errors, or a load tool other than the one
 * asked for (`--expect-tool`). The quick run in CI fails on any of these, so the harness cannot rot
 * into measuring a server that answers 5xx.
 */
export function benchProblems(r: BenchResults, expectTool?: string): string[] {
  const problems: string[] = [];
  if (expectTool && r.machine.loadTool !== expectTool)
    problems.push(`load tool ${r.machine.loadTool} ran, ${expectTool} was expected`);
  for (const t of r.nonStreaming?.targets ?? [])
    if (t.failures > 0 || !(t.rps > 0))
      problems.push(`non-streaming ${t.name}: ${t.failures} failures, ${t.rps} req/s`);
  for (const t of r.streaming?.targets ?? [])
    if (t.failures > 0 || !(t.eventsPerSec > 0))
      problems.push(`streaming ${t.name}: ${t.failures} failures, ${t.eventsPerSec} events/s`);
  for (const [who, levels] of [
    ['mock', r.timing?.levels ?? []],
    ['bare', r.timing?.baselineLevels ?? []],
    ['2 workers', r.timing?.clusterLevels ?? []],
    ['recording off', r.recording?.off ?? []],
    ['recording on', r.recording?.on ?? []],
  ] as const)
    for (const l of levels)
      if (l.badStreams > 0 || l.streams === 0)
        problems.push(`timing ${who} ${l.concurrency}: ${l.badStreams} bad of ${l.streams} streams`);
  for (const l of r.burst?.levels ?? [])
    for (const [who, side] of [
      ['mock', l.mock],
      ['bare', l.bare],
    ] as const)
      if (side.badStreams > 0 || side.streams === 0)
        problems.push(
          `burst ${who} ${l.arrivals}x${l.tokens}${l.fresh ? ' (new connections)' : ''}: ${side.badStreams} bad of ${side.streams} streams`,
        );
  for (const t of r.cluster?.targets ?? [])
    if ((t.failures ?? 0) > 0 || !(t.eventsPerSec > 0))
      problems.push(`cluster ${t.workers} workers: ${t.failures} failures, ${t.eventsPerSec} events/s`);
  return problems;
}
