import cluster, { type Worker } from 'node:cluster';
import { type Config } from '../config/options.js';
import { type TokenizerChoice } from '../generation/tokenizer.js';
import { type Logger } from '../logging/logger.js';
import { serveDcgmPorts } from '../telemetry/dcgm/ports.js';
import { GlobalState } from '../telemetry/global-state.js';
import { BOOTSTRAP_ENV, isWorkerMessage, type PrimaryToWorker, type WorkerBootstrap } from './messages.js';

const workerKey = (slot: number): string => `worker-${slot}`;

/**
 * The cluster primary: forks N workers on one shared listening socket, owns the global state
 * (fed by the workers' telemetry batches), answers their snapshot queries, replaces a worker that
 * dies, and orchestrates a graceful drain on SIGTERM/SIGINT.
 */
export function runPrimary(config: Config, logger: Logger, tokenizer: TokenizerChoice): void {
  const state = new GlobalState(config);
  state.startSampling();
  const bySlot = new Map<number, Worker>();
  const everListened = new Set<number>();
  let shuttingDown = false;
  let announced = false;

  const fork = (slot: number): void => {
    const bootstrap: WorkerBootstrap = { config, tokenizer, slot };
    const worker = cluster.fork({ [BOOTSTRAP_ENV]: JSON.stringify(bootstrap) });
    bySlot.set(slot, worker);
    const key = workerKey(slot);
    worker.on('message', (msg: unknown) => {
      if (!isWorkerMessage(msg)) return;
      if (msg.type === 'telemetry') {
        for (const event of msg.requests) state.applyRequest(key, event);
        state.addTokens(key, msg.tokens);
        return;
      }
      const answer = (reply: PrimaryToWorker): void => {
        if (worker.isConnected()) worker.send(reply);
      };
      if (msg.type === 'query') answer({ type: 'snapshot', id: msg.id, snapshot: state.snapshot() });
      else void state.renderMetrics(msg.page).then((text) => answer({ type: 'metrics-text', id: msg.id, text }));
    });
    worker.on('listening', (addr) => {
      everListened.add(slot);
      if (!announced && everListened.size === config.workers) {
        announced = true;
        const host = addr.addressType === 6 ? `[${addr.address}]` : (addr.address ?? config.host);
        logger.info('listening', { url: `http://${host}:${addr.port}`, workers: config.workers, pid: process.pid });
      }
    });
    worker.on('exit', (code, signal) => {
      if (bySlot.get(slot) === worker) bySlot.delete(slot);
      state.workerGone(key);
      if (shuttingDown) return;
      if (!everListened.has(slot)) {
        // A worker that never came up would fail the same way again: stop instead of looping.
        logger.error('worker failed during start-up; exiting', { slot, code, signal });
        shutdown(1);
        return;
      }
      state.workerRestarts++;
      logger.warn('worker died; starting a replacement', { slot, code, signal, restarts: state.workerRestarts });
      fork(slot);
    });
  };

  const shutdown = (exitCode: number): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info('shutting down: draining workers', { timeoutSec: config.shutdownTimeout });
    for (const w of bySlot.values()) if (w.isConnected()) w.send({ type: 'shutdown' } satisfies PrimaryToWorker);
    const hardStop = setTimeout(
      () => {
        for (const w of bySlot.values()) w.process.kill('SIGKILL');
      },
      (config.shutdownTimeout + 5) * 1000,
    );
    hardStop.unref();
    const waitAll = (): void => {
      if (bySlot.size === 0) {
        state.stop();
        logger.info('stopped');
        process.exit(exitCode);
      }
    };
    cluster.on('exit', waitAll);
    waitAll();
  };

  process.on('SIGTERM', () => shutdown(0));
  process.on('SIGINT', () => shutdown(0));
  for (let slot = 0; slot < config.workers; slot++) fork(slot);
  serveDcgmPorts(config, state, logger);
}
