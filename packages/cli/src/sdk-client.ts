import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Wechatpay } from '@wxcoupon/sdk';
import { UsageError } from './usage-error.js';

export const SDK_FLAGS = {
  data: { type: 'string', default: './.wxcoupon' },
  credentials: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export interface CliCredentials {
  baseURL: string;
  mchid: string;
  serial: string;
  privateKeyFile: string;
  platformPublicKeyId: string;
  platformPublicKeyFile: string;
  appid: string;
  favorStockId?: string;
}

/** Credentials from --credentials FILE, else `<data>/demo/credentials.json`. */
export function loadCliCredentials(flags: { data?: unknown; credentials?: unknown }): CliCredentials {
  const file =
    typeof flags.credentials === 'string'
      ? resolve(flags.credentials)
      : join(resolve(String(flags.data ?? './.wxcoupon')), 'demo', 'credentials.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CliCredentials;
  } catch {
    throw new UsageError(
      `cannot read credentials ${file}: start the platform with \`wxcoupon serve\` first, or pass --credentials FILE`,
    );
  }
}

/** An SDK client for those credentials, verifying responses with the platform public key. */
export function sdkClient(c: CliCredentials): Wechatpay {
  return new Wechatpay({
    mchid: c.mchid,
    serial: c.serial,
    privateKey: readFileSync(c.privateKeyFile),
    certs: { [c.platformPublicKeyId]: readFileSync(c.platformPublicKeyFile) },
    baseURL: c.baseURL,
  });
}
