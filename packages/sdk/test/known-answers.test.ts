import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  loadPrivateKey,
  md5Hex,
  requestMessage,
  responseMessage,
  rsaSign,
  rsaSignAsync,
  rsaVerify,
  v2Sign,
  v2StringToSign,
  v2Verify,
} from '../src/crypto/index.js';

// Every vector of the known-answer file (see fixtures/README.md), reproduced by the SDK's own code.
const dir = new URL('./fixtures/', import.meta.url);
const vectors = JSON.parse(readFileSync(new URL('known-answers.json', dir), 'utf8'));

describe('official known-answer vectors', () => {
  test('v2 MD5 signature of the official example', () => {
    const v = vectors.v2_md5;
    assert.equal(v2StringToSign(v.params, v.key), v.string_to_sign);
    assert.equal(v2Sign(v.params, v.key), v.expected_sign);
    assert.ok(v2Verify({ ...v.params, sign: v.expected_sign }, v.key));
  });

  test('v2 HMAC-SHA256 signature of the official example', () => {
    const v = vectors.v2_hmac_sha256;
    assert.equal(v2Sign(v.params, v.key, 'HMAC-SHA256'), v.expected_sign);
    assert.ok(v2Verify({ ...v.params, sign: v.expected_sign }, v.key), 'told apart from MD5 by its length');
    const declared = { ...v.params, sign_type: 'HMAC-SHA256' };
    assert.ok(v2Verify({ ...declared, sign: v2Sign(declared, v.key) }, v.key));
  });

  test('md5 of the APIv2 key, the AES-256-ECB key for v2 refund notifications', () => {
    assert.equal(md5Hex(vectors.v2_md5_of_key.input), vectors.v2_md5_of_key.expected_lower_hex);
  });

  test('v2 signature over no parameters', () => {
    const v = vectors.v2_sign_empty_params;
    assert.equal(v2StringToSign(v.params, v.key), v.string_to_sign);
    assert.equal(v2Sign(v.params, v.key), v.expected_md5_lower_hex.toUpperCase());
  });

  test('v2 string to sign skips empty values and the sign itself', () => {
    const v = vectors.formats.v2_string_to_sign_skips;
    assert.equal(v2StringToSign(v.params), v.expected);
  });

  test('AES-256-GCM encryption of the empty string', () => {
    const v = vectors.aes_256_gcm_encrypt_empty;
    assert.equal(aesGcmEncrypt(v.plaintext, v.key, v.iv, v.aad), v.expected_base64);
    assert.equal(aesGcmDecrypt(v.expected_base64, v.key, v.iv, v.aad), v.plaintext);
  });

  test('AES-256-GCM encryption of "hello" with associated data', () => {
    const v = vectors.aes_256_gcm_encrypt_hello;
    assert.equal(aesGcmEncrypt(v.plaintext, v.key, v.iv, v.aad), v.expected_base64);
    assert.equal(aesGcmDecrypt(v.expected_base64, v.key, v.iv, v.aad), v.plaintext);
  });

  test('a 16-byte key is refused by default and decrypts only when explicitly allowed', () => {
    const v = vectors.aes_gcm_decrypt_128bit_key;
    assert.throws(() => aesGcmDecrypt(v.ciphertext_base64, v.key, v.nonce, v.aad), /32 bytes/);
    assert.equal(
      aesGcmDecrypt(v.ciphertext_base64, v.key, v.nonce, v.aad, { anyKeyLength: true }),
      v.expected_plaintext,
    );
  });

  test('GCM refuses a tampered ciphertext, a wrong AAD and a wrong key', () => {
    const v = vectors.aes_256_gcm_encrypt_hello;
    const bytes = Buffer.from(v.expected_base64, 'base64');
    bytes[0] = (bytes[0] as number) ^ 1;
    assert.throws(() => aesGcmDecrypt(bytes.toString('base64'), v.key, v.iv, v.aad));
    assert.throws(() => aesGcmDecrypt(v.expected_base64, v.key, v.iv, 'other'));
    assert.throws(() => aesGcmDecrypt(v.expected_base64, 'X'.repeat(32), v.iv, v.aad));
  });

  test('APIv3 request signature with the official test key', async () => {
    const v = vectors.v3_request_signature;
    const key = loadPrivateKey(readFileSync(new URL(v.private_key_file, dir), 'utf8'));
    const message = requestMessage(v.method, v.canonical_url, v.timestamp, v.nonce, v.body);
    assert.equal(message, v.message);
    assert.equal(rsaSign(message, key), v.expected_signature);
    assert.equal(await rsaSignAsync(message, key), v.expected_signature);
    assert.ok(rsaVerify(message, v.expected_signature, key));
  });

  test('message formats', () => {
    const f = vectors.formats;
    const [m, u, t, n, b] = f.request_message_of;
    assert.equal(requestMessage(m, u, t, n, b), f.expected_request_message);
    const [ts, nonce, body] = f.response_message_of;
    assert.equal(responseMessage(ts, nonce, body), f.expected_response_message);
  });
});
