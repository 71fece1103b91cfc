// A reference point for the platform benchmark: the least a server must do to answer a 代金券 send correctly
// signed, and nothing more. It reads the body, verifies the request's RSA signature against the merchant's
// certificate, parses the JSON and signs a `{"coupon_id"}` answer with the platform key, on node:http with the
// same crypto helpers and thread pool as the platform. No framework, no validation, no database, no budget,
// no idempotency. The platform's throughput over this floor's, measured in the same rounds, is what the
// framework and the business rules cost.
import type { KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import {
  AUTH_SCHEME,
  nonce,
  parseAuthorization,
  requestMessage,
  responseMessage,
  rsaSignAsync,
  rsaVerify,
  timestamp,
} from '../../packages/sdk/src/crypto/index.js';

export interface FloorServer {
  url: string;
  close(): Promise<void>;
}

export async function startFloorServer(keys: {
  /** Verifies requests: the merchant's API certificate key. */
  merchantKey: KeyObject;
  /** Signs answers, named by `keyId` in `Wechatpay-Serial`. */
  platformKey: KeyObject;
  keyId: string;
  /**
   * A SQLite file: the floor then also stores each send as the least a durable, budgeted, idempotent send
   * must (see {@link couponStore}), and answers only once it is committed.
   */
  store?: string;
}): Promise<FloorServer> {
  let next = 10_000_000_000;
  const store = keys.store ? couponStore(keys.store) : undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const auth = parseAuthorization(req.headers.authorization);
        const message = auth && requestMessage(req.method ?? '', req.url ?? '', auth.timestamp, auth.nonce_str, body);
        if (!auth || !message || !rsaVerify(message, auth.signature, keys.merchantKey)) {
          res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"code":"SIGN_ERROR","message":"签名错误"}');
          return;
        }
        const input = JSON.parse(body) as { out_request_no: string };
        const openid = /\/users\/([^/]+)\/coupons/.exec(req.url ?? '')?.[1] ?? '';
        const couponId = store ? await store.send(openid, input.out_request_no, String(next++)) : String(next++);
        const text = JSON.stringify({ coupon_id: couponId });
        const ts = timestamp();
        const nonceStr = nonce();
        const signature = await rsaSignAsync(responseMessage(ts, nonceStr, text), keys.platformKey);
        res
          .writeHead(200, {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(text),
            'Request-ID': nonce(),
            'Wechatpay-Timestamp': ts,
            'Wechatpay-Nonce': nonceStr,
            'Wechatpay-Signature': signature,
            'Wechatpay-Serial': keys.keyId,
            'Wechatpay-Signature-Type': AUTH_SCHEME,
          })
          .end(text);
      })().catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
      store?.close();
    },
  };
}

/**
 * The least storage a send needs to be durable, budgeted and idempotent, on the platform's SQLite settings
 * (WAL, synchronous=NORMAL): one budget row counted down only while it has coupons left, and the coupon
 * inserted under a unique request number (a repeated number answers its first coupon). Sends arriving
 * together share one transaction, committed before any of them is answered (a group commit, as the
 * platform's). No user limits, validation, journal or framework.
 */
function couponStore(file: string) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`create table if not exists budget (id integer primary key, coupons_left integer not null);
    insert or ignore into budget (id, coupons_left) values (1, 1000000000);
    create table if not exists coupons (coupon_id text primary key, out_request_no text not null unique,
      openid text not null, created_ms integer not null)`);
  const take = db.prepare('update budget set coupons_left = coupons_left - 1 where id = 1 and coupons_left > 0');
  const giveBack = db.prepare('update budget set coupons_left = coupons_left + 1 where id = 1');
  const insert = db.prepare(
    'insert into coupons (coupon_id, out_request_no, openid, created_ms) values (?, ?, ?, ?) on conflict (out_request_no) do nothing',
  );
  const earlier = db.prepare('select coupon_id from coupons where out_request_no = ?').pluck();
  interface Pending {
    openid: string;
    requestNo: string;
    couponId: string;
    done: (id: string) => void;
    fail: (e: Error) => void;
  }
  let batch: Pending[] = [];
  // Each send's outcome: its coupon, an earlier coupon of its request number, or a refusal (budget spent).
  const commit = db.transaction((sends: Pending[]) =>
    sends.map((p): string | Error => {
      if (take.run().changes === 0) return new Error('budget spent');
      if (insert.run(p.couponId, p.requestNo, p.openid, Date.now()).changes === 1) return p.couponId;
      giveBack.run();
      return earlier.get(p.requestNo) as string;
    }),
  );
  const flush = () => {
    const sends = batch;
    batch = [];
    try {
      const outcomes = commit(sends);
      for (const [i, p] of sends.entries()) {
        const o = outcomes[i] as string | Error;
        if (o instanceof Error) p.fail(o);
        else p.done(o);
      }
    } catch (err) {
      for (const p of sends) p.fail(err as Error);
    }
  };
  return {
    send(openid: string, requestNo: string, couponId: string): Promise<string> {
      return new Promise((done, fail) => {
        if (batch.length === 0) setImmediate(flush);
        batch.push({ openid, requestNo, couponId, done, fail });
      });
    },
    close: () => db.close(),
  };
}
