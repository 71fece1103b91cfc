import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';
import { replyOf } from './reply.js';
import { type RequestNote, routeApi } from './request-note.js';
import { requestTarget } from './request-target.js';

/** One answered request, as the journal and the access log receive it. Bodies are raw: never print them as is. */
export interface RequestRecord {
  requestId: string;
  /** When the request arrived (epoch ms, real time). */
  startMs: number;
  latencyMs: number;
  method: string;
  /** The request-target as received: path and query. */
  target: string;
  path: string;
  /** 0 when a fault closed the connection instead of answering. */
  status: number;
  requestHeaders: Headers;
  /** What the handler answered, or for a dropped answer what it would have answered. */
  responseHeaders: Headers | Record<string, string>;
  /** Read after the answer is on its way: never awaited on the request's path. */
  responseBody: string | Promise<string | null> | null;
  note: RequestNote;
  /** An API request (not the admin API or a health probe): the journal keeps only these. */
  api: boolean;
}

export interface RequestObserver {
  /** Called once per request, after its answer is built; must return at once (queue, don't write). */
  observe(record: RequestRecord): void;
  /** Writes out what is queued; called when the platform closes, after the last answer. */
  close?(): Promise<void>;
}

const PROBES = new Set(['/healthz', '/readyz']);

/**
 * Records every request for the observers (journal, access log). Runs outside everything but the
 * Request-ID, so the latency includes the commit an answer waits for, and the record is handed over
 * before the answer is written out. Health probes are not recorded: load balancers poll them.
 */
export function observe(observers: readonly RequestObserver[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (observers.length === 0 || PROBES.has(c.req.path)) return next();
    const startMs = Date.now();
    const started = performance.now();
    const note: RequestNote = {};
    c.set('note', note);
    try {
      await next();
    } finally {
      // A request refused before its route's first step (a failed signature) gets its API from the route.
      if (note.api === undefined) {
        const api = routeApi(c);
        if (api) note.api = api;
      }
      const path = c.req.path;
      const withheld = note.withheld;
      const dropped = note.dropped === true;
      const res = withheld ?? c.res;
      const reply = replyOf(res);
      const record: RequestRecord = {
        requestId: c.get('requestId'),
        startMs,
        latencyMs: performance.now() - started,
        method: c.req.method,
        target: requestTarget(c),
        path,
        status: dropped ? 0 : res.status,
        requestHeaders: c.req.raw.headers,
        responseHeaders: reply ? reply.headers : res.headers,
        responseBody: reply
          ? reply.text
          : res.body && !(dropped && !withheld)
            ? res
                .clone()
                .text()
                .catch(() => null)
            : null,
        note,
        api: !path.startsWith('/admin/') && path !== '/admin',
      };
      for (const o of observers) o.observe(record);
    }
  };
}

declare module '../context.js' {
  interface PlatformContext {
    /** What receives a record of every request once it is answered (the journal, the access log). */
    observers: RequestObserver[];
  }
}
