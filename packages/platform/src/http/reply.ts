import type { Context } from 'hono';
import type { Language } from '../errors/messages.js';
import { requestLanguage } from './error-handler.js';

// Answers built here are remembered with their exact text and headers, so the response signing can
// sign those bytes and build the final response in one step, with plain header objects: reading a
// response's body or headers back would cost a stream, a copy and a web Headers object per request.

interface Reply {
  text: string;
  headers: Record<string, string>;
}

const replies = new WeakMap<Response, Reply>();
// One header object per language, shared by every answer in it. The real service answers
// `application/json; charset=utf-8` and says which language it used (coupon-api.md §8.6).
const JSON_HEADERS = new Map<Language, Readonly<Record<string, string>>>();

function jsonHeaders(language: Language): Readonly<Record<string, string>> {
  let headers = JSON_HEADERS.get(language);
  if (!headers) {
    headers = { 'Content-Type': 'application/json; charset=utf-8', 'Content-Language': language };
    JSON_HEADERS.set(language, headers);
  }
  return headers;
}

/** A 200 JSON answer; the signing middleware signs exactly this serialization. */
export function ok(c: Context, data: unknown): Response {
  const text = JSON.stringify(data);
  const headers = jsonHeaders(requestLanguage(c));
  const res = c.body(text, 200, headers);
  replies.set(res, { text, headers });
  return res;
}

export function noContent(c: Context): Response {
  const res = c.body(null, 204);
  replies.set(res, { text: '', headers: {} });
  return res;
}

/** What ok()/noContent() recorded for `res`, if it was built by them. */
export function replyOf(res: Response): Reply | undefined {
  return replies.get(res);
}

/**
 * A response with `extra` headers added, built from a recorded reply without reading `res` back; the
 * result is recorded too, so a later step (Request-ID) can extend it the same way.
 */
export function withHeaders(res: Response, reply: Reply, extra: Record<string, string>): Response {
  const headers = { ...reply.headers, ...extra };
  const next = new Response(res.status === 204 ? null : reply.text, { status: res.status, headers });
  replies.set(next, { text: reply.text, headers });
  return next;
}
