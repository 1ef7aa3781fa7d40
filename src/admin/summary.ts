import { type RequestEnded } from '../telemetry/events.js';

/** Histogram bounds (tokens): powers of two, so any ISL/OSL distribution shows its shape. */
const BOUNDS = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072];

class Histogram {
  readonly counts = new Array<number>(BOUNDS.length + 1).fill(0);
  sum = 0;
  n = 0;
  min = Infinity;
  max = -Infinity;
  add(v: number): void {
    let i = 0;
    while (i < BOUNDS.length && v > BOUNDS[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.n++;
    this.min = Math.min(this.min, v);
    this.max = Math.max(this.max, v);
  }
  toJSON() {
    const buckets: Record<string, number> = {};
    BOUNDS.forEach((b, i) => {
      if (this.counts[i]) buckets[`le_${b}`] = this.counts[i]!;
    });
    if (this.counts[BOUNDS.length]) buckets['le_inf'] = this.counts[BOUNDS.length]!;
    return this.n === 0
      ? { count: 0 }
      : { count: this.n, mean: this.sum / this.n, min: this.min, max: this.max, buckets };
  }
}

/**
 * What the clients sent, server-wide: requests per route and model (by status), and the input and output
 * length distributions of the admitted ones, so "did the client send the ISL/OSL it claims" is one GET.
 */
export class RequestSummary {
  private readonly byRoute = new Map<string, { requests: number; byStatus: Record<string, number> }>();
  private readonly byModel = new Map<string, number>();
  private isl = new Histogram();
  private osl = new Histogram();
  private requests = 0;

  add(e: RequestEnded): void {
    this.requests++;
    let r = this.byRoute.get(e.endpoint);
    if (!r) this.byRoute.set(e.endpoint, (r = { requests: 0, byStatus: {} }));
    r.requests++;
    r.byStatus[e.status] = (r.byStatus[e.status] ?? 0) + 1;
    this.byModel.set(e.model, (this.byModel.get(e.model) ?? 0) + 1);
    if (!e.admitted) return;
    this.isl.add(e.promptTokens);
    if (e.generation) this.osl.add(e.completionTokens);
  }

  reset(): void {
    this.byRoute.clear();
    this.byModel.clear();
    this.isl = new Histogram();
    this.osl = new Histogram();
    this.requests = 0;
  }

  toJSON() {
    return {
      requests: this.requests,
      routes: Object.fromEntries(this.byRoute),
      models: Object.fromEntries(this.byModel),
      inputTokens: this.isl.toJSON(),
      outputTokens: this.osl.toJSON(),
    };
  }
}
