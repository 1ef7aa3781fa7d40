import { type IncomingMessage, type ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * helmet's response headers, computed once. helmet as middleware re-sets the same static headers on
 * every response through a dozen setHeader calls and middleware hops; every response here is written
 * with writeHead, so the set is passed there instead (respond.ts decides which responses get it).
 * HSTS is left out: it makes no sense on a plain-HTTP mock and would pin browsers that visit it.
 */
function collect(): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name];
    },
    getHeader: (name: string) => headers[name],
  } as unknown as ServerResponse;
  helmet({ strictTransportSecurity: false })({} as IncomingMessage, res, () => undefined);
  return Object.freeze(headers);
}

export const SECURITY_HEADERS = collect();
