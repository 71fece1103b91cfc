import { Buffer } from 'node:buffer';
import { NetworkError } from '../errors/network-error.js';
import { RequestError } from '../errors/request-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import type { IncomingResponse, OutgoingRequest, Transport } from './types.js';

/** Anything that answers a `Request`: the global `fetch`, or a Hono app's `app.fetch` in-process. */
export type FetchLike = (request: Request) => Promise<Response> | Response;

/**
 * A transport over a user-supplied fetch, called with ONE argument (a `Request`) so that in-process
 * handlers such as `app.fetch` work unchanged. Mutual TLS is then the fetch implementation's concern.
 */
export function fetchTransport(fetchFn: FetchLike, timeout: number, options: { mutualTls?: boolean } = {}): Transport {
  return async (req: OutgoingRequest): Promise<IncomingResponse> => {
    if (req.security && options.mutualTls === false) {
      throw new RequestError(
        `${req.method} ${req.url.pathname} needs the merchant API certificate (mutual TLS), which the runtime's own ` +
          "fetch cannot present: pass a `fetch` that does (Deno.createHttpClient, Bun's `tls` option), or run on Node",
      );
    }
    const shown = `${req.url.origin}${req.url.pathname}`;
    const controller = new AbortController();
    const init: RequestInit = { method: req.method, headers: req.headers, signal: controller.signal };
    // A plain Uint8Array copy: the exact bytes, and a BodyInit under every lib typing of fetch.
    if (req.body) init.body = new Uint8Array(req.body);
    let timer: ReturnType<typeof setTimeout> | undefined;
    // An in-process handler may ignore the abort signal, so the deadline is also raced.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new TimeoutError(req.method, shown, timeout));
      }, timeout);
    });
    const exchange = async (): Promise<IncomingResponse> => {
      const res = await fetchFn(new Request(req.url, init));
      const body = Buffer.from(await res.arrayBuffer());
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        headers[k.toLowerCase()] = v;
      });
      return { status: res.status, headers, body };
    };
    try {
      return await Promise.race([exchange(), deadline]);
    } catch (err) {
      if (err instanceof TimeoutError) throw err;
      if (controller.signal.aborted) throw new TimeoutError(req.method, shown, timeout);
      throw new NetworkError(req.method, shown, err);
    } finally {
      clearTimeout(timer);
    }
  };
}
