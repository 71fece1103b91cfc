import http from 'node:http';
import https from 'node:https';
import type { SecureContextOptions } from 'node:tls';
import { NetworkError } from '../errors/network-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import type { IncomingResponse, OutgoingRequest, Transport } from './types.js';

export interface NodeTransportOptions {
  timeout: number;
  /** The merchant API certificate, used only for requests with `security: true`. */
  merchant?: SecureContextOptions | undefined;
  /** Extra trusted CA certificates (a private deployment's own CA). */
  ca?: string | Buffer | undefined;
  /** Concurrent sockets per host. */
  maxSockets?: number;
}

/**
 * The default transport, on node:http/https with keep-alive agents. Mutual TLS gets its own agent so
 * ordinary calls never present the client certificate.
 */
export function nodeTransport(options: NodeTransportOptions): Transport & { close(): void } {
  const common = { keepAlive: true, maxSockets: options.maxSockets ?? 256, scheduling: 'lifo' as const };
  const ca = options.ca === undefined ? {} : { ca: options.ca };
  const httpAgent = new http.Agent(common);
  const httpsAgent = new https.Agent({ ...common, ...ca });
  let mtlsAgent: https.Agent | undefined;

  const send = (req: OutgoingRequest): Promise<IncomingResponse> => {
    const isHttps = req.url.protocol === 'https:';
    let agent: http.Agent = isHttps ? httpsAgent : httpAgent;
    if (req.security && isHttps && options.merchant) {
      mtlsAgent ??= new https.Agent({ ...common, ...ca, ...options.merchant });
      agent = mtlsAgent;
    }
    const lib = isHttps ? https : http;
    const method = req.method;
    const shown = `${req.url.origin}${req.url.pathname}`;
    return new Promise<IncomingResponse>((resolve, reject) => {
      const headers: Record<string, string | number> = { ...req.headers };
      if (req.body) headers['Content-Length'] = req.body.length;
      const r = lib.request(req.url, { method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(new NetworkError(method, shown, err));
        });
        res.on('end', () => {
          clearTimeout(timer);
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
          }
          resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks) });
        });
      });
      // A deadline for the whole exchange, not just socket idleness: a trickling answer times out too.
      const timer = setTimeout(() => {
        reject(new TimeoutError(method, shown, options.timeout));
        r.destroy();
      }, options.timeout);
      r.on('close', () => clearTimeout(timer));
      r.on('error', (err) => {
        clearTimeout(timer);
        reject(new NetworkError(method, shown, err));
      });
      r.end(req.body);
    });
  };
  return Object.assign(send, {
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
      mtlsAgent?.destroy();
    },
  });
}
