import pino from 'pino';
import type { RequestObserver, RequestRecord } from './observe.js';

export type AccessLogFormat = 'json' | 'pretty';

/**
 * One line per request, with the Request-ID the client received and the journal keeps. Only the
 * request line and what the platform decided are logged: no header, body, key or signature, so a log
 * shipped anywhere holds no secret. The path is logged without its query.
 */
export function accessLog(options: { format: AccessLogFormat; destination?: NodeJS.WritableStream }): RequestObserver {
  if (options.format === 'pretty') {
    const out = options.destination ?? process.stdout;
    return { observe: (r) => void out.write(prettyLine(r)) };
  }
  const destination = options.destination ?? pino.destination({ dest: 1, sync: false });
  const logger = pino(
    { base: null, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
    destination,
  );
  return {
    observe(r) {
      const level = r.status >= 500 || r.status === 0 ? 'error' : r.status >= 400 ? 'warn' : 'info';
      logger[level](fields(r), 'request');
    },
    close: () => new Promise<void>((resolve) => logger.flush(() => resolve())),
  };
}

function fields(r: RequestRecord): Record<string, unknown> {
  return {
    request_id: r.requestId,
    method: r.method,
    path: r.path,
    status: r.status,
    latency_ms: Math.round(r.latencyMs * 100) / 100,
    ...(r.note.mchid !== undefined ? { mchid: r.note.mchid } : {}),
    ...(r.note.api !== undefined ? { api: r.note.api } : {}),
    ...(r.note.signature ? { signature: r.note.signature.verdict } : {}),
    ...(r.note.signature?.reason ? { signature_reason: r.note.signature.reason } : {}),
    ...(r.note.fault !== undefined ? { fault: r.note.fault } : {}),
  };
}

function prettyLine(r: RequestRecord): string {
  const time = new Date(r.startMs).toISOString().slice(11, 23);
  const extra = [
    r.note.api,
    r.note.mchid && `mchid ${r.note.mchid}`,
    r.note.signature?.reason && `signature: ${r.note.signature.reason}`,
    r.note.fault && `fault: ${r.note.fault}`,
  ].filter(Boolean);
  return `${time} ${r.method} ${r.path} ${r.status || 'dropped'} ${r.latencyMs.toFixed(1)} ms${extra.length ? ` ${extra.join(', ')}` : ''} [${r.requestId}]\n`;
}
