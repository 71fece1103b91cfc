// What the journal keeps of a request or answer: secrets removed, bodies cut to a size. Everything
// stored or printed passes through here. Bodies are cut first and redacted after, so a pattern cut in
// the middle (an unterminated string, a PEM block without its end line) is still removed to the end.

/** Per body (and per built signature message). */
export const MAX_BODY_BYTES = 16 * 1024;

export const REDACTED = '[redacted]';

// JSON and XML fields whose values are secrets or, for APIv3-encrypted data, ciphertext whose
// plaintext only the keys open (certificates, notification resources, sensitive fields).
const SECRET_FIELDS = [
  'ciphertext',
  'private_key',
  'privateKey',
  'api_v3_key',
  'apiV3Key',
  'api_v2_key',
  'apiV2Key',
  'api_key',
  'key',
  'secret',
  'password',
  'token',
  'sign',
  'paySign',
  'signature',
].join('|');

// A string value (possibly cut off by the size cap) of a secret JSON field.
const JSON_SECRET = new RegExp(`("(?:${SECRET_FIELDS})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*(?:"|$)`, 'g');
// An XML element of a secret field, plain or CDATA, possibly cut off.
const XML_SECRET = new RegExp(`<(${SECRET_FIELDS})>(?:<!\\[CDATA\\[[\\s\\S]*?(?:\\]\\]>|$)|[^<]*)(?:</\\1>|$)`, 'g');
// Any PEM block: private keys above all, wherever they appear.
const PEM = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?(?:-----END \1-----|$)/g;

/** A body or message with every secret value replaced. */
export function redactText(text: string): string {
  return text
    .replace(PEM, (_, kind: string) => `[redacted ${kind.toLowerCase()}]`)
    .replace(JSON_SECRET, `$1"${REDACTED}"`)
    .replace(XML_SECRET, `<$1>${REDACTED}</$1>`);
}

/** A body as kept: at most MAX_BODY_BYTES of it, redacted. */
export function keptBody(body: Buffer | string | null | undefined): { body: string | null; truncated: boolean } {
  if (body === null || body === undefined) return { body: null, truncated: false };
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  if (bytes.length === 0) return { body: '', truncated: false };
  const truncated = bytes.length > MAX_BODY_BYTES;
  const kept = truncated ? bytes.subarray(0, MAX_BODY_BYTES) : bytes;
  return { body: storable(redactText(kept.toString('utf8'))), truncated };
}

/** A NUL byte is valid in a body but not in a database text value (PostgreSQL refuses it): kept as U+FFFD. */
function storable(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

const SECRET_HEADERS = new Set(['cookie', 'set-cookie', 'proxy-authorization', 'wechatpay-signature']);

/**
 * Headers as kept. `Authorization` keeps its APIv3 parameters but not the signature; any other scheme
 * (a bearer token sent to the wrong place, say) keeps only its scheme name.
 */
export function keptHeaders(headers: Headers | Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (value: string, name: string) => {
    const lower = name.toLowerCase();
    if (lower === 'authorization') out[lower] = redactAuthorization(value);
    else if (SECRET_HEADERS.has(lower)) out[lower] = REDACTED;
    else out[lower] = value;
  };
  if (headers instanceof Headers) headers.forEach(add);
  else for (const [name, value] of Object.entries(headers)) add(value, name);
  return out;
}

export function redactAuthorization(value: string): string {
  const scheme = value.trim().split(/\s+/, 1)[0] ?? '';
  if (!scheme.startsWith('WECHATPAY2-')) return scheme ? `${scheme.slice(0, 40)} ${REDACTED}` : REDACTED;
  return value.replace(/(signature\s*=\s*)("?)[^",]*\2/gi, `$1"${REDACTED}"`);
}
