import { createServer, type Server } from 'node:http';
import { type Config } from '../../config/options.js';
import { type Logger } from '../../logging/logger.js';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/hub.js';
import { type GlobalState } from '../global-state.js';

/**
 * The two simulated dcgm-exporters on their own ports (default 9400 and 9401, aiperf's default
 * GPU-telemetry URLs), served by the process that owns the global state. A port that is taken is
 * reported and skipped: the DCGM pages stay available on the main port.
 */
export function serveDcgmPorts(config: Config, state: GlobalState, logger: Logger): Server[] {
  if (config.dcgmPort === 0) return [];
  return ([1, 2] as const).map((node) => {
    const port = config.dcgmPort + node - 1;
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('404 page not found\n');
        return;
      }
      void state.renderMetrics(node === 1 ? 'dcgm1' : 'dcgm2').then((text) => {
        res.writeHead(200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
      });
    });
    server.on('error', (err) =>
      logger.warn('DCGM port unavailable; node served on the main port only', { node, port, error: err.message }),
    );
    server.listen(port, config.host, () =>
      logger.info('DCGM node listening', { node, url: `http://${config.host}:${port}/metrics` }),
    );
    server.unref();
    return server;
  });
}
