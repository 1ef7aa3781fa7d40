import { createWriteStream, type WriteStream } from 'node:fs';
import { type Logger } from '../logging/logger.js';

/** One recorded request (a JSON line of --record-requests). */
export type RequestRecord = Readonly<Record<string, unknown>>;

/** Bytes the file stream may hold unwritten before records are dropped: a slow disk never holds a response. */
const MAX_PENDING_BYTES = 8 << 20;

/**
 * Appends one JSON line per request to --record-requests, in the process that holds the global state
 * (one file for the whole server: workers' records arrive with their telemetry batches). Writes are
 * asynchronous; while the disk lags by more than MAX_PENDING_BYTES new records are dropped and counted.
 */
export class Recorder {
  private readonly out: WriteStream;
  written = 0;
  dropped = 0;

  constructor(file: string, logger: Logger) {
    this.out = createWriteStream(file, { flags: 'a' });
    this.out.on('error', (err) =>
      logger.error('request recording failed; records are dropped', { file, error: String(err) }),
    );
  }

  write(record: RequestRecord): void {
    if (this.out.destroyed || this.out.writableLength > MAX_PENDING_BYTES) {
      this.dropped++;
      return;
    }
    this.out.write(JSON.stringify(record) + '\n');
    this.written++;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }
}
