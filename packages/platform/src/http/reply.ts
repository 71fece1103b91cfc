import type { Context } from 'hono';

/** A 200 JSON answer; the signing middleware signs exactly this serialization. */
export function ok(c: Context, data: unknown): Response {
  return c.body(JSON.stringify(data), 200, { 'Content-Type': 'application/json' });
}

export function noContent(c: Context): Response {
  return c.body(null, 204);
}
