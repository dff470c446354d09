import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Subscriber tokens and personal data never reach a log
 * line: URLs are logged without their query string (see http/request-log.ts),
 * and handlers log ids and reasons, never request objects.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'opentime' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    // Asynchronous writes keep logging off the hot path of an open.
    destination ?? pino.destination({ sync: false }),
  );
}
