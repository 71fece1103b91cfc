import type { Context } from 'hono';
import { ApiError } from '../errors/api-error.js';

export const MAX_BODY_BYTES = 1024 * 1024;

/** The exact request body as text: what the signature covers. Bodies over 1 MiB are refused unread. */
export async function readRawBody(c: Context): Promise<string> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  if (c.req.method === 'GET' || c.req.method === 'HEAD' || !c.req.raw.body) return '';
  const buf = Buffer.from(await c.req.arrayBuffer());
  if (buf.length > MAX_BODY_BYTES) throw tooLarge();
  return new TextDecoder('utf-8', { fatal: false }).decode(buf);
}

function tooLarge(): ApiError {
  return new ApiError('PARAM_ERROR', `request body exceeds ${MAX_BODY_BYTES} bytes`, { location: 'body' });
}
