import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { aesGcmEncrypt, certificateSerial, nonce, VerificationError, Wechatpay } from '../src/index.js';
import { issueCertificate } from '../src/pki/index.js';
import { type Fixtures, fixtures } from './support/fixtures.js';
import { type ServerReply, type SigningServer, startSigningServer } from './support/signing-server.js';

// Certificate mode: the platform certificate is downloaded encrypted, and the answer is signed by it.

let f: Fixtures;
let server: SigningServer;
let platformCertPem: string;
let platformCertSerial: string;
let reply: () => ServerReply;

function certificateList(apiV3Key: string): unknown {
  const iv = nonce(12);
  return {
    data: [
      {
        serial_no: platformCertSerial,
        effective_time: '2026-01-01T00:00:00+08:00',
        expire_time: '2031-01-01T00:00:00+08:00',
        encrypt_certificate: {
          algorithm: 'AEAD_AES_256_GCM',
          nonce: iv,
          associated_data: 'certificate',
          ciphertext: aesGcmEncrypt(platformCertPem, apiV3Key, iv, 'certificate'),
        },
      },
    ],
  };
}

before(async () => {
  f = await fixtures();
  const cert = issueCertificate({
    subject: { CN: 'Tenpay.com Root CA', O: 'Tenpay.com' },
    publicKey: f.platformPublicKey,
    signingKey: f.platformKey,
  });
  platformCertPem = cert.pem;
  platformCertSerial = certificateSerial(cert.pem);
  server = await startSigningServer({
    ...f,
    handler: () => reply(),
  });
});
after(() => server.close());

function client() {
  return new Wechatpay({
    mchid: f.mchid,
    serial: f.merchantSerial,
    privateKey: f.merchantKey,
    apiV3Key: f.apiV3Key,
    baseURL: server.url,
  });
}

describe('platform certificates', () => {
  test('the first download decrypts the certificate and verifies the answer with it', async () => {
    reply = () => ({ json: certificateList(f.apiV3Key), signWith: { key: f.platformKey, serial: platformCertSerial } });
    const wxpay = client();
    try {
      const [cert, ...rest] = await wxpay.downloadCertificates();
      assert.equal(rest.length, 0);
      assert.equal(cert?.serial, platformCertSerial);
      assert.equal(cert?.pem.trim(), platformCertPem.trim());
      assert.equal(server.requests.at(-1)?.url, '/v3/certificates');
    } finally {
      wxpay.close();
    }
  });

  test('a list encrypted under another APIv3 key is refused', async () => {
    reply = () => ({
      json: certificateList('ffffffffffffffffffffffffffffffff'),
      signWith: { key: f.platformKey, serial: platformCertSerial },
    });
    const wxpay = client();
    try {
      await assert.rejects(wxpay.downloadCertificates(), (err: unknown) => {
        return err instanceof VerificationError && err.reason === 'DECRYPT_FAILED';
      });
    } finally {
      wxpay.close();
    }
  });

  test('a list signed by a key other than the certificate it carries is refused', async () => {
    reply = () => ({ json: certificateList(f.apiV3Key), signWith: { key: f.otherKey, serial: platformCertSerial } });
    const wxpay = client();
    try {
      await assert.rejects(wxpay.downloadCertificates(), (err: unknown) => {
        return err instanceof VerificationError && err.reason === 'BAD_SIGNATURE';
      });
    } finally {
      wxpay.close();
    }
  });
});
