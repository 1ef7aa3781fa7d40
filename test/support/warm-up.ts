import { callFresh } from './server.js';

/** The warm-up's progress as /health reports it (src/server/warm-up.ts). */
export interface WarmUpStatus {
  state: string;
  requests: number;
  of: number;
  failed: number;
}

export async function health(url: string): Promise<{ warm_up: WarmUpStatus; telemetry: Record<string, number> }> {
  // A fresh connection each time, so a cluster's workers answer in turn.
  return (await callFresh(`${url}/health`, 'GET')).json as unknown as {
    warm_up: WarmUpStatus;
    telemetry: Record<string, number>;
  };
}

/** Until `inARow` answers in a row say the warm-up is done (polls spaced: each one pauses it). */
export async function warmedUp(url: string, inARow = 1): Promise<WarmUpStatus> {
  let seen = 0;
  for (let i = 0; i < 240; i++) {
    const h = await health(url);
    seen = h.warm_up.state === 'done' ? seen + 1 : 0;
    if (seen >= inARow) return h.warm_up;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the warm-up did not finish in 60 s');
}
