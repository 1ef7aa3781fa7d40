import seedrandom from 'seedrandom';
import { type LiveConfig } from '../config/live.js';
import { type Config } from '../config/options.js';
import { type Fault } from './faults.js';

/**
 * One seeded draw per inference request decides its injected fault, if any: the rates are stacked
 * (500 first, then 429, 503, 400, abort, in-band error, stall), so their sum is the share of failing
 * requests and the same seed gives the same sequence in every run.
 */
export function faultDecider(live: LiveConfig, slot: number): () => Fault | null {
  let decide = faultDraw(live.current, slot);
  let seen = live.current;
  // The rates are live (/admin, scenarios): the draw is rebuilt when the config object changes.
  return () => {
    if (live.current !== seen) {
      seen = live.current;
      decide = faultDraw(seen, slot);
    }
    return decide();
  };
}

function faultDraw(config: Config, slot: number): () => Fault | null {
  const rates: [number, Fault][] = [
    [config.errorRate, { kind: 'http', status: 500 }],
    [config.rateLimitRate, { kind: 'http', status: 429 }],
    [config.overloadRate, { kind: 'http', status: 503 }],
    [config.contextErrorRate, { kind: 'http', status: 400 }],
    [config.streamAbortRate, { kind: 'abort-after', tokens: config.streamFaultAfter }],
    [config.streamErrorRate, { kind: 'error-after', tokens: config.streamFaultAfter }],
    [config.streamStallRate, { kind: 'stall', ms: config.streamStallMs }],
  ];
  const active = rates.filter(([rate]) => rate > 0);
  if (active.length === 0) return () => null;
  const rng = config.randomSeed === undefined ? seedrandom() : seedrandom(`${config.randomSeed + slot}`);
  return () => {
    let draw = rng() * 100;
    for (const [rate, fault] of active) {
      if (draw < rate) return fault;
      draw -= rate;
    }
    return null;
  };
}
