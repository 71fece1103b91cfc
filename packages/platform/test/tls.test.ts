import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { V2Error, Wechatpay } from '@wxcoupon/sdk';
import { loadPrivateKey } from '@wxcoupon/sdk/crypto';
import { generateRsaKeyPair, issueCertificate } from '@wxcoupon/sdk/pki';
import { buildXml } from '@wxcoupon/sdk/xml';
import { Wechatpay as PeerWechatpay } from 'wechatpay-axios-plugin';
import type { DemoCredentials } from '../src/index.js';
import { sdkFor } from './helpers/fixtures.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';
import { v2TestClient } from './v2-support.js';

// The HTTPS listener and mutual TLS end to end: real sockets on port 0, the local CA from
// credentials.json, wechatpay-axios-plugin's and our SDK's APIv2 clients with `security: true`,
// and the refusals of a missing, foreign or other merchant's client certificate.

function sendFields(creds: DemoCredentials, n: string) {
  return {
    coupon_stock_id: creds.favorStockId,
    openid_count: '1',
    partner_trade_no: `${creds.mchid}20261122tls${n}`,
    openid: `o-tls-${n}`,
    appid: creds.appid,
    mch_id: creds.mchid,
  };
}

function peerClient(creds: DemoCredentials, baseURL: string, merchant?: { cert: string; key: string }) {
  const ca = readFileSync(creds.caCertificateFile, 'utf8');
  // biome-ignore lint/suspicious/noExplicitAny: the peer's chain is typed with index signatures
  const peer: any = new PeerWechatpay({
    mchid: creds.mchid,
    serial: creds.serial,
    privateKey: readFileSync(creds.privateKeyFile, 'utf8'),
    certs: { [creds.platformPublicKeyId]: readFileSync(creds.platformPublicKeyFile, 'utf8') },
    secret: creds.apiV2Key,
    merchant: { ...(merchant ?? {}), ca },
    baseURL: `${baseURL}/`,
  });
  return peer;
}

/** What the peer SDK rejected with: its parsed v2 answer. */
async function peerRefusal(p: Promise<unknown>): Promise<Record<string, string>> {
  try {
    await p;
  } catch (err) {
    const data = (err as { response?: { data?: Record<string, string> } }).response?.data;
    assert.ok(data, `expected a v2 answer, got ${String(err)}`);
    return data;
  }
  throw new Error('expected the send to be refused');
}

describe('HTTPS and mutual TLS', () => {
  let t: TestPlatform;
  let creds: DemoCredentials;
  let tlsUrl: string;
  let url: string;
  let ca: string;
  let demoCert: { cert: string; key: string };

  before(async () => {
    t = await startTestPlatform();
    const listening = await t.platform.listen({ host: '127.0.0.1', port: 0 });
    url = listening.url;
    tlsUrl = listening.tlsUrl as string;
    creds = JSON.parse(readFileSync(join(t.dataDir, 'demo', 'credentials.json'), 'utf8')) as DemoCredentials;
    ca = readFileSync(creds.caCertificateFile, 'utf8');
    demoCert = { cert: readFileSync(creds.certificateFile, 'utf8'), key: readFileSync(creds.privateKeyFile, 'utf8') };
  });
  after(() => t.close());

  test('credentials.json names the HTTPS address and the CA; the CA issued the server and merchant certificates', async () => {
    assert.match(creds.tlsBaseURL, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(creds.tlsBaseURL, creds.baseURL.replace('http:', 'https:'));
    assert.equal(creds.tlsBaseURL, tlsUrl);
    const caCert = new X509Certificate(ca);
    assert.ok(caCert.ca, 'a CA certificate');
    const merchant = new X509Certificate(demoCert.cert);
    assert.ok(
      merchant.checkIssued(caCert) && merchant.verify(caCert.publicKey),
      'the merchant certificate is issued by the CA',
    );
    assert.equal(
      merchant.serialNumber.toUpperCase(),
      creds.serial,
      'the same certificate whose serial signs APIv3 requests',
    );
    assert.match(merchant.subject, new RegExp(`CN=${creds.mchid}`));
    // The server certificate: trusted through the CA, valid for 127.0.0.1 (checked by the handshake).
    const res = await new Promise<{ cert: X509Certificate | undefined; status: number | undefined }>(
      (resolve, reject) => {
        const agent = new Agent({ ca });
        const req = request(`${tlsUrl}/admin/health`, { agent }, (r) => {
          resolve({ cert: (r.socket as TLSSocket).getPeerX509Certificate(), status: r.statusCode });
          r.resume();
          agent.destroy();
        });
        req.on('error', reject);
        req.end();
      },
    );
    assert.ok(res.cert?.checkIssued(caCert));
    assert.match(res.cert?.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.match(res.cert?.subjectAltName ?? '', /DNS:localhost/);
    assert.equal(res.status, 401, 'the whole app is served over HTTPS (admin wants its token)');
  });

  test('wechatpay-axios-plugin sends a coupon with security: true over mutual TLS and verifies the signed reply', async () => {
    const peer = peerClient(creds, tlsUrl, demoCert);
    const res = await peer.v2.mmpaymkttransfers.send_coupon.post(sendFields(creds, 'axios1'), { security: true });
    assert.equal(res.status, 200);
    assert.equal(res.data.return_code, 'SUCCESS');
    assert.equal(res.data.result_code, 'SUCCESS');
    assert.match(res.data.coupon_id, /^\d+$/);
    // And APIv3, signed with the same certificate's serial, sees it.
    const v3 = sdkFor(creds, { fetch: t.platform.fetch });
    const { data } = await v3.request<{ status: string }>(
      'GET',
      'v3/marketing/favor/users/{openid}/coupons/{coupon_id}',
      {
        openid: 'o-tls-axios1',
        coupon_id: res.data.coupon_id,
        query: { appid: creds.appid },
      },
    );
    assert.equal(data.status, 'SENDED');
  });

  test('wechatpay-axios-plugin without a client certificate is refused with CA_ERROR', async () => {
    const peer = peerClient(creds, tlsUrl);
    const data = await peerRefusal(
      peer.v2.mmpaymkttransfers.send_coupon.post(sendFields(creds, 'axios2'), {
        security: true,
        httpsAgent: new Agent({ ca }),
      }),
    );
    assert.equal(data.return_code, 'FAIL');
    assert.equal(data.err_code, 'CA_ERROR');
  });

  test('a certificate from a foreign CA is refused with CA_VERIFY_FAILED, even with the right CN and serial', async () => {
    const foreignCa = await generateRsaKeyPair();
    const foreignRoot = issueCertificate({
      subject: { CN: 'Not the platform CA' },
      publicKey: foreignCa.publicKey,
      signingKey: foreignCa.privateKey,
      isCA: true,
    });
    const key = loadPrivateKey(demoCert.key, 'key');
    const forged = issueCertificate({
      subject: { CN: creds.mchid },
      publicKey: new X509Certificate(demoCert.cert).publicKey,
      signingKey: foreignCa.privateKey,
      issuer: foreignRoot.x509,
      serial: creds.serial,
      extKeyUsage: ['clientAuth'],
    });
    const peer = peerClient(creds, tlsUrl, {
      cert: forged.pem,
      key: key.export({ type: 'pkcs8', format: 'pem' }) as string,
    });
    const data = await peerRefusal(
      peer.v2.mmpaymkttransfers.send_coupon.post(sendFields(creds, 'axios3'), { security: true }),
    );
    assert.equal(data.err_code, 'CA_VERIFY_FAILED');
  });

  test("another merchant's genuine certificate is refused with CA_ERROR", async () => {
    const other = await t.admin('POST', '/merchants', {});
    assert.equal(other.status, 200);
    const peer = peerClient(creds, tlsUrl, { cert: other.data.certificate, key: other.data.private_key });
    const data = await peerRefusal(
      peer.v2.mmpaymkttransfers.send_coupon.post(sendFields(creds, 'axios4'), { security: true }),
    );
    assert.equal(data.err_code, 'CA_ERROR');
    assert.equal(data.return_msg, '证书有误');
  });

  test('our SDK sends a coupon over mutual TLS and meets the same refusals', async () => {
    const make = (merchant?: { cert: string; key: string }) =>
      new Wechatpay({
        mchid: creds.mchid,
        secret: creds.apiV2Key,
        baseURL: tlsUrl,
        ca,
        ...(merchant ? { merchant } : {}),
      });
    const wxpay = make(demoCert);
    try {
      const res = await wxpay.v2.mmpaymkttransfers.send_coupon.post({ xml: sendFields(creds, 'sdk1'), security: true });
      assert.equal(res.data['ret_code'], 'SUCCESS');
      assert.match(res.data['coupon_id'] ?? '', /^\d+$/);
      const stock = await wxpay.v2.mmpaymkttransfers.query_coupon_stock.post({
        xml: { coupon_stock_id: creds.favorStockId, appid: creds.appid },
      });
      assert.equal(stock.data['coupon_stock_status'], '4');
    } finally {
      wxpay.close();
    }
    const bare = make();
    try {
      await assert.rejects(
        bare.v2.mmpaymkttransfers.send_coupon.post({ xml: sendFields(creds, 'sdk2'), security: true }),
        (err: unknown) => err instanceof V2Error && err.returnCode === 'FAIL' && err.data['err_code'] === 'CA_ERROR',
      );
    } finally {
      bare.close();
    }
  });

  test('send_coupon over plain HTTP is CA_ERROR', async () => {
    const res = await fetch(`${url}/mmpaymkttransfers/send_coupon`, { method: 'POST', body: '<xml></xml>' });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /MCH_ID_EMPTY/);
    const http = await fetch(`${url}/mmpaymkttransfers/send_coupon`, {
      method: 'POST',
      body: buildXml({ ...sendFields(creds, 'plain'), nonce_str: 'n', sign: 'A'.repeat(32) }),
    });
    const text = await http.text();
    assert.match(text, /<err_code>CA_ERROR<\/err_code>/);
    assert.match(text, /<return_msg>证书有误<\/return_msg>/);
  });

  test('a client that is not TLS, or hangs up mid-body, does not disturb the listener', async () => {
    const [host, port] = new URL(tlsUrl).host.split(':') as [string, string];
    await new Promise<void>((resolve) => {
      const s = connect(Number(port), host, () => s.end('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      s.on('close', () => resolve());
      s.on('error', () => resolve());
      s.resume();
    });
    // A client that announces a body and hangs up halfway through it.
    await new Promise<void>((resolve) => {
      const req = request(`${tlsUrl}/mmpaymkttransfers/send_coupon`, {
        method: 'POST',
        agent: new Agent({ ca, ...demoCert }),
        headers: { 'Content-Length': '4096' },
      });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write('<xml><mch_id>', () => setTimeout(() => req.destroy(), 20));
    });
    const v2 = v2TestClient(tlsUrl, ca, demoCert);
    try {
      const a = await v2.raw('/mmpaymkttransfers/send_coupon', '<xml></xml>');
      assert.equal(a.fields['err_code'], 'MCH_ID_EMPTY');
    } finally {
      v2.close();
    }
  });
});

describe('choosing the HTTPS port', () => {
  test('tlsPort: false listens on HTTP only; a taken HTTPS port fails with a clear message', async () => {
    const t = await startTestPlatform();
    const other = await startTestPlatform();
    try {
      const plain = await t.platform.listen({ port: 0, tlsPort: false });
      assert.equal(plain.tlsUrl, undefined);
      assert.equal(plain.tlsServer, undefined);
      const taken = Number(new URL(plain.url).port);
      await assert.rejects(other.platform.listen({ port: 0, tlsPort: taken }), (err: Error) => {
        assert.equal(err.name, 'PlatformStartError');
        assert.match(err.message, new RegExp(`HTTPS port ${taken} on 127\\.0\\.0\\.1 is already in use`));
        return true;
      });
    } finally {
      await other.close();
      await t.close();
    }
  });
});

describe('a data directory from before HTTPS existed', () => {
  test('gains the CA, tlsBaseURL and a working mutual TLS on its next start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wxcoupon-tls-upgrade-'));
    try {
      // Make it look like it was created before: no CA in the database, a self-signed merchant
      // certificate (same key and serial), and credentials.json without the new fields.
      let t: TestPlatform = await startTestPlatform({ dataDir });
      const creds = t.platform.credentials;
      const key = loadPrivateKey(readFileSync(creds.privateKeyFile), 'key');
      const selfSigned = issueCertificate({
        subject: { CN: creds.mchid },
        publicKey: new X509Certificate(readFileSync(creds.certificateFile)).publicKey,
        signingKey: key,
        serial: creds.serial,
      }).pem;
      const db = t.platform.context.db;
      await db
        .updateTable('merchant_certificates')
        .set({ certificate_pem: selfSigned })
        .where('serial', '=', creds.serial)
        .execute();
      const demo = await db
        .selectFrom('settings')
        .select('value')
        .where('name', '=', 'demo.credentials')
        .executeTakeFirstOrThrow();
      await db
        .updateTable('settings')
        .set({ value: JSON.stringify({ ...JSON.parse(demo.value), certificatePem: selfSigned }) })
        .where('name', '=', 'demo.credentials')
        .execute();
      await db.deleteFrom('settings').where('name', 'in', ['tls.local-ca', 'tls.server']).execute();
      await t.close();
      unlinkSync(creds.caCertificateFile);
      const { tlsBaseURL: _u, caCertificateFile: _c, ...old } = creds;
      writeFileSync(join(dataDir, 'demo', 'credentials.json'), JSON.stringify(old));

      t = await startTestPlatform({ dataDir });
      try {
        const { tlsUrl } = await t.platform.listen({ port: 0 });
        const now = JSON.parse(readFileSync(join(dataDir, 'demo', 'credentials.json'), 'utf8')) as DemoCredentials;
        assert.equal(now.tlsBaseURL, tlsUrl);
        const ca = readFileSync(now.caCertificateFile, 'utf8');
        assert.ok(new X509Certificate(ca).ca);
        const v2 = v2TestClient(now.tlsBaseURL, ca, {
          cert: readFileSync(now.certificateFile, 'utf8'),
          key: readFileSync(now.privateKeyFile, 'utf8'),
        });
        try {
          const a = await v2.send('/mmpaymkttransfers/send_coupon', sendFields(now, 'upgrade'), now.apiV2Key);
          assert.equal(a.fields['result_code'], 'SUCCESS', a.text);
        } finally {
          v2.close();
        }
      } finally {
        await t.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
