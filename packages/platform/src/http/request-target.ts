import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../errors/api-error.js';

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

/** Refuses a request whose path the URL parser would rewrite into another route. */
export const literalPath: MiddlewareHandler = async (c, next) => {
  const target = requestTarget(c);
  const query = target.indexOf('?');
  const path = query < 0 ? target : target.slice(0, query);
  if (DOT_SEGMENT.test(path) || path.includes('\\'))
    throw new ApiError('PARAM_ERROR', '请求路径不得包含“.”或“..”路径段或反斜杠', {
      location: 'uri_template',
      value: path.length > 256 ? `${path.slice(0, 256)}…` : path,
      issue: 'dot segment or backslash in the request path',
    });
  await next();
};
