import { type V2SignType, v2Sign } from '@wxcoupon/sdk/crypto';
import { buildXml, parseXml, XmlFormatError } from '@wxcoupon/sdk/xml';
import type { Context } from 'hono';
import { requestLanguage } from '../../http/error-handler.js';
import { noteOf } from '../../http/request-note.js';
import { V2Failure } from './v2-failure.js';

// The APIv2 wire: a bounded, strictly decoded XML body in; XML out, always HTTP 200.

/** v2 coupon requests are a few hundred bytes; anything near this is not one. */
export const MAX_V2_BODY_BYTES = 16 * 1024;

/** Reads and parses the body, refusing oversized, non-UTF-8 and unsafe XML before any other work. */
export async function readV2Fields(c: Context): Promise<Record<string, string>> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > MAX_V2_BODY_BYTES) throw tooLarge();
  const bytes = await readBounded(c.req.raw.body);
  const note = noteOf(c);
  if (note) note.body = bytes;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw xmlError();
  }
  // The answer is the code's 描述 alone, as the real service gives it: which rule the XML broke
  // (DTD, entity, nesting, forbidden character) stays with the platform.
  try {
    return parseXml(text);
  } catch (err) {
    if (err instanceof XmlFormatError) throw xmlError();
    throw err;
  }
}

async function readBounded(body: ReadableStream<Uint8Array> | null): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    // A client that goes away mid-body is not a platform error: nothing to log.
    const { done, value } = await reader.read().catch(() => {
      throw xmlError();
    });
    if (done) break;
    size += value.byteLength;
    if (size > MAX_V2_BODY_BYTES) {
      // Stop reading at once: a streamed body without Content-Length gets no further than the limit.
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function tooLarge(): V2Failure {
  return new V2Failure('REQ_PARAM_XML_ERR', 'return', undefined, true);
}

function xmlError(): V2Failure {
  return new V2Failure('REQ_PARAM_XML_ERR', 'return');
}

/** Any v2 answer: XML, HTTP 200, in the request's language (`Content-Language` says which). */
export function xmlReply(c: Context, fields: Record<string, string>, headers: Record<string, string> = {}): Response {
  return c.body(buildXml(fields), 200, {
    'Content-Type': 'text/xml; charset=utf-8',
    'Content-Language': requestLanguage(c),
    ...headers,
  });
}

/**
 * The communication-layer failure. It carries `err_code` too, so that a program can tell a
 * certificate problem from a signature problem without parsing the Chinese message.
 */
export function returnFailure(c: Context, failure: V2Failure): Response {
  return xmlReply(
    c,
    { return_code: 'FAIL', return_msg: failure.messageIn(requestLanguage(c)), err_code: failure.code },
    failure.closeConnection ? { Connection: 'close' } : {},
  );
}

/** A signed answer: `sign` over every non-empty field, with the algorithm the request used. */
export function signedReply(c: Context, fields: Record<string, string>, key: string, signType: V2SignType): Response {
  const out = signType === 'HMAC-SHA256' ? { ...fields, sign_type: 'HMAC-SHA256' } : { ...fields };
  return xmlReply(c, { ...out, sign: v2Sign(out, key, signType) });
}
