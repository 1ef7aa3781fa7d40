import { type ServerResponse } from 'node:http';
import { type ApiRequest } from './context.js';
import { type ErrorFamily } from './errors.js';

/** One step of a route's chain, called as connect/express middleware is: `next(err)` stops it. */
export type Step = (req: ApiRequest, res: ServerResponse, next: (err?: unknown) => void) => unknown;

interface PathEntry {
  readonly family: ErrorFamily;
  readonly methods: Map<string, readonly Step[]>;
}

/**
 * The route table by exact path: every path is static, so one Map lookup finds a route's chain.
 * Paths compare as express compared them (case-insensitive, one optional trailing slash) and HEAD
 * is served by the GET chain (node drops the body). Why not express's router: docs/decisions/0005.
 */
export class Dispatcher {
  private readonly byPath = new Map<string, PathEntry>();

  add(method: 'GET' | 'POST', path: string, family: ErrorFamily, chain: readonly Step[]): void {
    const key = routeKey(path);
    const entry = this.byPath.get(key) ?? { family, methods: new Map<string, readonly Step[]>() };
    entry.methods.set(method, chain);
    this.byPath.set(key, entry);
  }

  /** The chain for this method and path, undefined when there is none. */
  chain(method: string, path: string): readonly Step[] | undefined {
    return this.byPath.get(routeKey(path))?.methods.get(method === 'HEAD' ? 'GET' : method);
  }

  /** The methods a path answers (for 405's Allow), undefined for an unknown path. */
  methods(path: string): string[] | undefined {
    const entry = this.byPath.get(routeKey(path));
    return entry ? [...entry.methods.keys()] : undefined;
  }

  /** Whose error shape a failure on this path takes (OpenAI's for unknown paths). */
  family(path: string): ErrorFamily {
    return this.byPath.get(routeKey(path))?.family ?? 'openai';
  }
}

/** The path part of a request target (origin form, or absolute form as a proxy would send it). */
export function pathOf(url: string): string {
  if (!url.startsWith('/')) {
    try {
      return new URL(url).pathname;
    } catch {
      return url;
    }
  }
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function routeKey(path: string): string {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.toLowerCase();
}

/**
 * Calls each step in turn through `next`; `done` gets the first error (a throw, a rejected promise or
 * `next(err)`), or nothing when the last step called `next()` without answering.
 */
export function runChain(
  chain: readonly Step[],
  req: ApiRequest,
  res: ServerResponse,
  done: (err?: unknown) => void,
): void {
  let i = 0;
  const next = (err?: unknown): void => {
    if (err !== undefined && err !== null) {
      done(err);
      return;
    }
    const step = chain[i++];
    if (!step) {
      done();
      return;
    }
    try {
      const out = step(req, res, next);
      if (out instanceof Promise) out.catch(done);
    } catch (e) {
      done(e);
    }
  };
  next();
}
