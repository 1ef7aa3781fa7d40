/** Prints docs/metrics.md's generated part (every page's series) from this build: `node dist/scripts/metrics-doc.js`. */
import { loadConfig } from '../src/config/load.js';
import { metricsCatalog } from '../src/telemetry/metrics/catalog.js';

const PATHS: Record<string, string> = {
  mock: '/metrics (default page)',
  vllm: '/vllm/metrics',
  sglang: '/sglang/metrics',
  trtllm: '/trtllm/metrics, /trtllm/prometheus/metrics, /prometheus/metrics',
  dynamo_frontend: '/dynamo_frontend/metrics',
  dynamo_prefill: '/dynamo_component/prefill/metrics',
  dynamo_decode: '/dynamo_component/decode/metrics',
  dcgm1: '/dcgm1/metrics (and :9400/metrics)',
  dcgm2: '/dcgm2/metrics (and :9401/metrics)',
};

const result = loadConfig([], {});
if (result.kind !== 'ok') throw new Error('default config did not load');
const catalog = await metricsCatalog(result.config);
for (const [page, families] of catalog) {
  console.log(`### \`${page}\`: ${PATHS[page]}\n`);
  console.log('| Series | Type | Labels | Buckets | Help |');
  console.log('|---|---|---|---|---|');
  for (const f of families) {
    const labels = f.labels.map((l) => `\`${l}\``).join(', ');
    const buckets =
      f.buckets.length > 12
        ? `${f.buckets.slice(0, 4).join(', ')} … ${f.buckets.at(-1)} (${f.buckets.length})`
        : f.buckets.join(', ');
    console.log(`| \`${f.name}\` | ${f.type} | ${labels} | ${buckets} | ${f.help.replace(/\|/g, '\\|')} |`);
  }
  console.log();
}
process.exit(0);
