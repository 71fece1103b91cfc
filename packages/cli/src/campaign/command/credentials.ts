import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { WechatpayConfig } from '@wxcoupon/sdk';
import { CampaignError } from './campaign-error.js';

/**
 * The platform's credentials.json. The same file works for a real merchant: point `baseURL` at
 * https://api.mch.weixin.qq.com/ and the key files at the merchant's own.
 */
export interface Credentials {
  baseURL: string;
  mchid: string;
  serial: string;
  privateKeyFile: string;
  certificateFile?: string;
  platformPublicKeyId: string;
  platformPublicKeyFile: string;
  apiV3Key?: string;
  apiV2Key?: string;
  appid: string;
  favorStockId?: string;
  /** The mutual-TLS endpoint (v2 send_coupon needs the merchant certificate). */
  tlsBaseURL?: string;
  caCertificateFile?: string;
}

const REQUIRED = [
  'baseURL',
  'mchid',
  'serial',
  'privateKeyFile',
  'platformPublicKeyId',
  'platformPublicKeyFile',
  'appid',
];

export function loadCredentials(file: string): Credentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new CampaignError(`--credentials ${file}: ${(cause as Error).message}`, 'usage');
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new CampaignError(`--credentials ${file}: expected a JSON object`, 'usage');
  }
  const c = parsed as Record<string, unknown>;
  const missing = REQUIRED.filter((k) => typeof c[k] !== 'string' || c[k] === '');
  if (missing.length > 0) throw new CampaignError(`--credentials ${file}: missing ${missing.join(', ')}`, 'usage');
  // Paths in the file are relative to the file itself, so a credentials folder can be moved as a whole.
  const base = dirname(resolve(file));
  for (const k of ['privateKeyFile', 'certificateFile', 'platformPublicKeyFile', 'caCertificateFile']) {
    const v = c[k];
    if (typeof v === 'string' && v !== '' && !isAbsolute(v)) c[k] = resolve(base, v);
  }
  return c as unknown as Credentials;
}

function read(file: string, option: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CampaignError(`credentials ${option}: cannot read ${file}: ${(cause as Error).message}`, 'usage');
  }
}

/** SDK options for these credentials. v2 goes to the mutual-TLS endpoint with the merchant certificate. */
export function clientConfig(c: Credentials, options: { v2: boolean; timeout: number }): WechatpayConfig {
  const privateKey = read(c.privateKeyFile, 'privateKeyFile');
  const config: WechatpayConfig = {
    mchid: c.mchid,
    serial: c.serial,
    privateKey,
    certs: { [c.platformPublicKeyId]: read(c.platformPublicKeyFile, 'platformPublicKeyFile') },
    baseURL: options.v2 && c.tlsBaseURL ? c.tlsBaseURL : c.baseURL,
    timeout: options.timeout,
    userAgent: `wxcoupon-campaign/0.1.0 node/${process.versions.node}`,
  };
  if (c.apiV2Key) config.secret = c.apiV2Key;
  if (c.apiV3Key) config.apiV3Key = c.apiV3Key;
  if (options.v2 && c.certificateFile)
    config.merchant = { cert: read(c.certificateFile, 'certificateFile'), key: privateKey };
  if (options.v2 && c.caCertificateFile) config.ca = read(c.caCertificateFile, 'caCertificateFile');
  return config;
}
