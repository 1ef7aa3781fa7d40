import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));

export interface TestServer {
  readonly url: string;
  readonly proc: ChildProcess;
  /** Every log line the server printed so far (JSON objects, since stdout is not a TTY). */
  readonly logs: Record<string, unknown>[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the real server (built entry point) on a free port and resolves once it logs "listening". */
export function startServer(
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 15_000,
  nodeArgs: readonly string[] = [],
): Promise<TestServer> {
  // DCGM ports off unless a test asks: parallel servers would fight over 9400/9401.
  const dcgm = args.includes('--dcgm-port') ? [] : ['--dcgm-port', '0'];
  // No warm-up unless a test asks: it would run between a test's steps (whenever the server is idle)
  // and each server would spend a second or two of CPU on it (test/integration/warm-up.test.ts checks it).
  const warm = args.includes('--warm-up-requests') ? [] : ['--warm-up-requests', '0'];
  const proc = spawn(process.execPath, [...nodeArgs, MAIN, '--port', '0', ...dcgm, ...warm, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not start in ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        logs.push(entry);
        if (entry['message'] === 'listening') {
          clearTimeout(timer);
          resolve({
            url: String(entry['url']),
            proc,
            logs,
            stop: (signal: NodeJS.Signals = 'SIGTERM') => {
              if (proc.exitCode !== null || proc.signalCode !== null) return exited;
              proc.kill(signal);
              return exited;
            },
          });
        }
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
}

/**
 * Reads until `done` holds or `timeoutMs` passes, and returns the last reading (the caller asserts on it).
 * Why: in cluster mode the workers' telemetry reaches the primary in batches (src/cluster/ipc-sink.ts),
 * so a count read right after the requests may not include them yet; a fixed wait sized to the batch
 * interval fails on a slow host and breaks when the interval changes.
 */
export async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await read();
  while (!done(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    v = await read();
  }
  return v;
}

export async function getJson<T = Record<string, unknown>>(url: string): Promise<T> {
  const res = await fetch(url);
  return (await res.json()) as T;
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/**
 * POSTs a streaming chat completion (`ignore_eos`, so exactly `maxTokens` token events) on its own
 * connection through node:http, which hands each socket read to `onResponse`'s listeners as it comes:
 * for tests that time or cut a stream by the byte, where an SDK would buffer or parse in between.
 */
export function postChatStream(
  url: string,
  content: string,
  maxTokens: number,
  onResponse: (res: IncomingMessage) => void,
): ClientRequest {
  const req = request(
    `${url}/v1/chat/completions`,
    { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
    onResponse,
  );
  req.end(
    JSON.stringify({
      model: 'm',
      messages: [{ role: 'user', content }],
      max_tokens: maxTokens,
      ignore_eos: true,
      stream: true,
    }),
  );
  return req;
}

/**
 * One request on a fresh connection, so the cluster spreads them over its workers. It fails after
 * `timeoutMs` rather than hanging: a worker killed mid-request leaves its connections unanswered.
 */
export function callFresh(
  url: string,
  method: string,
  body?: unknown,
  timeoutMs = 5000,
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}`,
      { method, agent: false, timeout: timeoutMs, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
