import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Logger } from '../logging/logger.js';
import { quickTierUp } from './tier-up.js';

export type WarmUpState = 'off' | 'warming' | 'paused' | 'done';

/** What /health shows of a worker's warm-up. */
export interface WarmUpStatus {
  readonly state: WarmUpState;
  /** Requests answered so far, and how many it sends in all. */
  readonly requests: number;
  readonly of: number;
  /** Answers that were not a 200 (0 unless the server's options refuse the warm-up's requests). */
  readonly failed: number;
  /** From its start until it was done (it pauses while clients are served), ms. */
  readonly ms: number | null;
}

export interface WarmUp {
  status(): WarmUpStatus;
  /** Stops sending and closes its private server (the worker is draining). */
  stop(): void;
}

export interface WarmUpOptions {
  /** Requests to send in all. */
  readonly total: number;
  /** The private server's request listener: the real server's code on a throwaway context. */
  readonly listener: RequestListener;
  readonly serverOptions?: ServerOptions | undefined;
  /** Raw HTTP/1.1 requests (keep-alive), sent in turn. */
  readonly requests: readonly string[];
  /** Whether a client is being served now (the warm-up waits while it is). */
  readonly busy: () => boolean;
  readonly logger: Logger;
  /** Called on each of the private server's new connections (the arrival queue's accept rule). */
  readonly onConnection?: () => void;
  /** Connections, one request in flight on each. */
  readonly connections?: number;
  /** Called once when the warm-up is over (done or stopped), after it let go of its private server. */
  readonly onDone?: () => void;
  /** Switches the private context's latency for the bursts (true before them, false after). */
  readonly bursting?: (on: boolean) => void;
}

/** Requests per connection before it is closed and another opened: a benchmark opens many (its start, --connection-reuse-strategy never). */
const REQUESTS_PER_CONNECTION = 8;

/** The bursts the warm-up opens with (see `bursts` in startWarmUp): how many, of how many requests. */
const BURSTS = 3;
const BURST_SIZE = 64;

/** How long after a client's request (not a GET) the warm-up waits, and how often it looks again. */
export const QUIET_MS = 200;

export const WARM_UP_OFF: WarmUp = {
  status: () => ({ state: 'off', requests: 0, of: 0, failed: 0, ms: null }),
  stop: () => undefined,
};

/**
 * Warms a worker's request path before clients need it (docs/decisions/0012). V8 compiles a function
 * with its optimising compiler only after it has run enough, and the request path's functions run once
 * per request: a fresh server needs a few thousand requests before its bursts cost what they cost
 * later (half, measured). So after start-up the worker sends itself `total` generation requests over
 * loopback, to a private server on an ephemeral port that runs the same code on a throwaway context
 * (warm-up-context.ts: nothing a client sees is touched): node's HTTP parser, express, the body parser, the
 * API's parse and plan, the tokenizer, the streaming loop and the formatters all run as for a client.
 * It yields to clients: it sends nothing while the real server has a generation in flight, a request
 * waiting for the app, or had a request other than a GET in the last QUIET_MS, so a client that comes
 * meanwhile waits for at most the requests already on their way. GETs (health probes, scrapes, polls)
 * do not pause it: a probe every few hundred milliseconds would otherwise keep it from ever finishing.
 */
export function startWarmUp(options: WarmUpOptions): WarmUp {
  const total = options.total;
  const logger = options.logger;
  let state: WarmUpState = 'warming';
  let answered = 0;
  let failed = 0;
  let sent = 0;
  let ms: number | null = null;
  const started = performance.now();
  // V8 compiles the request path sooner while the warm-up runs (docs/decisions/0014); put back when it ends.
  const restoreBudget = quickTierUp();
  // What holds the private app (its context, its telemetry state, its server): dropped when done, so
  // the worker's heap does not carry it for the rest of its life.
  let o: WarmUpOptions | null = options;
  let server: Server | null = createServer(
    { noDelay: true, keepAliveTimeout: 5_000, ...options.serverOptions },
    options.listener,
  );
  if (options.onConnection) server.on('connection', options.onConnection);
  const sockets = new Set<Socket>();

  /** Whether the real server is serving a client now (the warm-up shows 'paused' meanwhile); false once stopped. */
  const paused = (): boolean => {
    if (!o) return false;
    const busy = o.busy();
    state = busy ? 'paused' : 'warming';
    return busy;
  };

  /** One connection's turn: send a request when the real server is quiet, read its answer, again. */
  const connection = async (port: number): Promise<void> => {
    let socket: Socket | null = null;
    let onSocket = 0;
    while (o && sent < total) {
      if (paused()) {
        await sleep(QUIET_MS);
        continue;
      }
      const request = o.requests[sent % o.requests.length]!;
      sent++;
      if (!socket) {
        socket = await open(port, sockets);
        onSocket = 0;
      }
      const status = socket ? await exchange(socket, request) : 0;
      answered++;
      if (status !== 200) failed++;
      if (status !== 200 || ++onSocket === REQUESTS_PER_CONNECTION) {
        socket?.destroy();
        socket = null;
      }
    }
    socket?.destroy();
  };

  /**
   * Bursts first: `size` requests written in one turn on as many new connections, `count` times, each
   * when the real server is quiet. They take the paths only a burst takes (requests waiting for the app,
   * headers held behind them, overdue first events, corked sockets with several writes) while the code is
   * still cold, so that the objects those paths change (number fields that become fractions, buffers
   * that fill) reach their final shapes before V8 optimises code for the earlier ones.
   */
  const bursts = async (port: number, count: number, size: number): Promise<void> => {
    for (let b = 0; b < count && o && sent + size <= total; b++) {
      while (paused()) await sleep(QUIET_MS);
      if (!o) return;
      const socks = await Promise.all(Array.from({ length: size }, () => open(port, sockets)));
      const requests = o.requests;
      const statuses = await Promise.all(
        socks.map((socket) => (socket ? exchange(socket, requests[sent++ % requests.length]!) : Promise.resolve(0))),
      );
      for (const socket of socks) socket?.destroy();
      answered += statuses.length;
      failed += statuses.filter((s) => s !== 200).length;
    }
  };

  const run = async (s: Server, connections: number): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      // Exclusive: in a cluster worker, a plain listen would ask the primary for a shared handle.
      s.listen({ port: 0, host: '127.0.0.1', exclusive: true }, resolve);
    });
    const { port } = s.address() as AddressInfo;
    options.bursting?.(true);
    await bursts(port, BURSTS, BURST_SIZE).finally(() => options.bursting?.(false));
    await Promise.all(Array.from({ length: connections }, () => connection(port)));
  };

  /** Closes the private server and lets go of the app; false if that was done already. */
  const release = (): boolean => {
    if (!server) return false;
    restoreBudget?.();
    for (const s of sockets) s.destroy();
    server.close();
    server.closeAllConnections();
    server = null;
    const onDone = o?.onDone;
    o = null;
    onDone?.();
    return true;
  };

  void run(server, options.connections ?? 16)
    .catch((err: unknown) => logger.warn('warm-up stopped', { error: String(err) }))
    .finally(() => {
      if (!release()) return; // stopped
      state = 'done';
      ms = performance.now() - started;
      logger[failed > 0 ? 'warn' : 'info']('warm-up done', { requests: answered, failed, ms: Math.round(ms) });
    });

  return {
    status: () => ({ state, requests: answered, of: total, failed, ms }),
    stop: () => {
      if (release()) state = 'done';
    },
  };
}

function open(port: number, sockets: Set<Socket>): Promise<Socket | null> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.once('connect', () => resolve(socket));
    // An error (the private server closed at a stop) is followed by 'close'; before connect it is no socket.
    socket.on('error', () => resolve(null));
  });
}

/**
 * Writes one request and reads its answer to the end: by Content-Length, or to the last chunk of a
 * chunked body (the warm-up's answers are one or the other). Resolves with the status (0: no answer).
 */
function exchange(socket: Socket, request: string): Promise<number> {
  return new Promise((resolve) => {
    let text = '';
    let bodyStart = -1;
    let length = -1;
    const done = (status: number): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(status);
    };
    const onClose = (): void => done(0);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      if (bodyStart < 0) {
        const end = text.indexOf('\r\n\r\n');
        if (end < 0) return;
        bodyStart = end + 4;
        const m = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end));
        length = m ? Number(m[1]) : -1;
      }
      const complete = length >= 0 ? text.length - bodyStart >= length : text.endsWith('\r\n0\r\n\r\n');
      if (complete) done(Number(text.slice(9, 12)));
    };
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write(request);
  });
}
