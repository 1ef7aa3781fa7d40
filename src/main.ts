#!/usr/bin/env node
import cluster from 'node:cluster';
import { hideBin } from 'yargs/helpers';
import { runPrimary } from './cluster/primary.js';
import { runClusterWorker } from './cluster/worker.js';
import { loadConfig } from './config/load.js';
import { chooseTokenizer } from './generation/tokenizer.js';
import { createLogger } from './logging/logger.js';
import { applyHeapGrowth } from './server/heap.js';
import { runSingle } from './server/single.js';

const startedAt = performance.now();
const startedEpochMs = Date.now();
// A closed stdout (`| head`, a detached terminal) must not take the server down with EPIPE.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

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
    const tokenizer = chooseTokenizer(config.tokenizer, config.noTokenizer, config.tokenizerRevision);
    if (tokenizer.warning) logger.warn(tokenizer.warning);
    await runPrimary(config, logger, tokenizer, startedEpochMs);
    return;
  }
  await runSingle(config, logger, { startedAt, startedEpochMs });
}

main().catch((err: unknown) => {
  process.stderr.write(`aiperf-mock-server: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
