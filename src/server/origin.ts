import { type IncomingMessage } from 'node:http';

/** The scheme and authority the client used to reach us, for URLs in answers (image and video content). */
export function originOf(req: IncomingMessage): string {
  const host = req.headers.host ?? `${req.socket.localAddress ?? '127.0.0.1'}:${req.socket.localPort ?? 80}`;
  return `http://${host}`;
}
