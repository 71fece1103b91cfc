import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { generateRsaKeyPair, issueCertificate } from '@wxcoupon/sdk/pki';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { addTlsSetting, readTlsSetting, replaceTlsSetting } from './tls.repository.js';

// The platform's own little PKI: a local CA that issues the HTTPS server certificate and every
// merchant's API certificate, which is both the APIv3 signing certificate (its serial goes into
// `Authorization`) and the mutual-TLS client certificate of APIv2, as on the real service.
// Kept in the database (settings) so that every instance on one database serves the same chain.

const CA_SETTING = 'tls.local-ca';
const SERVER_SETTING = 'tls.server';
const YEAR_MS = 365 * 86_400_000;

interface StoredCa {
  caKeyPem: string;
  caCertificatePem: string;
}

interface StoredServer {
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
  private server: Promise<StoredServer> | undefined;

  private constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly stored: StoredCa,
  ) {
    this.caKey = createPrivateKey(stored.caKeyPem);
    this.caCertificate = new X509Certificate(stored.caCertificatePem);
  }

  /** Loads the CA, creating it on the first start of a database. */
  static async load(db: Db, clock: Clock): Promise<LocalTls> {
    const stored = await loadOrCreate<StoredCa>(db, CA_SETTING, () => createCa(clock));
    return new LocalTls(db, clock, stored);
  }

  get caCertificatePem(): string {
    return this.stored.caCertificatePem;
  }

  /**
   * Key, certificate chain and trusted client CA for `https.createServer`. The server certificate is
   * made on the first HTTPS listen, not at start: most platforms (tests, in-process use) never need it.
   */
  async serverOptions(): Promise<{ key: string; cert: string; ca: string }> {
    this.server ??= this.loadServer();
    const server = await this.server.catch((err: unknown) => {
      this.server = undefined;
      throw err;
    });
    return {
      key: server.serverKeyPem,
      cert: `${server.serverCertificatePem}${this.stored.caCertificatePem}`,
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

  /** The stored server certificate, replaced when another CA issued it (the CA row was removed by hand). */
  private async loadServer(): Promise<StoredServer> {
    const stored = await loadOrCreate<StoredServer>(this.db, SERVER_SETTING, () => this.createServer());
    if (this.issued(new X509Certificate(stored.serverCertificatePem), this.clock())) return stored;
    const fresh = await this.createServer();
    await replaceTlsSetting(this.db, SERVER_SETTING, JSON.stringify(fresh));
    return fresh;
  }

  private async createServer(): Promise<StoredServer> {
    const server = await generateRsaKeyPair();
    const notBefore = new Date(this.clock() - 3600_000);
    const cert = issueCertificate({
      subject: { CN: 'localhost', O: 'wxcoupon sandbox', C: 'CN' },
      publicKey: server.publicKey,
      signingKey: this.caKey,
      issuer: this.caCertificate,
      dns: ['localhost'],
      ips: ['127.0.0.1', '::1'],
      extKeyUsage: ['serverAuth'],
      notBefore,
      notAfter: new Date(notBefore.getTime() + 5 * YEAR_MS),
    });
    return { serverKeyPem: server.privateKeyPem, serverCertificatePem: cert.pem };
  }
}

/**
 * A setting read back after an insert that does nothing when the row exists: two instances
 * starting together on one database both end up with the first one's value.
 */
async function loadOrCreate<T>(db: Db, name: string, create: () => Promise<T>): Promise<T> {
  const read = async () => {
    const value = await readTlsSetting(db, name);
    return value !== undefined ? (JSON.parse(value) as T) : undefined;
  };
  const existing = await read();
  if (existing) return existing;
  const candidate = await create();
  await addTlsSetting(db, name, JSON.stringify(candidate));
  return (await read()) as T;
}

async function createCa(clock: Clock): Promise<StoredCa> {
  const ca = await generateRsaKeyPair();
  const notBefore = new Date(clock() - 3600_000);
  const cert = issueCertificate({
    subject: { CN: 'wxcoupon local CA', O: 'wxcoupon sandbox', C: 'CN' },
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    isCA: true,
    notBefore,
    notAfter: new Date(notBefore.getTime() + 10 * YEAR_MS),
  });
  return { caKeyPem: ca.privateKeyPem, caCertificatePem: cert.pem };
}
