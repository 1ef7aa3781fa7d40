import { createLogger } from '../logging/logger.js';
import { startServer } from '../server/serve.js';
import { IpcSink } from './ipc-sink.js';
import { BOOTSTRAP_ENV, isPrimaryMessage, type WorkerBootstrap } from './messages.js';

/** A cluster worker: serves on the shared socket, reports to the primary, drains when told to. */
export async function runClusterWorker(startedAt: number): Promise<void> {
  const boot = JSON.parse(process.env[BOOTSTRAP_ENV] ?? '{}') as WorkerBootstrap;
  const { config } = boot;
  const workerId = `worker-${boot.slot}`;
  const logger = createLogger(config.logLevel, { worker: workerId });
  const sink = new IpcSink((msg) => {
    if (process.connected) process.send?.(msg);
  });
  // The primary decides when to stop; a terminal's Ctrl-C reaches us too, so do not die on it.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);
  const running = await startServer({
    config,
    logger,
    tokenizer: boot.tokenizer,
    sink,
    global: () => sink.snapshot(),
    metrics: (page) => sink.metrics(page),
    workerId,
    slot: boot.slot,
    startedAt,
  });
  logger.debug('worker ready', { pid: process.pid, url: running.url });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await running.drain(config.shutdownTimeout);
    sink.flush();
    process.exit(0);
  };
  process.on('message', (msg: unknown) => {
    if (!isPrimaryMessage(msg)) return;
    if (msg.type === 'shutdown') void stop();
    else sink.receive(msg);
  });
  // Orphaned (the primary died): nobody can route to us or read our telemetry any more.
  process.on('disconnect', () => void stop());
}
