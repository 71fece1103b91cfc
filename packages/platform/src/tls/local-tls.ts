import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { generateRsaKeyPair, issueCertificate } from '@wxcoupon/sdk/pki';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';

// The platform's own little PKI: a local CA that issues the HTTPS server certificate and every
// merchant's API certificate, which is both the APIv3 signing certificate (its serial goes into
// `Authorization`) and the mutual-TLS client certificate of APIv2, as on the real service.
// Kept in the database (settings) so that every instance on one database serves the same chain.

const SETTING = 'tls.local-ca';
const YEAR_MS = 365 * 86_400_000;

interface StoredTls {
  caKeyPem: string;
  caCertificatePem: string;
  serverKeyPem: string;
  serverCertificatePem: string;
}

export interface MerchantCertificateRequest {
  mchid: string;
  name: string;
  publicKey: KeyObject;
  serial?: string;
}

export class LocalTls {
  private readonly caKey: KeyObject;
  readonly caCertificate: X509Certificate;

  private constructor(private readonly stored: StoredTls) {
    this.caKey = createPrivateKey(stored.caKeyPem);
    this.caCertificate = new X509Certificate(stored.caCertificatePem);
  }

  /** Loads the CA and server certificate, creating them on the first start of a database. */
  static async load(db: Db, clock: Clock): Promise<LocalTls> {
    let stored = await read(db);
    if (!stored) {
      const candidate = await create(clock);
      // Two instances starting together: the first insert wins and both read it back.
      await db
        .insertInto('settings')
        .values({ name: SETTING, value: JSON.stringify(candidate) })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      stored = (await read(db)) as StoredTls;
    }
    return new LocalTls(stored);
  }

  get caCertificatePem(): string {
    return this.stored.caCertificatePem;
  }

  /** Key, certificate chain and trusted client CA for `https.createServer`. */
  serverOptions(): { key: string; cert: string; ca: string } {
    return {
      key: this.stored.serverKeyPem,
      cert: `${this.stored.serverCertificatePem}${this.stored.caCertificatePem}`,
      ca: this.stored.caCertificatePem,
    };
  }

  /** A merchant API certificate: client authentication, CN = mchid, as WeChat Pay issues them. */
  issueMerchantCertificate(req: MerchantCertificateRequest): { pem: string; serial: string } {
    const issued = issueCertificate({
      subject: { CN: req.mchid, O: 'WeChat Pay merchant (wxcoupon sandbox)', OU: req.name, C: 'CN' },
      publicKey: req.publicKey,
      signingKey: this.caKey,
      issuer: this.caCertificate,
      extKeyUsage: ['clientAuth'],
      ...(req.serial ? { serial: req.serial } : {}),
    });
    return { pem: issued.pem, serial: issued.serial };
  }

  /** Whether the local CA signed this certificate (and it is within its validity period). */
  issued(cert: X509Certificate, now: number): boolean {
    if (!cert.checkIssued(this.caCertificate) || !cert.verify(this.caCertificate.publicKey)) return false;
    return Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo);
  }
}

async function read(db: Db): Promise<StoredTls | undefined> {
  const row = await db.selectFrom('settings').select('value').where('name', '=', SETTING).executeTakeFirst();
  return row ? (JSON.parse(row.value) as StoredTls) : undefined;
}

async function create(clock: Clock): Promise<StoredTls> {
  const [ca, server] = await Promise.all([generateRsaKeyPair(), generateRsaKeyPair()]);
  const notBefore = new Date(clock() - 3600_000);
  const caCert = issueCertificate({
    subject: { CN: 'wxcoupon local CA', O: 'wxcoupon sandbox', C: 'CN' },
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    isCA: true,
    notBefore,
    notAfter: new Date(notBefore.getTime() + 10 * YEAR_MS),
  });
  const serverCert = issueCertificate({
    subject: { CN: 'localhost', O: 'wxcoupon sandbox', C: 'CN' },
    publicKey: server.publicKey,
    signingKey: ca.privateKey,
    issuer: caCert.x509,
    dns: ['localhost'],
    ips: ['127.0.0.1', '::1'],
    extKeyUsage: ['serverAuth'],
    notBefore,
    notAfter: new Date(notBefore.getTime() + 5 * YEAR_MS),
  });
  return {
    caKeyPem: ca.privateKeyPem,
    caCertificatePem: caCert.pem,
    serverKeyPem: server.privateKeyPem,
    serverCertificatePem: serverCert.pem,
  };
}
