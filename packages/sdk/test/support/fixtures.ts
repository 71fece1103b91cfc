import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { certificateSerial } from '../../src/crypto/index.js';
import { issueCertificate } from '../../src/pki/index.js';

// Committed test keys (see fixtures/README.md) and certificates issued from them on every run: a
// merchant API certificate signed by a local CA, a platform public key (public-key mode), an HTTPS
// server certificate, and the two symmetric keys.

export interface Fixtures {
  mchid: string;
  appid: string;
  merchantKey: KeyObject;
  merchantKeyPem: string;
  merchantPublicKey: KeyObject;
  merchantCertPem: string;
  merchantSerial: string;
  platformKey: KeyObject;
  platformPublicKey: KeyObject;
  platformPublicKeyPem: string;
  platformSerial: string;
  apiV3Key: string;
  apiV2Key: string;
  caPem: string;
  serverKeyPem: string;
  serverCertPem: string;
  /** A key nobody trusts, for impostor tests. */
  otherKey: KeyObject;
}

interface Pair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  privateKeyPem: string;
}

function pair(name: string): Pair {
  const privateKeyPem = readFileSync(new URL(`../fixtures/${name}.key.pem`, import.meta.url), 'utf8');
  const privateKey = createPrivateKey(privateKeyPem);
  return { privateKey, publicKey: createPublicKey(privateKey), privateKeyPem };
}

let cached: Promise<Fixtures> | undefined;

export function fixtures(): Promise<Fixtures> {
  cached ??= make();
  return cached;
}

async function make(): Promise<Fixtures> {
  const [ca, merchant, platform, server, other] = ['ca', 'merchant', 'platform', 'server', 'other'].map(pair) as [
    Pair,
    Pair,
    Pair,
    Pair,
    Pair,
  ];
  const caCert = issueCertificate({
    subject: { CN: 'Test Root CA' },
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    isCA: true,
  });
  const merchantCert = issueCertificate({
    subject: { CN: '1900000109', O: '测试商户', C: 'CN' },
    publicKey: merchant.publicKey,
    signingKey: ca.privateKey,
    issuer: caCert.x509,
    extKeyUsage: ['clientAuth'],
  });
  const serverCert = issueCertificate({
    subject: { CN: 'localhost' },
    publicKey: server.publicKey,
    signingKey: ca.privateKey,
    issuer: caCert.x509,
    dns: ['localhost'],
    ips: ['127.0.0.1'],
    extKeyUsage: ['serverAuth'],
  });
  return {
    mchid: '1900000109',
    appid: 'wx1234567889999',
    merchantKey: merchant.privateKey,
    merchantKeyPem: merchant.privateKeyPem,
    merchantPublicKey: merchant.publicKey,
    merchantCertPem: merchantCert.pem,
    merchantSerial: certificateSerial(merchantCert.pem),
    platformKey: platform.privateKey,
    platformPublicKey: platform.publicKey,
    platformPublicKeyPem: platform.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    platformSerial: 'PUB_KEY_ID_0119000001092025112200000000000001',
    apiV3Key: 'a3f0c2d19b7e4c56a8d1e2f3b4c5d6e7',
    apiV2Key: '0123456789abcdefghijABCDEFGHIJ01',
    caPem: caCert.pem,
    serverKeyPem: server.privateKeyPem,
    serverCertPem: serverCert.pem,
    otherKey: other.privateKey,
  };
}
