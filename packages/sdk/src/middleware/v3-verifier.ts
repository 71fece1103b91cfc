import type { KeyObject } from 'node:crypto';
import type { IncomingResponse, Middleware, OutgoingRequest } from '../core/types.js';
import { ApiError } from '../errors/api-error.js';
import type { ApiErrorDetail } from '../errors/api-error-detail.js';
import { VerificationError } from '../errors/verification-error.js';
import { verifySignedMessage } from '../helpers/signed-message.js';

export interface V3VerifierOptions {
  certs: ReadonlyMap<string, KeyObject>;
  maxSkew?: number;
}

// Responses documented as unsigned: the short-lived download links of the flow files and bills.
const UNSIGNED = [
  /\/v3\/marketing\/favor\/stocks\/[^/]+\/(?:use|refund)-flow(?:-by-day)?$/,
  /\/v3\/billdownload\/file$/,
];

// The verifiers this factory made, known by identity: a step is not taken for one by its name.
const verifiers = new WeakSet<Middleware>();

/** True for a step made by {@link v3Verifier} (the certificate download runs without it). */
export function isV3Verifier(step: Middleware): boolean {
  return verifiers.has(step);
}

/**
 * Verifies every 2xx response over its raw bytes before parsing it, and turns 4xx/5xx into
 * {@link ApiError} whether or not they carry signature headers (WeChat Pay's usually do not).
 */
export function v3Verifier(options: V3VerifierOptions): Middleware {
  const step: Middleware = {
    name: 'v3-verifier',
    async handle(req, next) {
      const res = await next(req);
      const requestId = res.headers['request-id'];
      if (res.status < 200 || res.status >= 300) throw apiError(req, res);
      const unsigned = UNSIGNED.some((re) => re.test(req.url.pathname)) && !res.headers['wechatpay-signature'];
      if (!unsigned) {
        await verifySignedMessage(res.headers, res.body, {
          certs: options.certs,
          subject: `response to ${req.method} ${req.url.pathname}`,
          ...(options.maxSkew === undefined ? {} : { maxSkew: options.maxSkew }),
        });
      }
      if (res.body.length === 0) return { ...res, data: undefined };
      try {
        return { ...res, data: JSON.parse(res.body.toString('utf8')) };
      } catch (cause) {
        throw new VerificationError({
          reason: 'BAD_BODY',
          requestId,
          message: `the response to ${req.method} ${req.url.pathname} is signed but is not JSON`,
          cause,
        });
      }
    },
  };
  verifiers.add(step);
  return step;
}

/** The {@link ApiError} for a 4xx/5xx answer, from its JSON body when it has one. */
export function apiError(req: OutgoingRequest, res: IncomingResponse): ApiError {
  let code = `HTTP_${res.status}`;
  let message = res.body.length === 0 ? 'the response has no body' : res.body.toString('utf8').slice(0, 200);
  let detail: ApiErrorDetail | undefined;
  try {
    const parsed = JSON.parse(res.body.toString('utf8')) as { code?: unknown; message?: unknown; detail?: unknown };
    if (typeof parsed.code === 'string') code = parsed.code;
    if (typeof parsed.message === 'string') message = parsed.message;
    if (parsed.detail && typeof parsed.detail === 'object') detail = parsed.detail as ApiErrorDetail;
  } catch {
    // Not JSON (a gateway page, an empty 404): the status and the raw text are all there is.
  }
  return new ApiError({
    status: res.status,
    code,
    message,
    detail,
    requestId: res.headers['request-id'],
    headers: res.headers,
    method: req.method,
    url: `${req.url.origin}${req.url.pathname}`,
  });
}
