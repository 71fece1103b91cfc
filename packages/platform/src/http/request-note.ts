import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';

// What the steps of a request learn about it, for the request journal and the access log: each step
// writes what only it knows (the verified merchant, the API name, the signature verdict, a fault).
// The note exists only while something records requests, so with the journal and the access log off
// no step pays for it.

export type SignatureVerdict = 'ok' | 'failed' | 'absent' | 'not_applicable';

export interface SignatureNote {
  verdict: SignatureVerdict;
  /** Why it failed, in a few words: `wrong key`, `body changed`, `clock skew of 412 s`, … */
  reason: string | null;
  /** The exact message the platform built and verified against (APIv3), `\n`-separated. */
  message?: string;
  /** What usually causes this failure, in plain words. */
  explanation?: string;
}

export interface RequestNote {
  /** The API name, as rate limits and fault rules name it (`favor.coupons.send`). */
  api?: string;
  /** The merchant the request claims to be (verified or not: a refused signature still names one). */
  mchid?: string;
  /** The request body as received. */
  body?: Buffer;
  signature?: SignatureNote;
  /** The fault applied to the request, as fault rules describe it, and which rule (or header) applied it. */
  fault?: string;
  /** A fault closed the connection: no answer was sent. */
  dropped?: boolean;
  /** The answer a fault withheld (commit, then drop the answer): what the client never received. */
  withheld?: Response;
}

/** The note of the request `c`, when requests are being recorded. */
export function noteOf(c: Context): RequestNote | undefined {
  return c.get('note') as RequestNote | undefined;
}

// The API each route serves, by its first handler, so that a request refused before that handler ran
// (its signature did not verify) is still journaled under its API.
const apiOfHandler = new WeakMap<object, string>();

/** Marks `handler` (a route's first step) as serving `api`. */
export function servesApi<H extends object>(api: string, handler: H): H {
  apiOfHandler.set(handler, api);
  return handler;
}

/** The API of the route `c` matched, if its route was marked. */
export function routeApi(c: Context): string | undefined {
  for (const route of matchedRoutes(c)) {
    // Routes of a mounted router may be wrapped; Hono keeps the original handler on the wrapper.
    const handler = route.handler as unknown as Record<string, object>;
    const api =
      apiOfHandler.get(handler) ?? (handler['__COMPOSED_HANDLER'] && apiOfHandler.get(handler['__COMPOSED_HANDLER']));
    if (api) return api;
  }
  return undefined;
}
