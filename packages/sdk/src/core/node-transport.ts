import { Buffer } from 'node:buffer';
import type { SecureContextOptions } from 'node:tls';
import type { Agent, Dispatcher } from 'undici';
import { NetworkError } from '../errors/network-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import type { IncomingResponse, OutgoingRequest, Transport } from './types.js';

export interface NodeTransportOptions {
  timeout: number;
  /** The merchant API certificate, used only for requests with `security: true`. */
  merchant?: SecureContextOptions | undefined;
  /** Extra trusted CA certificates (a private deployment's own CA). */
  ca?: string | Buffer | undefined;
  /** Concurrent connections per origin. */
  maxSockets?: number;
}

/**
 * The default transport on Node: undici keep-alive pools, one per origin. Mutual TLS gets its own agent
 * so ordinary calls never present the client certificate. (undici rather than node:http: measured on
 * the same answers, node:http's client spent about twice the CPU per request, and in a campaign the
 * client's CPU is what the machine's send rate is made of.) undici is imported on the first request,
 * not when the SDK loads: it is most of the SDK's size, and it does not load in Workers or run on Bun.
 */
export function nodeTransport(options: NodeTransportOptions): Transport & { close(): void } {
  const common = {
    connections: options.maxSockets ?? 256,
    // Our own deadline covers the whole exchange; undici's per-phase timers only back it up.
    headersTimeout: options.timeout,
    bodyTimeout: options.timeout,
  };
  const ca = options.ca === undefined ? {} : { ca: options.ca };
  let undici: Promise<{ Agent: typeof Agent }> | undefined;
  let plain: Agent | undefined;
  let mtls: Agent | undefined;
  let closed = false;

  const dispatcherFor = async (req: OutgoingRequest): Promise<Dispatcher> => {
    undici ??= import('undici');
    const { Agent: Pool } = await undici;
    if (closed) throw new Error('the client was closed');
    if (req.security && req.url.protocol === 'https:' && options.merchant) {
      mtls ??= new Pool({ ...common, connect: { ...ca, ...options.merchant } });
      return mtls;
    }
    plain ??= new Pool({ ...common, connect: { ...ca } });
    return plain;
  };

  const send = async (req: OutgoingRequest): Promise<IncomingResponse> => {
    const method = req.method;
    const shown = `${req.url.origin}${req.url.pathname}`;
    // A deadline for the whole exchange, not just socket idleness: a trickling answer times out too.
    const deadline = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      deadline.abort();
    }, options.timeout);
    try {
      const dispatcher = await dispatcherFor(req);
      const res = await dispatcher.request({
        origin: req.url.origin,
        path: `${req.url.pathname}${req.url.search}`,
        method,
        headers: req.headers,
        body: req.body ?? null,
        signal: deadline.signal,
      });
      const body = Buffer.from(await res.body.arrayBuffer());
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) {
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      }
      return { status: res.statusCode, headers, body };
    } catch (err) {
      if (timedOut) throw new TimeoutError(method, shown, options.timeout);
      throw new NetworkError(method, shown, networkCause(err));
    } finally {
      clearTimeout(timer);
    }
  };
  return Object.assign(send, {
    close() {
      closed = true;
      void plain?.destroy();
      void mtls?.destroy();
    },
  });
}

/** undici wraps socket errors; the system error (ECONNREFUSED, ECONNRESET, …) is the useful cause. */
function networkCause(err: unknown): unknown {
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  return cause instanceof Error && (cause as NodeJS.ErrnoException).code ? cause : err;
}
