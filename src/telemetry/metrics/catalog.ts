import { type Config } from '../../config/options.js';
import { type RequestEnded, type RequestEvent } from '../events.js';
import { GlobalState } from '../global-state.js';
import { uniformGaps } from '../itl-bins.js';
import { type PageName, PAGE_NAMES } from './hub.js';

/** One metric family as a page exposes it. */
export interface FamilyDoc {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  /** Label names seen on its samples (without `le`), in page order. */
  readonly labels: readonly string[];
  /** Histogram bucket upper bounds as the page prints them (without +Inf). */
  readonly buckets: readonly string[];
}

/** Every family of one page's text, read off its HELP/TYPE lines and samples. */
export function familiesOf(text: string): FamilyDoc[] {
  const families = new Map<string, { type: string; help: string; labels: string[]; buckets: string[] }>();
  let current: { type: string; help: string; labels: string[]; buckets: string[] } | undefined;
  for (const line of text.split('\n')) {
    const help = /^# HELP (\S+) ?(.*)$/.exec(line);
    if (help) {
      current = { type: 'untyped', help: help[2]!, labels: [], buckets: [] };
      families.set(help[1]!, current);
      continue;
    }
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      current = families.get(type[1]!) ?? { type: type[2]!, help: '', labels: [], buckets: [] };
      current.type = type[2]!;
      families.set(type[1]!, current);
      continue;
    }
    if (!current || line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    if (brace < 0) continue;
    for (const m of line.slice(brace + 1, line.lastIndexOf('}')).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      if (m[1] === 'le') {
        if (m[2] !== '+Inf' && !current.buckets.includes(m[2]!)) current.buckets.push(m[2]!);
      } else if (!current.labels.includes(m[1]!)) current.labels.push(m[1]!);
    }
  }
  return [...families].map(([name, f]) => ({ name, ...f }));
}

/**
 * Every page's families as this build renders them: a fresh global state that has seen one streamed
 * chat request (so labelled series exist). What docs/metrics.md lists and its test checks.
 */
export async function metricsCatalog(config: Config): Promise<Map<PageName, FamilyDoc[]>> {
  const state = new GlobalState(config);
  for (const event of sampleTraffic(config.defaultModel)) state.applyRequest('worker-0', event);
  const out = new Map<PageName, FamilyDoc[]>();
  for (const page of PAGE_NAMES) out.set(page, familiesOf(await state.renderMetrics(page)));
  state.stop();
  return out;
}

/** One request of each ending (answered, refused, cut off), so that every labelled series has a sample. */
function sampleTraffic(model: string): RequestEvent[] {
  const common = { endpoint: '/v1/chat/completions', generation: true, model, stream: true, promptTokens: 10 };
  const end = (fields: Partial<RequestEnded>): RequestEnded => ({
    kind: 'end',
    ...common,
    admitted: true,
    status: 200,
    outcome: 'ok',
    errorType: null,
    completionTokens: 4,
    reasoningTokens: 0,
    cachedTokens: 0,
    plannedTokens: 4,
    maxTokens: 4,
    finishReason: 'length',
    queueMs: 1,
    ttftMs: 20,
    lastTokenMs: 35,
    e2eMs: 36,
    itl: uniformGaps(5, 3),
    ...fields,
  });
  const start = { kind: 'start' as const, ...common, plannedTokens: 4 };
  return [
    { kind: 'control', call: 'reset_prefix_cache' },
    start,
    end({}),
    end({
      admitted: false,
      status: 400,
      outcome: 'error',
      errorType: 'validation',
      completionTokens: 0,
      plannedTokens: 0,
      finishReason: null,
      ttftMs: null,
      lastTokenMs: null,
      itl: null,
    }),
    start,
    end({
      status: 499,
      outcome: 'disconnect',
      errorType: 'cancelled',
      completionTokens: 1,
      finishReason: 'abort',
      lastTokenMs: 20,
      itl: null,
    }),
  ];
}
