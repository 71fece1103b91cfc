import type { Context } from 'hono';

// The exact text of each JSON answer, kept beside the Response so that response signing can sign
// these bytes without reading the body stream back (which costs a copy and a stream per request).
const replyText = new WeakMap<Response, string>();

/** A 200 JSON answer; the signing middleware signs exactly this serialization. */
export function ok(c: Context, data: unknown): Response {
  const text = JSON.stringify(data);
  const res = c.body(text, 200, { 'Content-Type': 'application/json' });
  replyText.set(res, text);
  return res;
}

export function noContent(c: Context): Response {
  const res = c.body(null, 204);
  replyText.set(res, '');
  return res;
}

/** The body text of `res` if it was built by ok()/noContent(), else read from the response itself. */
export async function bodyText(res: Response): Promise<string> {
  return replyText.get(res) ?? (res.status === 204 ? '' : await res.text());
}
