/**
 * Does --record-requests slow responses? The timing client at one level (200 streams in full mode)
 * against the mock without and with recording, alternated over rounds in the same run; the recording's
 * line count is checked against the streams served.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withCpu } from './procs.js';
import { mock, type Plan, timingClient, type TimingLevel } from './scenarios.js';

export interface RecordingResult {
  concurrency: number;
  rounds: number;
  off: TimingLevel[];
  on: TimingLevel[];
  /** Lines in the recording file for the chat route, and streams served with recording on. */
  linesWritten: number;
  streamsServed: number;
}

export async function recordingScenario(plan: Plan): Promise<RecordingResult> {
  const ttft = 20;
  const itl = 5;
  const tokens = 100;
  const concurrency = plan.quick ? 50 : 200;
  const rounds = plan.quick ? 1 : 3;
  const dir = mkdtempSync(join(tmpdir(), 'bench-record-'));
  const file = join(dir, 'requests.jsonl');
  const off = await mock(['--ttft', String(ttft), '--itl', String(itl)]);
  const on = await mock(['--ttft', String(ttft), '--itl', String(itl), '--record-requests', file]);
  const result: RecordingResult = { concurrency, rounds, off: [], on: [], linesWritten: 0, streamsServed: 0 };
  try {
    for (const p of [off, on])
      await timingClient({ url: p.url, concurrency: 20, tokens: 20, seconds: plan.warmup, ttft, itl });
    const warmLines = readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
    for (let r = 0; r < rounds; r++)
      for (const [side, p] of [
        ['off', off],
        ['on', on],
      ] as const) {
        const { result: level, cpu } = await withCpu(p.child.pid!, () =>
          timingClient({ url: p.url, concurrency, tokens, seconds: plan.timingSeconds, ttft, itl }),
        );
        const elapsed = plan.timingSeconds + (ttft + tokens * itl) / 1000;
        const l = {
          concurrency,
          tokensPerSec: (level.streams * tokens) / elapsed,
          serverCores: cpu / elapsed,
          ...level,
        };
        result[side].push(l);
        if (side === 'on') result.streamsServed += level.streams;
      }
    await new Promise((resolve) => setTimeout(resolve, 300)); // the last batched records
    result.linesWritten = readFileSync(file, 'utf8').split('\n').filter(Boolean).length - warmLines;
  } finally {
    await Promise.all([off.stop(), on.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}
