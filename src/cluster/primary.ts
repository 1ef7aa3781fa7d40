import cluster, { type Worker } from 'node:cluster';
import { type Config } from '../config/options.js';
import { type TokenizerChoice } from '../generation/tokenizer.js';
import { type Logger } from '../logging/logger.js';
import { workerExecArgv } from '../server/heap.js';
import { ownGlobalState } from '../telemetry/owner.js';
import { EngineHost } from './engine-host.js';
import { unpackEvent } from './event-wire.js';
import { BOOTSTRAP_ENV, isWorkerMessage, type PrimaryToWorker, type WorkerBootstrap } from './messages.js';

const workerKey = (slot: number): string => `worker-${slot}`;

/**
 * The cluster primary: forks N workers on one shared listening socket, owns the global state
 * (fed by the workers' telemetry batches), answers their snapshot queries, replaces a worker that
 * dies, and orchestrates a graceful drain on SIGTERM/SIGINT.
 */
export async function runPrimary(
  config: Config,
  logger: Logger,
  tokenizer: TokenizerChoice,
  startedEpochMs: number,
): Promise<void> {
  const owner = await ownGlobalState(config, logger);
  const { state } = owner;
  // Engine model: one engine for the whole server, here; workers ask it for admission and tokens.
  const engine = config.engineModel === 'batch' ? new EngineHost(config) : null;
  if (engine) owner.attachEngine(engine.runner);
  const bySlot = new Map<number, Worker>();
  const everListened = new Set<number>();
  const useSpare = config.spareWorker && config.workers > 1;
  /** The booted spare, once it said it is ready; `spareBooting` while one is starting. */
  let spare: { worker: Worker; assign: (slot: number) => void } | null = null;
  let spareBooting: Worker | null = null;
  let shuttingDown = false;
  let announced = false;
  // The workers accept their own connections (decision 0017); NODE_CLUSTER_SCHED_POLICY, when set, wins.
  if (process.env['NODE_CLUSTER_SCHED_POLICY'] === undefined) cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({ execArgv: workerExecArgv(process.execArgv, process.env['NODE_OPTIONS']) });

  /** Forks a worker for `slot`, or a spare (slot null) that gets its slot later. */
  const fork = (initialSlot: number | null): void => {
    // A worker started now (a replacement, a spare) gets the live config, not the start-up one.
    const bootstrap: WorkerBootstrap = {
      config: owner.admin.authority.current,
      tokenizer,
      slot: initialSlot,
      startedEpochMs,
    };
    const worker = cluster.fork({ [BOOTSTRAP_ENV]: JSON.stringify(bootstrap) });
    let slot = initialSlot;
    const assign = (s: number): void => {
      slot = s;
      bySlot.set(s, worker);
    };
    if (slot === null) spareBooting = worker;
    else assign(slot);
    worker.on('message', (msg: unknown) => {
      if (!isWorkerMessage(msg)) return;
      if (msg.type === 'spare-ready') {
        spareBooting = null;
        spare = { worker, assign };
        state.spareReady = true;
        return;
      }
      if (slot === null) return;
      if (msg.type === 'engine-submit') return engine?.submit(worker, msg);
      if (msg.type === 'engine-cancel') return engine?.cancel(worker, msg.id);
      const key = workerKey(slot);
      if (msg.type === 'telemetry') {
        for (const wire of msg.requests) {
          const event = unpackEvent(wire);
          if (event) state.applyRequest(key, event);
        }
        state.addTokens(key, msg.tokens);
        for (const r of msg.records ?? []) state.record(r);
        return;
      }
      const answer = (reply: PrimaryToWorker): void => {
        if (worker.isConnected()) worker.send(reply);
      };
      if (msg.type === 'prefix') {
        const cache = owner.prefix;
        if (msg.op === 'store') cache?.store(msg.hashes, msg.tokenIds);
        else if (msg.op === 'lookup')
          answer({ type: 'prefix-reply', id: msg.id, blocks: cache?.lookup(msg.hashes, msg.max) ?? 0 });
        else {
          cache?.clear();
          answer({ type: 'prefix-reply', id: msg.id, blocks: 0 });
        }
        return;
      }
      if (msg.type === 'admin') {
        answer({ type: 'admin-reply', id: msg.id, result: owner.admin.handle(msg.call) });
        return;
      }
      if (msg.type === 'query') answer({ type: 'snapshot', id: msg.id, snapshot: state.snapshot() });
      else if (msg.type === 'video') {
        const { videos } = owner;
        const job =
          msg.op === 'create'
            ? videos.create(msg.request, msg.promptTokens, msg.fail)
            : msg.op === 'get'
              ? videos.get(msg.videoId)
              : videos.remove(msg.videoId);
        answer({ type: 'video-reply', id: msg.id, job });
      } else void state.renderMetrics(msg.page).then((text) => answer({ type: 'metrics-text', id: msg.id, text }));
    });
    worker.on('listening', (addr) => {
      if (slot === null) return;
      everListened.add(slot);
      if (!announced && everListened.size === config.workers) {
        announced = true;
        const host = addr.addressType === 6 ? `[${addr.address}]` : (addr.address ?? config.host);
        logger.info('listening', { url: `http://${host}:${addr.port}`, workers: config.workers, pid: process.pid });
        if (useSpare) fork(null);
      }
    });
    worker.on('exit', (code, signal) => {
      engine?.workerGone(worker);
      if (slot === null) {
        // A spare died before it was needed: not a restart. One that failed to boot would fail again.
        const booting = spareBooting === worker;
        if (booting) spareBooting = null;
        if (spare?.worker === worker) {
          spare = null;
          state.spareReady = false;
        }
        if (shuttingDown) return;
        if (booting) logger.error('spare worker failed during start-up; running without one', { code, signal });
        else fork(null);
        return;
      }
      if (bySlot.get(slot) === worker) bySlot.delete(slot);
      state.workerGone(workerKey(slot));
      if (shuttingDown) return;
      if (!everListened.has(slot)) {
        // A worker that never came up would fail the same way again: stop instead of looping.
        logger.error('worker failed during start-up; exiting', { slot, code, signal });
        shutdown(1);
        return;
      }
      state.workerRestarts++;
      const ready = spare;
      if (ready) {
        spare = null;
        state.spareReady = false;
        ready.assign(slot);
        ready.worker.send({ type: 'activate', slot } satisfies PrimaryToWorker);
        logger.warn('worker died; the spare took its place', { slot, code, signal, restarts: state.workerRestarts });
        fork(null);
      } else {
        logger.warn('worker died; starting a replacement', { slot, code, signal, restarts: state.workerRestarts });
        fork(slot);
      }
    });
  };

  const shutdown = (exitCode: number): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info('shutting down: draining workers', { timeoutSec: config.shutdownTimeout });
    owner.closePorts();
    const spareWorker = spare?.worker ?? spareBooting;
    for (const w of [...bySlot.values(), ...(spareWorker ? [spareWorker] : [])])
      if (w.isConnected()) w.send({ type: 'shutdown' } satisfies PrimaryToWorker);
    const hardStop = setTimeout(
      () => {
        for (const w of bySlot.values()) w.process.kill('SIGKILL');
      },
      (config.shutdownTimeout + 5) * 1000,
    );
    hardStop.unref();
    const waitAll = (): void => {
      if (bySlot.size === 0) {
        void owner.stop().then(() => {
          logger.info('stopped');
          process.exit(exitCode);
        });
      }
    };
    cluster.on('exit', waitAll);
    waitAll();
  };

  // Every live change (/admin, a scenario phase) reaches every worker at once, the spare included.
  owner.admin.authority.onChange((c) => {
    const spareWorker = spare?.worker ?? spareBooting;
    for (const w of [...bySlot.values(), ...(spareWorker ? [spareWorker] : [])])
      if (w.isConnected()) w.send({ type: 'config', config: c } satisfies PrimaryToWorker);
  });
  owner.startScenario();
  process.on('SIGTERM', () => shutdown(0));
  process.on('SIGINT', () => shutdown(0));
  for (let slot = 0; slot < config.workers; slot++) fork(slot);
}
