import { createHash, timingSafeEqual } from 'node:crypto';
import { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { type Config } from '../config/options.js';
import { ApiError, type ErrorFamily } from './errors.js';
import { sendError } from './respond.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Whether a request carries the key. Digests make the compare constant-time whatever the lengths.
 * The header name matches in any case (Node lower-cases them); on Authorization, "Bearer <key>" counts.
 */
export function authorised(config: Config, headers: IncomingHttpHeaders): boolean {
  const key = config.apiKey;
  if (key === undefined || key === '') return true;
  const name = config.authHeaderName.toLowerCase();
  const raw = headers[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== 'string') return false;
  const want = digest(key);
  if (timingSafeEqual(digest(value), want)) return true;
  return name === 'authorization' && /^bearer /i.test(value) && timingSafeEqual(digest(value.slice(7)), want);
}

/** Seconds until `delaySec` after the server's start have passed (0 once ready). */
export function secondsUntilReady(startedEpochMs: number, delaySec: number, now = Date.now()): number {
  return Math.max(0, startedEpochMs + delaySec * 1000 - now) / 1000;
}

/**
 * Guards an inference route: auth first, then readiness (upstream's order), both before the body is
 * read, each answered in the route's error shape.
 */
export function inferenceGuard(config: Config, startedEpochMs: number, family: ErrorFamily) {
  const always = (config.apiKey ?? '') === '' && config.inferenceReadyDelaySeconds === 0;
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (always) return next();
    if (!authorised(config, req.headers)) {
      const err = new ApiError(
        401,
        'authentication_error',
        'Unauthorized: missing or invalid API key',
        null,
        'invalid_api_key',
        {
          'WWW-Authenticate': 'Bearer',
        },
      );
      sendError(res, err, family);
      return;
    }
    const wait = secondsUntilReady(startedEpochMs, config.inferenceReadyDelaySeconds);
    if (wait > 0) {
      const err = new ApiError(
        503,
        'service_unavailable',
        'Model not ready: workers still loading weights',
        null,
        503,
        {
          'Retry-After': String(Math.ceil(wait)),
        },
      );
      sendError(res, err, family);
      return;
    }
    next();
  };
}
