import type { KeyObject } from 'node:crypto';
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

/** Sends one corpus case over HTTP exactly as described; resolves with the status and error code. */
export async function sendRaw(s: Sender, r: BadRequest): Promise<{ status: number; code: string | undefined }> {
  const ts = r.tweak?.timestamp ?? timestamp();
  const n = nonce();
  const signature =
    r.tweak?.signature ?? rsaSign(requestMessage(r.method, r.path, ts, n, r.body), r.signWith ?? s.privateKey);
  const headers: Record<string, string> = r.v2
    ? { 'User-Agent': 'wxcoupon-reliability' }
    : {
        Accept: 'application/json',
        'User-Agent': 'wxcoupon-reliability',
        Authorization:
          r.tweak?.authorization ??
          authorization({ mchid: s.mchid, nonce_str: n, timestamp: ts, serial_no: s.serial, signature }),
        'Wechatpay-Serial': s.platformSerial,
      };
  if (r.body) headers['Content-Type'] = r.contentType ?? 'application/json';
  const res = await fetch(`${s.baseURL}${r.path}`, { method: r.method, headers, ...(r.body ? { body: r.body } : {}) });
  const text = await res.text();
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
  return { status: res.status, code };
}
