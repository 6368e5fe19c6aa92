// Structured logs: one JSON line per event through pino. Components take a Logger; tests pass
// `silentLogger` so test output stays clean.
import { type Logger as PinoLogger, pino, destination as pinoDestination, stdTimeFunctions } from 'pino';

export type Logger = PinoLogger;

export interface LoggerOptions {
  component: string;
  level?: string;
  /** A file descriptor or path; default stderr. */
  destination?: number | string;
}

export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? process.env.KUBELITE_LOG_LEVEL ?? 'info';
  const sink = pinoDestination({ dest: options.destination ?? 2, sync: false });
  return pino({ level, base: { component: options.component }, timestamp: stdTimeFunctions.isoTime }, sink);
}

export const silentLogger: Logger = pino({ level: 'silent' });
