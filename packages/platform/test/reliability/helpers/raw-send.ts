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
  const url = new URL(s.baseURL);
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: r.method, path: r.sentPath ?? r.path, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(sent);
  });
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
