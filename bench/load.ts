import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LoadResult {
  readonly tool: 'wrk' | 'autocannon';
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly failures: number;
}

function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk --version exits 1 after printing its version; only a missing binary throws ENOENT.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

export const LOAD_TOOL: 'wrk' | 'autocannon' =
  process.env['BENCH_LOAD_TOOL'] === 'autocannon' || !hasWrk() ? 'autocannon' : 'wrk';

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${err}`))));
  });
}

/**
 * Closed-loop POST load from a separate process (wrk where installed, else autocannon from npm):
 * `connections` keep-alive connections, each sending the next request when the previous answer ended.
 */
export async function postLoad(url: string, body: string, connections: number, seconds: number): Promise<LoadResult> {
  if (LOAD_TOOL === 'wrk') {
    const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
    const script = join(dir, 'post.lua');
    writeFileSync(
      script,
      `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[${body}]==]\n`,
    );
    const out = await run('wrk', [
      '-t1',
      `-c${connections}`,
      `-d${Math.max(1, Math.round(seconds))}s`,
      '-s',
      script,
      url,
    ]);
    const total = /(\d+) requests in ([\d.]+)(m?s)/.exec(out);
    const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
    const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    if (!total) throw new Error(`cannot parse wrk output:\n${out}`);
    const secs = Number(total[2]) / (total[3] === 'ms' ? 1000 : 1);
    const failures = Number(non2xx?.[1] ?? 0) + (sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
    return { tool: 'wrk', requests: Number(total[1]), seconds: secs, rps: Number(total[1]) / secs, failures };
  }
  const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const out = await run(process.execPath, [
    bin,
    '-j',
    '-c',
    String(connections),
    '-d',
    String(seconds),
    '-m',
    'POST',
    '-H',
    'content-type=application/json',
    '-b',
    body,
    url,
  ]);
  const r = JSON.parse(out) as { requests: { total: number }; duration: number; non2xx: number; errors: number };
  return {
    tool: 'autocannon',
    requests: r.requests.total,
    seconds: r.duration,
    rps: r.requests.total / r.duration,
    failures: r.non2xx + r.errors,
  };
}
