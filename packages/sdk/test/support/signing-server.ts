import type { KeyObject } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  nonce,
  parseAuthorization,
  requestMessage,
  rsaSignAsync,
  rsaVerifyAsync,
  timestamp,
} from '../../src/crypto/index.js';

// A small WeChat Pay stand-in for tests and the benchmark: it verifies APIv3 request signatures with
// the merchant public key (401 SIGN_ERROR otherwise) and signs every reply with the platform key.

export interface ServerRequest {
  method: string;
  /** Path and query exactly as received. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Serial of the client certificate, when one was presented over TLS. */
  clientCertSerial: string | undefined;
}

export interface ServerReply {
  status?: number;
  json?: unknown;
  /** A raw body (XML for v2). */
  body?: string;
  headers?: Record<string, string>;
  /** Send no Wechatpay-* signature headers. */
  unsigned?: boolean;
  /** Sign with this key and serial instead of the platform key. */
  signWith?: { key: KeyObject; serial: string };
  /** Seconds added to the signed timestamp (to simulate a stale or future answer). */
  timestampOffset?: number;
  /** Change the body after signing it. */
  tamper?: boolean;
  /** Drop one header after signing. */
  dropHeader?: string;
}

export interface SigningServerOptions {
  merchantPublicKey: KeyObject;
  merchantSerial: string;
  platformKey: KeyObject;
  platformSerial: string;
  handler: (req: ServerRequest) => ServerReply | Promise<ServerReply>;
  tls?: { key: string; cert: string; ca: string };
  /**
   * Sign each distinct answer (signer, timestamp, body) once and reuse that signature, with its nonce,
   * for the rest of the second; requests are then not recorded either. For benchmarks: the real
   * service's RSA work runs on its own machines, not on the clients' cores.
   */
  reuseSignatures?: boolean;
}

export interface SigningServer {
  url: string;
  requests: ServerRequest[];
  close(): Promise<void>;
}

export async function startSigningServer(options: SigningServerOptions): Promise<SigningServer> {
  const requests: ServerRequest[] = [];
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, Buffer.concat(chunks).toString('utf8'), res).catch((err) => {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ code: 'SYSTEM_ERROR', message: String(err) }));
      });
    });
  };

  async function handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const parsed = new URL(url, 'http://localhost');
    const socket = req.socket as TLSSocket;
    const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
    const record: ServerRequest = {
      method: req.method ?? 'GET',
      url,
      path: parsed.pathname,
      query: parsed.searchParams,
      headers: req.headers,
      body,
      clientCertSerial: peer?.serialNumber ? peer.serialNumber.toUpperCase() : undefined,
    };
    if (!options.reuseSignatures) requests.push(record);
    if (parsed.pathname.startsWith('/v3/')) {
      const problem = await checkSignature(record, body);
      if (problem) {
        res.writeHead(401, { 'Content-Type': 'application/json', 'Request-ID': `REQ-${nonce(8)}` });
        res.end(JSON.stringify({ code: 'SIGN_ERROR', message: problem }));
        return;
      }
    }
    const reply = await options.handler(record);
    const status = reply.status ?? 200;
    let text = reply.body ?? (reply.json === undefined ? '' : JSON.stringify(reply.json));
    const headers: Record<string, string> = {
      'Request-ID': `REQ-${nonce(12)}`,
      ...(text && reply.body === undefined ? { 'Content-Type': 'application/json' } : {}),
      ...reply.headers,
    };
    if (!reply.unsigned) {
      const ts = String(Number(timestamp()) + (reply.timestampOffset ?? 0));
      const signer = reply.signWith ?? { key: options.platformKey, serial: options.platformSerial };
      const { n, signature } = await signAnswer(signer, ts, text);
      headers['Wechatpay-Timestamp'] = ts;
      headers['Wechatpay-Nonce'] = n;
      headers['Wechatpay-Serial'] = signer.serial;
      headers['Wechatpay-Signature-Type'] = 'WECHATPAY2-SHA256-RSA2048';
      headers['Wechatpay-Signature'] = signature;
    }
    if (reply.tamper) text = text.replace(/\d/, (d) => String((Number(d) + 1) % 10));
    if (reply.dropHeader) delete headers[reply.dropHeader];
    res.writeHead(status, headers);
    res.end(text);
  }

  const reused = new Map<string, Promise<{ n: string; signature: string }>>();
  function signAnswer(signer: { key: KeyObject; serial: string }, ts: string, text: string) {
    const sign = async () => {
      const n = nonce();
      return { n, signature: await rsaSignAsync(`${ts}\n${n}\n${text}\n`, signer.key) };
    };
    if (!options.reuseSignatures) return sign();
    const key = `${signer.serial}\n${ts}\n${text}`;
    let entry = reused.get(key);
    if (!entry) {
      if (reused.size > 1000) reused.clear();
      entry = sign();
      reused.set(key, entry);
    }
    return entry;
  }

  async function checkSignature(req: ServerRequest, body: string): Promise<string | undefined> {
    const auth = parseAuthorization(req.headers.authorization);
    if (!auth) return 'Authorization header missing or malformed';
    if (auth.serial_no !== options.merchantSerial) return `unknown serial_no ${auth.serial_no}`;
    if (Math.abs(Number(timestamp()) - Number(auth.timestamp)) > 300) return 'timestamp out of range';
    const message = requestMessage(req.method, req.url, auth.timestamp, auth.nonce_str, body);
    return (await rsaVerifyAsync(message, auth.signature, options.merchantPublicKey)) ? undefined : 'bad signature';
  }

  const server = options.tls
    ? https.createServer(
        {
          key: options.tls.key,
          cert: options.tls.cert,
          ca: options.tls.ca,
          requestCert: true,
          rejectUnauthorized: false,
        },
        listener,
      )
    : http.createServer({ keepAliveTimeout: 30_000 }, listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
