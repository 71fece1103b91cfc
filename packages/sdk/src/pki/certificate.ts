import { Buffer } from 'node:buffer';
import {
  createHash,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import {
  bitString,
  boolean,
  explicit,
  implicitPrimitive,
  integer,
  namedBits,
  nullValue,
  octetString,
  oid,
  printableString,
  sequence,
  set,
  smallInteger,
  time,
  utf8String,
} from './der.js';

// Issues X.509 v3 certificates signed SHA256withRSA: a local CA, TLS server and client certificates,
// and look-alikes of WeChat Pay merchant API and platform certificates for tests and a sandbox.

export interface DistinguishedName {
  CN: string;
  O?: string;
  OU?: string;
  L?: string;
  ST?: string;
  C?: string;
}

export interface CertificateOptions {
  subject: DistinguishedName;
  /** The subject's public key. */
  publicKey: KeyObject;
  /** The issuer's private key; for a self-signed certificate, the subject's own. */
  signingKey: KeyObject;
  /** The issuer's certificate; omit for a self-signed certificate. */
  issuer?: X509Certificate;
  /** Upper-case hex; a random 40-digit serial (as WeChat Pay's) when omitted. */
  serial?: string;
  notBefore?: Date;
  notAfter?: Date;
  isCA?: boolean;
  /** Subject alternative names. */
  dns?: string[];
  ips?: string[];
  extKeyUsage?: Array<'serverAuth' | 'clientAuth'>;
}

export interface IssuedCertificate {
  pem: string;
  serial: string;
  x509: X509Certificate;
}

const OID = {
  sha256WithRSA: '1.2.840.113549.1.1.11',
  CN: '2.5.4.3',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

const NAME_ORDER: Array<keyof DistinguishedName> = ['C', 'ST', 'L', 'O', 'OU', 'CN'];

/** A random serial of 20 bytes whose top bit is clear, so its hex form has no sign padding. */
export function randomSerial(): string {
  const b = randomBytes(20);
  b[0] = ((b[0] as number) & 0x7f) | 0x10;
  return b.toString('hex').toUpperCase();
}

export function issueCertificate(opts: CertificateOptions): IssuedCertificate {
  const serial = (opts.serial ?? randomSerial()).toUpperCase();
  const notBefore = opts.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = opts.notAfter ?? new Date(notBefore.getTime() + 5 * 365 * 86400_000);
  const spki = opts.publicKey.export({ type: 'spki', format: 'der' });
  const subjectName = name(opts.subject);
  const issuerName = opts.issuer
    ? Buffer.from(opts.issuer.raw).subarray(...issuerSubjectRange(opts.issuer))
    : subjectName;
  const skid = keyId(opts.publicKey);
  const akid = opts.issuer ? keyId(opts.issuer.publicKey) : skid;

  const extensions: Buffer[] = [
    extension(OID.basicConstraints, sequence(...(opts.isCA ? [boolean(true)] : [])), true),
    extension(OID.keyUsage, opts.isCA ? namedBits([0, 5, 6]) : namedBits([0, 2]), true),
    extension(OID.subjectKeyIdentifier, octetString(skid)),
    extension(OID.authorityKeyIdentifier, sequence(implicitPrimitive(0, akid))),
  ];
  if (opts.extKeyUsage?.length) {
    extensions.push(extension(OID.extKeyUsage, sequence(...opts.extKeyUsage.map((u) => oid(OID[u])))));
  }
  const san = [
    ...(opts.dns ?? []).map((d) => implicitPrimitive(2, Buffer.from(d, 'ascii'))),
    ...(opts.ips ?? []).map((ip) => implicitPrimitive(7, ipBytes(ip))),
  ];
  if (san.length) extensions.push(extension(OID.subjectAltName, sequence(...san)));

  const algorithm = sequence(oid(OID.sha256WithRSA), nullValue());
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    integer(Buffer.from(serial, 'hex')),
    algorithm,
    issuerName,
    sequence(time(notBefore), time(notAfter)),
    subjectName,
    spki,
    explicit(3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, opts.signingKey);
  const der = sequence(tbs, algorithm, bitString(signature));
  const x509 = new X509Certificate(der);
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
  return { pem, serial, x509 };
}

export interface RsaKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  privateKeyPem: string;
  publicKeyPem: string;
}

/** A fresh RSA-2048 key pair (generated off the main thread), with PKCS#8 and SPKI PEM forms. */
export function generateRsaKeyPair(modulusLength = 2048): Promise<RsaKeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength, publicExponent: 0x10001 }, (err, publicKey, privateKey) => {
      if (err) return reject(err);
      resolve({
        privateKey,
        publicKey,
        privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
      });
    });
  });
}

function name(dn: DistinguishedName): Buffer {
  const rdns: Buffer[] = [];
  for (const key of NAME_ORDER) {
    const value = dn[key];
    if (value === undefined) continue;
    rdns.push(set(sequence(oid(OID[key]), key === 'C' ? printableString(value) : utf8String(value))));
  }
  return sequence(...rdns);
}

function extension(id: string, value: Buffer, critical = false): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

function keyId(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha1')
    .update(pub.export({ type: 'spki', format: 'der' }))
    .digest();
}

function ipBytes(ip: string): Buffer {
  if (ip.includes(':')) {
    const [head = '', tail = ''] = ip.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
  }
  return Buffer.from(ip.split('.').map(Number));
}

/** Byte range of the subject Name inside a certificate's DER, to copy it verbatim as the issuer. */
function issuerSubjectRange(cert: X509Certificate): [number, number] {
  const der = Buffer.from(cert.raw);
  // Certificate ::= SEQ { tbs SEQ { [0] version, serial, sigAlg, issuer, validity, subject, ... } }
  let p = header(der, 0).contentStart; // into Certificate
  p = header(der, p).contentStart; // into TBSCertificate
  for (let field = 0; field < 5; field++) p = header(der, p).end; // skip version, serial, alg, issuer, validity
  return [p, header(der, p).end];
}

function header(der: Buffer, at: number): { contentStart: number; end: number } {
  const first = der[at + 1] as number;
  if (first < 0x80) return { contentStart: at + 2, end: at + 2 + first };
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (der[at + 2 + i] as number);
  return { contentStart: at + 2 + n, end: at + 2 + n + len };
}
