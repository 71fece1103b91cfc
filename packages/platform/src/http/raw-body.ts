import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { ApiError } from '../errors/api-error.js';

export const MAX_BODY_BYTES = 1024 * 1024;

/** The exact request body bytes: what the signature covers. Bodies over 1 MiB are refused unread. */
export async function readRawBody(c: Context): Promise<Buffer> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return Buffer.alloc(0);
  // Behind @hono/node-server the Node request is at hand: reading it directly avoids building a
  // web Request and stream for every call. In-process (platform.fetch) the web Request is the source.
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const buf = incoming
    ? await readIncoming(incoming)
    : c.req.raw.body
      ? Buffer.from(await c.req.arrayBuffer())
      : Buffer.alloc(0);
  if (buf.length > MAX_BODY_BYTES) throw tooLarge();
  return buf;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The body as text, decoded only once its bytes are verified: bytes that are not UTF-8 are refused
 * rather than replaced by U+FFFD, and a byte-order mark is refused rather than dropped, so that the
 * text the handler reads is exactly what was signed.
 */
export function decodeBody(buf: Buffer): string {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf)
    throw new ApiError('PARAM_ERROR', '请求体不得以 UTF-8 BOM 开头', { location: 'body', issue: 'UTF-8 BOM' });
  try {
    return STRICT_UTF8.decode(buf);
  } catch {
    throw new ApiError('PARAM_ERROR', '请求体不是合法的 UTF-8', { location: 'body', issue: 'invalid UTF-8' });
  }
}

async function readIncoming(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of incoming) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw tooLarge();
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    // The connection closed before the body was whole (the client left, or a timeout or the connection
    // cap closed it): a bad request, not a fault of the platform's.
    if (err instanceof ApiError || !incoming.destroyed) throw err;
    throw new ApiError('PARAM_ERROR', 'the connection closed before the request body was complete', {
      location: 'body',
    });
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(): ApiError {
  return new ApiError('PARAM_ERROR', `request body exceeds ${MAX_BODY_BYTES} bytes`, { location: 'body' });
}
