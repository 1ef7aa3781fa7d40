#!/usr/bin/env node
import cluster from 'node:cluster';
import { hideBin } from 'yargs/helpers';
import { runPrimary } from './cluster/primary.js';
import { runClusterWorker } from './cluster/worker.js';
import { loadConfig } from './config/load.js';
import { type Config } from './config/options.js';
import { chooseTokenizer } from './generation/tokenizer.js';
import { createLogger, type Logger } from './logging/logger.js';
import { applyHeapGrowth } from './server/heap.js';
import { startServer } from './server/serve.js';
import { GlobalState } from './telemetry/global-state.js';
import { serveDcgmPorts } from './telemetry/dcgm/ports.js';
import { LocalSink } from './telemetry/local-sink.js';

const startedAt = performance.now();
const startedEpochMs = Date.now();
// A closed stdout (`| head`, a detached terminal) must not take the server down with EPIPE.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

async function runSingle(config: Config, logger: Logger): Promise<void> {
  const tokenizer = chooseTokenizer(config.tokenizer, config.noTokenizer);
  if (tokenizer.warning) logger.warn(tokenizer.warning);
  const state = new GlobalState(config, startedAt);
  state.startSampling();
  const workerId = 'worker-0';
  const running = await startServer({
    config,
    logger,
    tokenizer,
    sink: new LocalSink(state, workerId),
    global: () => Promise.resolve(state.snapshot()),
    metrics: (page) => state.renderMetrics(page),
    workerId,
    slot: 0,
    startedAt,
    startedEpochMs,
  });
  if (running.engine) state.attachEngine(running.engine);
  logger.info('listening', {
    url: running.url,
    workers: 1,
    pid: process.pid,
    startupMs: Math.round(performance.now()),
  });
  const dcgmServers = serveDcgmPorts(config, state, logger);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down: draining open requests', { signal, timeoutSec: config.shutdownTimeout });
    for (const s of dcgmServers) s.close();
    void running.drain(config.shutdownTimeout).then(() => {
      state.stop();
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function main(): Promise<void> {
  if (cluster.isWorker) {
    await runClusterWorker(startedAt);
    return;
  }
  const result = loadConfig(hideBin(process.argv), process.env);
  if (result.kind === 'exit') {
    process.stdout.write(result.output + '\n');
    process.exit(result.code);
  }
  if (result.kind === 'invalid') {
    for (const problem of result.problems) process.stderr.write(`aiperf-mock-server: ${problem}\n`);
    process.exit(2);
  }
  const { config } = result;
  applyHeapGrowth(config.heapGrowthPercent);
  const logger = createLogger(config.logLevel);
  if (config.workers > 1) {
    const tokenizer = chooseTokenizer(config.tokenizer, config.noTokenizer);
    if (tokenizer.warning) logger.warn(tokenizer.warning);
    runPrimary(config, logger, tokenizer, startedEpochMs);
    return;
  }
  await runSingle(config, logger);
}

main().catch((err: unknown) => {
  process.stderr.write(`aiperf-mock-server: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
