import winston from 'winston';

export type LogLevelName = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

const WINSTON_LEVEL: Record<LogLevelName, string> = {
  DEBUG: 'debug',
  INFO: 'info',
  WARNING: 'warn',
  ERROR: 'error',
  CRITICAL: 'error',
};

/**
 * JSON lines when stdout is not a TTY (containers, test harnesses parse them); readable text on a TTY.
 * Lifecycle at info, per request at debug, never prompt text at info.
 */
export function createLogger(level: LogLevelName, meta: Record<string, unknown> = {}): winston.Logger {
  const format = process.stdout.isTTY
    ? winston.format.combine(
        winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
        winston.format.printf(({ level: lvl, message, timestamp, ...rest }) => {
          const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
          return `${String(timestamp)} ${lvl.padEnd(5)} ${String(message)}${extra}`;
        }),
      )
    : winston.format.combine(winston.format.timestamp(), winston.format.json());
  return winston.createLogger({
    level: WINSTON_LEVEL[level],
    defaultMeta: meta,
    format,
    transports: [new winston.transports.Console()],
  });
}

export type Logger = winston.Logger;
