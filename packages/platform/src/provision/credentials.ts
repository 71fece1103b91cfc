import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateSubdir, writePrivateFile } from '../private-files.js';

/** `<data>/demo/credentials.json`: everything an SDK needs to talk to the demo merchant. */
export interface DemoCredentials {
  baseURL: string;
  mchid: string;
  serial: string;
  privateKeyFile: string;
  certificateFile: string;
  platformPublicKeyId: string;
  platformPublicKeyFile: string;
  apiV3Key: string;
  apiV2Key: string;
  appid: string;
  favorStockId: string;
  /** A 商品券 stock (MERCHANT_API codes) for `product-coupons/send`; absent in older demos. */
  productStockId?: string;
  /** The HTTPS (mutual TLS) address; certificateFile/privateKeyFile are the client certificate. */
  tlsBaseURL: string;
  /** The local CA that issued the HTTPS server certificate: trust it to connect to tlsBaseURL. */
  caCertificateFile: string;
  [extra: string]: string;
}

export function demoDir(dataDir: string): string {
  return join(dataDir, 'demo');
}

export function credentialsFile(dataDir: string): string {
  return join(demoDir(dataDir), 'credentials.json');
}

export function writeCredentials(dataDir: string, creds: DemoCredentials): void {
  privateSubdir(demoDir(dataDir));
  writePrivateFile(credentialsFile(dataDir), `${JSON.stringify(creds, null, 2)}\n`);
}

export function readCredentials(dataDir: string): DemoCredentials | undefined {
  try {
    return JSON.parse(readFileSync(credentialsFile(dataDir), 'utf8')) as DemoCredentials;
  } catch {
    return undefined;
  }
}

/**
 * Writes a PEM file beside credentials.json and returns its absolute path. Owner-only like every file
 * of the data directory, certificates included: the SDK reads them as the user who runs the platform.
 */
export function writePem(dataDir: string, name: string, pem: string): string {
  privateSubdir(demoDir(dataDir));
  const file = join(demoDir(dataDir), name);
  writePrivateFile(file, pem);
  return file;
}
