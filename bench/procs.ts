import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DIST = fileURLToPath(new URL('../', import.meta.url));
export const SERVER_MAIN = `${DIST}src/main.js`;

export interface Proc {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns a server-like process and resolves when it prints its JSON "listening" line. */
export function launch(
  name: string,
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  nodeArgs: readonly string[] = [],
): Promise<Proc> {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString();
      for (const line of buf.split('\n')) {
        if (!line.includes('"listening"')) continue;
        const url = String((JSON.parse(line) as { url: string }).url);
        child.stdout!.off('data', onData);
        child.stdout!.resume(); // keep draining logs
        resolve({
          name,
          url,
          child,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 5000).unref();
            }),
        });
        return;
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited ${code} before listening`)));
  });
}

const CLK_TCK = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

function statFields(pid: number): string[] | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' '); // fields from #3 (state) on
  } catch {
    return undefined;
  }
}

/** The process and its direct children (cluster workers). */
export function processTree(pid: number): number[] {
  const pids = [pid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(Number(entry));
    if (f && Number(f[1]) === pid) pids.push(Number(entry));
  }
  return pids;
}

/** CPU seconds (user + system) used so far by each pid. */
export function cpuSeconds(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const f = statFields(pid);
    if (f) out.set(pid, (Number(f[11]) + Number(f[12])) / CLK_TCK);
  }
  return out;
}

export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs fn and returns its result plus the CPU seconds the process tree spent meanwhile (per pid and total). */
export async function withCpu<T>(
  pid: number,
  fn: () => Promise<T>,
): Promise<{ result: T; cpu: number; perPid: Map<number, number> }> {
  const pids = processTree(pid);
  const before = cpuSeconds(pids);
  const result = await fn();
  const after = cpuSeconds(pids);
  const perPid = new Map<number, number>();
  let cpu = 0;
  for (const [p, t] of after) {
    const d = t - (before.get(p) ?? t);
    perPid.set(p, d);
    cpu += d;
  }
  return { result, cpu, perPid };
}
