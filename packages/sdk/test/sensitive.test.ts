import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  ConfigError,
  decryptSensitive,
  encryptSensitive,
  Wechatpay,
} from '../src/index.js';
import { fixtures } from './support/fixtures.js';

describe('sensitive fields and symmetric helpers', () => {
  test('a field encrypted for the platform key decrypts with its private half and names that key', async () => {
    const f = await fixtures();
    const sealed = encryptSensitive('13800138000', f.platformPublicKeyPem, f.platformSerial);
    assert.equal(sealed.serial, f.platformSerial);
    assert.notEqual(
      sealed.ciphertext,
      encryptSensitive('13800138000', f.platformPublicKeyPem, f.platformSerial).ciphertext,
    );
    assert.equal(decryptSensitive(sealed.ciphertext, f.platformKey), '13800138000');
  });

  test('the client encrypts with its default platform key and reports its serial for Wechatpay-Serial', async () => {
    const f = await fixtures();
    const wxpay = new Wechatpay({
      mchid: f.mchid,
      serial: f.merchantSerial,
      privateKey: f.merchantKey,
      certs: { [f.platformSerial]: f.platformPublicKey },
    });
    const sealed = wxpay.encrypt('张三');
    assert.equal(sealed.serial, f.platformSerial);
    assert.equal(decryptSensitive(sealed.ciphertext, f.platformKey), '张三');
    assert.throws(() => wxpay.encrypt('x', 'PUB_KEY_ID_UNKNOWN'), ConfigError);
    wxpay.close();
  });

  test('AES-256-GCM round-trips and refuses a wrong associated data', async () => {
    const f = await fixtures();
    const ct = aesGcmEncrypt('{"coupon_id":"1"}', f.apiV3Key, '0123456789ab', 'coupon');
    assert.equal(aesGcmDecrypt(ct, f.apiV3Key, '0123456789ab', 'coupon'), '{"coupon_id":"1"}');
    assert.throws(() => aesGcmDecrypt(ct, f.apiV3Key, '0123456789ab', 'certificate'));
  });
});
