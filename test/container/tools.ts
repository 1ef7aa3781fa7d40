import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
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
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
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
