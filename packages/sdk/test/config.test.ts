import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, test } from 'node:test';
import { ConfigError, Wechatpay, WechatpayError } from '../src/index.js';
import { fixtures } from './support/fixtures.js';

function configError(fn: () => unknown, option: string, pattern?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(
      err instanceof ConfigError && err instanceof WechatpayError,
      `expected a ConfigError, got ${String(err)}`,
    );
    assert.equal(err.option, option);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

describe('configuration', () => {
  test('keys are accepted as PKCS#8 and PKCS#1 PEM, DER Buffers and KeyObjects', async () => {
    const f = await fixtures();
    const forms = [
      f.merchantKeyPem,
      f.merchantKey.export({ type: 'pkcs1', format: 'pem' }),
      f.merchantKey.export({ type: 'pkcs8', format: 'der' }),
      f.merchantKey.export({ type: 'pkcs1', format: 'der' }),
      createPrivateKey(f.merchantKeyPem),
    ];
    const publics = [
      f.platformPublicKeyPem,
      f.platformPublicKey.export({ type: 'pkcs1', format: 'pem' }),
      f.platformPublicKey.export({ type: 'spki', format: 'der' }),
      createPublicKey(f.platformPublicKeyPem),
      f.merchantCertPem,
    ];
    for (const [i, privateKey] of forms.entries()) {
      const certs = { [f.platformSerial]: publics[i] as string | Buffer };
      const wxpay = new Wechatpay({ mchid: f.mchid, serial: f.merchantSerial, privateKey, certs });
      wxpay.close();
    }
  });

  test('a bad private key fails at construction naming privateKey', () => {
    configError(() => new Wechatpay({ mchid: '1900000109', serial: 'ABC', privateKey: 'not a key' }), 'privateKey');
  });

  test('a public key given as the private key gets a hint', async () => {
    const f = await fixtures();
    configError(
      () => new Wechatpay({ mchid: f.mchid, serial: f.merchantSerial, privateKey: f.platformPublicKeyPem }),
      'privateKey',
      /apiclient_key\.pem/,
    );
  });

  test('a bad platform key names its entry in certs', async () => {
    const f = await fixtures();
    configError(
      () =>
        new Wechatpay({
          mchid: f.mchid,
          serial: f.merchantSerial,
          privateKey: f.merchantKey,
          certs: { PUB_KEY_ID_01: 'garbage' },
        }),
      'certs.PUB_KEY_ID_01',
    );
  });

  test('a private key among the platform keys is refused', async () => {
    const f = await fixtures();
    configError(
      () =>
        new Wechatpay({
          mchid: f.mchid,
          serial: f.merchantSerial,
          privateKey: f.merchantKey,
          certs: { X: f.merchantKeyPem },
        }),
      'certs.X',
      /private key/,
    );
  });

  test('serial without privateKey (and the reverse) is refused', async () => {
    const f = await fixtures();
    configError(() => new Wechatpay({ mchid: f.mchid, serial: f.merchantSerial }), 'privateKey');
    configError(() => new Wechatpay({ mchid: f.mchid, privateKey: f.merchantKey }), 'serial');
  });

  test('mchid, secret, apiV3Key, baseURL and timeout are checked', () => {
    configError(() => new Wechatpay({ mchid: 'abc' }), 'mchid');
    configError(() => new Wechatpay({ mchid: '1900000109', secret: 'short' }), 'secret', /32/);
    configError(() => new Wechatpay({ mchid: '1900000109', apiV3Key: 'short' }), 'apiV3Key', /32 bytes/);
    configError(() => new Wechatpay({ mchid: '1900000109', baseURL: 'nope' }), 'baseURL');
    configError(() => new Wechatpay({ mchid: '1900000109', timeout: -1 }), 'timeout');
  });

  test('a merchant key that does not match the merchant certificate is refused', async () => {
    const f = await fixtures();
    configError(
      () => new Wechatpay({ mchid: f.mchid, merchant: { cert: f.merchantCertPem, key: f.serverKeyPem } }),
      'merchant.key',
      /does not match/,
    );
  });

  test('a PKCS#12 bundle that does not open names merchant.pfx and the passphrase', () => {
    configError(
      () => new Wechatpay({ mchid: '1900000109', merchant: { pfx: Buffer.from('not pkcs12') } }),
      'merchant.pfx',
      /passphrase/,
    );
  });

  test('platformSerial must name a key in certs', async () => {
    const f = await fixtures();
    configError(
      () =>
        new Wechatpay({
          mchid: f.mchid,
          serial: f.merchantSerial,
          privateKey: f.merchantKey,
          certs: { [f.platformSerial]: f.platformPublicKey },
          platformSerial: 'PUB_KEY_ID_OTHER',
        }),
      'platformSerial',
    );
  });
});
