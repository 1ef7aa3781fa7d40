import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root (dist/test/container → ../../..). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DOCKER = process.env['DOCKER'] ?? '/usr/bin/docker';
export const HELM = process.env['HELM'] ?? 'helm';

/** Runs a command to completion; rejects with its output when it fails. */
export function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      {
        cwd: opts.cwd ?? ROOT,
        env: { ...process.env, ...opts.env },
        timeout: opts.timeoutMs ?? 300_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

/** Runs a command and resolves with its exit code (no throw). */
export function exitCode(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
    p.on('exit', (code) => resolve(code ?? -1));
    p.on('error', () => resolve(-1));
  });
}

export function startProcess(cmd: string, args: string[]): ChildProcess {
  return spawn(cmd, args, { cwd: ROOT, stdio: 'ignore' });
}

/** A free TCP port on loopback (closed again before it is used; good enough for a test). */
/** Below Linux's ephemeral range (32768–60999 by default), where outgoing connections take their ports. */
const PORT_RANGE = { from: 20_000, to: 32_000 };

/** Listens on a loopback port, or resolves null when it is taken. */
function tryListen(port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(null));
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

/**
 * `n` distinct free loopback ports for a test to publish container ports on. A CI run's compose `up`
 * failed with "Bind for 127.0.0.1:N failed: port is already allocated" when the ports came from four
 * `listen(0)` calls in a row. Either of two things does that, and neither can happen here: two calls
 * returned the same port (all n stay bound until every one is found), or the port was taken during the
 * minutes-long `up --build` (these are below the kernel's ephemeral range, which `listen(0)` and
 * outgoing connections draw from).
 */
export async function freePorts(n: number): Promise<number[]> {
  const held: Server[] = [];
  const ports: number[] = [];
  const span = PORT_RANGE.to - PORT_RANGE.from;
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span && ports.length < n; i++) {
    const port = PORT_RANGE.from + ((start + i) % span);
    const s = await tryListen(port);
    if (s === null) continue;
    held.push(s);
    ports.push(port);
  }
  await Promise.all(held.map((s) => new Promise((done) => s.close(done))));
  if (ports.length < n) throw new Error(`only ${ports.length} free ports in ${PORT_RANGE.from}-${PORT_RANGE.to}`);
  return ports;
}

export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== null) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Container health as Docker's HEALTHCHECK reports it. */
export async function health(container: string): Promise<string> {
  return (await run(DOCKER, ['inspect', '-f', '{{.State.Health.Status}}', container])).stdout.trim();
}

/** The loopback host port Docker published for a container port. */
export async function hostPort(container: string, port: number): Promise<number> {
  const out = (await run(DOCKER, ['port', container, `${port}/tcp`])).stdout.trim().split('\n')[0]!;
  return Number(out.slice(out.lastIndexOf(':') + 1));
}
