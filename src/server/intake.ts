import { type ServerResponse } from 'node:http';
import { type ApiRequest, type AppContext } from './context.js';
import { type ErrorFamily, toApiError } from './errors.js';
import { reportEnd } from './request-events.js';
import { FAULT_HEADER, type Fault, httpFault, parseFault } from './faults.js';
import { checkModel } from './models.js';
import { refused } from './request-events.js';
import { sendError } from './respond.js';

/** How one route reads its requests, for the intake every request path shares. */
export interface IntakeOptions<T> {
  readonly endpoint: string;
  /** Whether it is a text generation (engine pages count it). */
  readonly generation: boolean;
  readonly family: ErrorFamily;
  /** Parses (and may plan) the request; throws an ApiError for bad input. */
  readonly parse: () => T;
  readonly model: (request: T) => string;
}

/**
 * The first step of every request path: parse, the served-model check, then fault injection (the
 * `X-Mock-Fault` header forces one; otherwise the seeded rates may draw one). A refusal is answered
 * here in the route's error shape and counted (null); otherwise the request and its non-HTTP fault.
 */
export function intake<T>(
  ctx: AppContext,
  req: ApiRequest,
  res: ServerResponse,
  o: IntakeOptions<T>,
): { request: T; fault: Fault | null } | null {
  let injected = false;
  try {
    const request = o.parse();
    checkModel(ctx, o.model(request));
    const fault = parseFault(req.headers[FAULT_HEADER]) ?? ctx.drawFault();
    if (fault) req.fault = fault.kind === 'http' ? `http-${fault.status}` : fault.kind;
    injected = fault?.kind === 'http';
    if (fault?.kind === 'http') throw httpFault(fault.status);
    return { request, fault };
  } catch (err) {
    const apiErr = toApiError(err);
    if (apiErr.status >= 500 && !injected)
      ctx.logger.error('request failed', { path: o.endpoint, status: apiErr.status, error: String(err) });
    const kind = injected ? 'injected' : apiErr.status >= 500 ? 'internal' : 'validation';
    reportEnd(
      ctx,
      req,
      refused(o.endpoint, o.generation, req.body, apiErr.status, kind, performance.now() - req.arrival),
    );
    sendError(res, apiErr, o.family);
    return null;
  }
}
