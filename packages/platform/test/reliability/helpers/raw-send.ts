import type { KeyObject } from 'node:crypto';
import { Agent, request } from 'node:http';
import { authorization, nonce, requestMessage, rsaSign, timestamp } from '@wxcoupon/sdk/crypto';
import { parseXml } from '@wxcoupon/sdk/xml';
import type { BadRequest } from './corpus.js';

export interface Sender {
  baseURL: string;
  mchid: string;
  serial: string;
  privateKey: KeyObject;
  platformSerial: string;
}

// node:http rather than fetch: fetch parses the URL, which resolves `..` segments and re-encodes the
// path, and the corpus must send request-targets exactly as written.
const agent = new Agent({ keepAlive: true, maxSockets: 32 });

/** Sends one corpus case over HTTP exactly as described; resolves with the status and error code. */
export async function sendRaw(s: Sender, r: BadRequest): Promise<{ status: number; code: string | undefined }> {
  const ts = r.tweak?.timestamp ?? timestamp();
  const n = nonce();
  const signedBytes = r.bytes ?? Buffer.from(r.body);
  const head = requestMessage(r.method, r.path, ts, n, '').slice(0, -1);
  const signature =
    r.tweak?.signature ??
    rsaSign(Buffer.concat([Buffer.from(head), signedBytes, Buffer.from('\n')]), r.signWith ?? s.privateKey);
  const sent = r.sentBytes ?? signedBytes;
  const headers: Record<string, string> = r.v2
    ? { 'User-Agent': 'wxcoupon-reliability' }
    : {
        Accept: 'application/json',
        'User-Agent': 'wxcoupon-reliability',
        Authorization:
          r.tweak?.authorization ??
          authorization({ mchid: s.mchid, nonce_str: n, timestamp: ts, serial_no: s.serial, signature }).replaceAll(
            '",',
            `"${r.tweak?.separator ?? ','}`,
          ),
        'Wechatpay-Serial': s.platformSerial,
      };
  if (sent.length > 0) {
    headers['Content-Type'] = r.contentType ?? 'application/json';
    headers['Content-Length'] = String(sent.length);
  }
  const { status, text } = await exchange(new URL(s.baseURL), r.method, r.sentPath ?? r.path, headers, sent, true);
  let code: string | undefined;
  try {
    if (r.v2) {
      const fields = parseXml(text);
      code = fields.err_code ?? fields.return_code;
    } else {
      code = text ? (JSON.parse(text) as { code?: string }).code : undefined;
    }
  } catch {
    code = `unreadable answer: ${text.slice(0, 80)}`;
  }
  return { status, code };
}

/**
 * One request and its answer. A kept-alive socket that the server closes just as it is reused fails
 * before anything is answered; as Node's documentation advises, that case is sent again once, on a new
 * connection (the other end never read it, so this is not a second request to the handler).
 */
function exchange(
  url: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  reuse: boolean,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers, agent: reuse ? agent : false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (req.reusedSocket && (err.code === 'ECONNRESET' || err.message === 'socket hang up'))
        exchange(url, method, path, headers, body, false).then(resolve, reject);
      else reject(err);
    });
    req.end(body);
  });
}
