import { type Config } from '../../config/options.js';
import { type RequestEvent } from '../events.js';
import { dynamoComponentPage, dynamoFrontendPage } from './dynamo.js';
import { type EngineGauges } from '../../engine/runner.js';
import { type PrefixCache } from '../../cache/prefix-cache.js';
import { LoadTracker } from './load.js';
import { mockPage, scenarioGauge } from './mock.js';
import { type MetricsPage, type PageContext } from './page.js';
import { sglangPage } from './sglang.js';
import { trtllmPage } from './trtllm.js';
import { vllmPage } from './vllm.js';

export const PAGE_NAMES = [
  'mock',
  'vllm',
  'sglang',
  'trtllm',
  'dynamo_frontend',
  'dynamo_prefill',
  'dynamo_decode',
  'dcgm1',
  'dcgm2',
] as const;
export type PageName = (typeof PAGE_NAMES)[number];
/** The pages this hub renders; the DCGM nodes render themselves. */
export type EnginePage = Exclude<PageName, 'dcgm1' | 'dcgm2'>;

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Every Prometheus page, fed from the one stream of request events. Lives with the global state:
 * in the primary in cluster mode, so every page is one view of the whole server.
 */
export class MetricsHub {
  private readonly load: LoadTracker;
  private readonly pages: Record<EnginePage, MetricsPage>;
  /** The same pages as a list: every request event walks it twice (start, end), without a new array. */
  private readonly list: readonly MetricsPage[];

  constructor(config: Config, startedAt: number) {
    this.load = new LoadTracker({
      blocks: config.kvBlocks,
      blockTokens: config.kvBlockTokens,
      prefixCaching: config.prefixCaching,
    });
    const ctx: PageContext = { load: this.load, defaultModel: config.defaultModel, startedAt };
    this.pages = {
      mock: mockPage(ctx),
      vllm: vllmPage(ctx),
      sglang: sglangPage(ctx),
      trtllm: trtllmPage(ctx, config.trtllmLegacyNames),
      dynamo_frontend: dynamoFrontendPage(ctx),
      dynamo_prefill: dynamoComponentPage(ctx, 'prefill'),
      dynamo_decode: dynamoComponentPage(ctx, 'decode'),
    };
    this.list = Object.values(this.pages);
  }

  attachScenario(phases: readonly string[], active: () => number): void {
    this.load.scenario = { phases, active };
    this.pages.mock.registry.registerMetric(scenarioGauge(this.load));
  }

  attachPrefixCache(cache: PrefixCache | null): void {
    this.load.prefix = cache;
  }

  /** The engine model's live state drives the engine gauges from now on. */
  attachEngine(engine: EngineGauges): void {
    this.load.engine = engine;
    engine.onStep((tokens) => {
      if (tokens === 0) return; // a step that only waited is not an iteration
      for (const page of this.list) page.engineStep?.(tokens);
    });
  }

  apply(event: RequestEvent): void {
    if (event.kind === 'control') {
      for (const page of this.list) page.control?.(event.call);
      return;
    }
    if (event.kind === 'start') this.load.start(event);
    else this.load.end(event);
    for (const page of this.list) {
      if (event.kind === 'start') page.start(event);
      else page.end(event);
    }
  }

  async render(page: EnginePage): Promise<string> {
    return leLast(await this.pages[page].registry.metrics());
  }
}

/**
 * prom-client writes a bucket's `le` before its other labels; the Python and Rust clients the real
 * engines use write it last (`{model_name="m",engine="0",le="0.5"}`), and some text parsers only
 * group buckets correctly that way. Same samples, the engines' order.
 */
export function leLast(text: string): string {
  return text.replace(/\{le="([^"]*)",([^}]*)\}/g, '{$2,le="$1"}');
}
