import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { ConfigError, Wechatpay } from '../src/index.js';
import { type Fixtures, fixtures } from './support/fixtures.js';
import { type ServerReply, type SigningServer, startSigningServer } from './support/signing-server.js';

// Nothing printed may hold the private key, the APIv2/APIv3 keys or the Authorization signature.

let f: Fixtures;
let server: SigningServer;
let reply: ServerReply = { json: {} };

before(async () => {
  f = await fixtures();
  server = await startSigningServer({
    ...f,
    handler: () => reply,
  });
});
after(() => server.close());

function printed(value: unknown): string[] {
  const out = [String(value), inspect(value, { depth: 10, showHidden: true }), JSON.stringify(value) ?? ''];
  if (value instanceof Error) out.push(value.stack ?? '', inspect(value.cause, { depth: 10 }));
  return out;
}

function assertClean(value: unknown, secrets: string[]): void {
  for (const text of printed(value)) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `printed output leaks ${secret.slice(0, 12)}…`);
  }
}

function secretsOf(extra: string[] = []): string[] {
  const pemBody = f.merchantKeyPem.split('\n')[5] ?? '';
  return [f.apiV2Key, f.apiV3Key, pemBody, ...extra];
}

describe('redaction', () => {
  test('the client prints without its keys', () => {
    const wxpay = new Wechatpay({
      mchid: f.mchid,
      serial: f.merchantSerial,
      privateKey: f.merchantKeyPem,
      certs: { [f.platformSerial]: f.platformPublicKey },
      secret: f.apiV2Key,
      apiV3Key: f.apiV3Key,
      merchant: { cert: f.merchantCertPem, key: f.merchantKeyPem },
      baseURL: server.url,
    });
    assertClean(wxpay, secretsOf());
    assert.match(inspect(wxpay), new RegExp(f.mchid));
    wxpay.close();
  });

  test('API and verification errors print without keys or the request signature', async () => {
    const wxpay = new Wechatpay({
      mchid: f.mchid,
      serial: f.merchantSerial,
      privateKey: f.merchantKeyPem,
      certs: { [f.platformSerial]: f.platformPublicKey },
      secret: f.apiV2Key,
      apiV3Key: f.apiV3Key,
      baseURL: server.url,
    });
    try {
      for (const r of [
        { status: 403, unsigned: true, json: { code: 'NO_AUTH', message: 'x' } },
        { json: {}, tamper: true, body: '{"a":1}' },
      ]) {
        reply = r;
        const err = await wxpay.v3.marketing.favor.callbacks
          .get({ query: { mchid: f.mchid } })
          .catch((e: unknown) => e);
        assert.ok(err instanceof Error);
        const auth = String(server.requests.at(-1)?.headers.authorization);
        const signature = /signature="([^"]+)"/.exec(auth)?.[1] ?? '';
        assert.ok(signature.length > 100);
        assertClean(err, secretsOf([signature]));
      }
    } finally {
      wxpay.close();
    }
  });

  test('configuration errors never echo the value they reject', () => {
    const almost = `${f.apiV2Key}x`;
    const err = (() => {
      try {
        new Wechatpay({ mchid: f.mchid, secret: almost });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof ConfigError);
    assertClean(err, [almost, f.apiV2Key]);
    const keyErr = (() => {
      try {
        new Wechatpay({ mchid: f.mchid, serial: 'AB', privateKey: f.merchantKeyPem.replace('MII', 'XII') });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(keyErr instanceof ConfigError);
    assertClean(keyErr, secretsOf());
  });
});
