import pino, { type Logger } from 'pino';

export type { Logger };

/** Lines are written once this many bytes are waiting, or after FLUSH_INTERVAL_MS. */
const BUFFER_BYTES = 4096;
const FLUSH_INTERVAL_MS = 250;

/**
 * Structured JSON logs. Subscriber tokens and personal data never reach a log
 * line: URLs are logged without their query string (see http/request-log.ts),
 * and handlers log ids and reasons, never request objects.
 *
 * The default destination is stdout, written asynchronously and in 4 KB
 * batches: one write per access-log line cost about a tenth of an open's CPU
 * time (`npm run bench`, log level info vs warn). A timer writes what is
 * waiting every 250 ms, so a quiet server's lines still show at once, and the
 * rest is written synchronously when the process exits.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'opentime' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? bufferedStdout(),
  );
}

function bufferedStdout(): pino.DestinationStream {
  const stream = pino.destination({ sync: false, minLength: BUFFER_BYTES });
  // Bytes handed to the stream and not yet written, from sonic-boom's 'write' events (bytes written).
  // A flush asked for while a write is in flight does nothing, so the timer keeps asking until none are left;
  // an idle server asks nothing (an empty flush is still a write).
  let unwritten = 0;
  stream.on('write', (bytes: number) => {
    unwritten = Math.max(0, unwritten - bytes);
  });
  setInterval(() => {
    // No callback: with one, sonic-boom also fsyncs after the flush.
    if (unwritten > 0) stream.flush();
  }, FLUSH_INTERVAL_MS).unref();
  process.once('exit', () => {
    if (unwritten === 0) return;
    try {
      stream.flushSync();
    } catch {
      // Already closed, or a write in flight (sonic-boom refuses): nothing more can be done at exit.
    }
  });
  return {
    write(line: string): void {
      unwritten += Buffer.byteLength(line);
      stream.write(line);
    },
    // logger.flush() (graceful shutdown) reaches this.
    flush: (callback?: (error?: Error) => void) => stream.flush(callback),
  } as pino.DestinationStream;
}
