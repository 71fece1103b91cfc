import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request } from 'node:https';
import { nonce, type V2SignType, v2Sign } from '@wxcoupon/sdk/crypto';
import { buildXml, parseXml } from '@wxcoupon/sdk/xml';

// A bare APIv2 client for the platform's tests: signs fields, posts XML over HTTPS (optionally
// presenting a client certificate), and returns the parsed answer with its status and timing.

export interface V2Answer {
  status: number;
  text: string;
  fields: Record<string, string>;
  headers: IncomingHttpHeaders;
  ms: number;
}

export interface V2TestClient {
  /** Signs `fields` with `key` (adding nonce_str) and posts them, with extra `headers` if given. */
  send(
    path: string,
    fields: Record<string, string>,
    key: string,
    signType?: V2SignType,
    headers?: Record<string, string>,
  ): Promise<V2Answer>;
  /** Posts a body exactly as given. */
  raw(path: string, body: string | Buffer, headers?: Record<string, string>): Promise<V2Answer>;
  close(): void;
}

export function v2TestClient(baseURL: string, ca: string, clientCert?: { cert: string; key: string }): V2TestClient {
  const agent = new Agent({ keepAlive: true, ca, ...(clientCert ?? {}) });
  const raw = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    new Promise<V2Answer>((resolve, reject) => {
      const started = performance.now();
      const req = request(
        new URL(path, baseURL),
        { method: 'POST', agent, headers: { 'Content-Type': 'text/xml', ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let fields: Record<string, string> = {};
            try {
              fields = parseXml(text);
            } catch {
              // left empty: the assertion on fields will say what was expected
            }
            resolve({
              status: res.statusCode ?? 0,
              text,
              fields,
              headers: res.headers,
              ms: performance.now() - started,
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return {
    raw,
    send(path, fields, key, signType, headers) {
      const all: Record<string, string> = { nonce_str: nonce(), ...fields };
      if (signType === 'HMAC-SHA256') all['sign_type'] = 'HMAC-SHA256';
      return raw(path, buildXml({ ...all, sign: v2Sign(all, key, signType) }), headers);
    },
    close: () => agent.destroy(),
  };
}
