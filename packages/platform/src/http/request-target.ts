import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../errors/api-error.js';
import { WHY } from '../errors/messages.js';
import { FieldReader } from './validator.js';

// The request-target is signed as the client sent it. The URL parser behind `c.req.url` rewrites it
// (it resolves `.` and `..` segments, turns `\` into `/` and percent-encodes characters such as `{`),
// so the signature is checked over the Node request's own `url`, and a target that the parser would
// resolve into another path is refused before routing: it would reach a resource other than the signed one.

/** The path and query exactly as received; in-process (platform.fetch) the web Request's, as given. */
export function requestTarget(c: Context): string {
  const raw = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.url;
  if (raw?.startsWith('/')) return raw;
  // The absolute form (`GET http://host/path`) and in-process requests: the parsed URL's own text.
  const url = raw !== undefined && URL.canParse(raw) ? raw : c.req.url;
  return url.slice(url.indexOf('/', url.indexOf('//') + 2));
}

// A `.` or `..` segment, plain or percent-encoded (the URL parser treats `%2e` as a dot), or a backslash.
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

// What no query parameter may hold: C0 and C1 controls, DEL, lone surrogates.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u;

/**
 * Refuses, in the validator's own words, a query parameter that is not well-formed percent-encoded
 * UTF-8 or that decodes to a control character, whichever parameter holds it: a route that never reads
 * that parameter, or answers on its path first, must not let it through either.
 */
function checkQuery(query: string): void {
  const reader: FieldReader = new FieldReader({}, 'query');
  for (const pair of query.split('&')) {
    const [rawName = '', ...rest] = pair.split('=');
    const decode = (part: string) => {
      try {
        return decodeURIComponent(part.replace(/\+/g, ' '));
      } catch {
        return undefined;
      }
    };
    const name = decode(rawName);
    const pointer = `/${(name ?? rawName).replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const rawValue = rest.join('=');
    const value = decode(rawValue);
    if (name === undefined) reader.fail(pointer, rawName, WHY.badEncoding, 'encoding');
    if (value === undefined) reader.fail(pointer, rawValue, WHY.badEncoding, 'encoding');
    if (CONTROL.test(name) || CONTROL.test(value)) reader.fail(pointer, value, WHY.controls, 'characters');
  }
}

/**
 * Refuses a request whose path the URL parser would rewrite into another route, and one whose query
 * holds bytes no parameter may hold.
 */
export const literalPath: MiddlewareHandler = async (c, next) => {
  const target = requestTarget(c);
  const query = target.indexOf('?');
  const path = query < 0 ? target : target.slice(0, query);
  if (query >= 0) checkQuery(target.slice(query + 1));
  if (DOT_SEGMENT.test(path) || path.includes('\\'))
    throw new ApiError('PARAM_ERROR', '请求路径不得包含“.”或“..”路径段或反斜杠', {
      location: 'uri_template',
      value: path.length > 256 ? `${path.slice(0, 256)}…` : path,
      issue: 'dot segment or backslash in the request path',
    });
  await next();
};
