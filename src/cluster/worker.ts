import { createLogger } from '../logging/logger.js';
import { applyHeapGrowth } from '../server/heap.js';
import { prepare, type RunningServer, startServer } from '../server/serve.js';
import { IpcSink } from './ipc-sink.js';
import { type LiveConfig } from '../config/live.js';
import { RemoteEngine } from './remote-engine.js';
import { BOOTSTRAP_ENV, isPrimaryMessage, type WorkerBootstrap, type WorkerToPrimary } from './messages.js';

/**
 * A cluster worker: serves on the shared socket, reports to the primary, drains when told to.
 * A spare (bootstrap slot null) loads everything, reports ready, and starts serving only when the
 * primary hands it a dead worker's slot: promotion then takes milliseconds, not a whole boot.
 */
export async function runClusterWorker(startedAt: number): Promise<void> {
  const boot = JSON.parse(process.env[BOOTSTRAP_ENV] ?? '{}') as WorkerBootstrap;
  const { config } = boot;
  applyHeapGrowth(config.heapGrowthPercent);
  const send = (msg: WorkerToPrimary): void => {
    if (process.connected) process.send?.(msg);
  };
  const sink = new IpcSink(send, config.kvEventsEndpoint !== '');
  const live: LiveConfig = { current: config };
  const engine = config.engineModel === 'batch' ? new RemoteEngine(send) : null;
  // The primary decides when to stop; a terminal's Ctrl-C reaches us too, so do not die on it.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);
  const prepared = prepare(config, boot.tokenizer);
  let running: RunningServer | null = null;
  const serve = async (slot: number): Promise<void> => {
    const workerId = `worker-${slot}`;
    const logger = createLogger(config.logLevel, { worker: workerId });
    running = await startServer({
      config,
      prepared,
      engine,
      logger,
      tokenizer: boot.tokenizer,
      sink,
      // Packs the warm-up's events as the real sink does, and sends them nowhere.
      warmUpSink: () => new IpcSink(() => undefined),
      global: () => sink.snapshot(),
      metrics: (page) => sink.metrics(page),
      videos: sink.videos,
      prefix: config.prefixCaching ? sink.prefix : null,
      live,
      admin: sink.admin,
      workerId,
      slot,
      startedAt,
      startedEpochMs: boot.startedEpochMs,
    });
    logger.debug('worker ready', { pid: process.pid, url: running.url });
  };
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await running?.drain(config.shutdownTimeout);
    sink.flush();
    process.exit(0);
  };
  process.on('message', (msg: unknown) => {
    if (!isPrimaryMessage(msg)) return;
    if (msg.type === 'shutdown') void stop();
    else if (msg.type === 'activate') void serve(msg.slot);
    else if (msg.type === 'config') live.current = msg.config;
    else if (msg.type === 'engine-answer' || msg.type === 'engine-progress') engine?.receive(msg);
    else sink.receive(msg);
  });
  // Orphaned (the primary died): nobody can route to us or read our telemetry any more.
  process.on('disconnect', () => void stop());
  if (boot.slot === null) send({ type: 'spare-ready' });
  else await serve(boot.slot);
}
