import { Buffer } from 'node:buffer';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { ConfigError } from '../errors/config-error.js';

// AEAD_AES_256_GCM as WeChat Pay uses it: output is base64(ciphertext || 16-byte tag).

export interface AeadOptions {
  /**
   * Accept 16- and 24-byte keys too (AES-128/192-GCM). Off by default: an APIv3 key is 32 bytes and
   * anything else is a configuration mistake worth failing loudly on.
   */
  anyKeyLength?: boolean;
}

const TAG_LENGTH = 16;

export function aesGcmEncrypt(
  plaintext: string | Buffer,
  key: string | Buffer,
  iv: string | Buffer,
  aad: string | Buffer = '',
  options: AeadOptions = {},
): string {
  const k = keyBytes(key, options);
  const cipher = createCipheriv(algorithm(k), k, bytes(iv), { authTagLength: TAG_LENGTH });
  cipher.setAAD(bytes(aad));
  const out = Buffer.concat([cipher.update(bytes(plaintext)), cipher.final(), cipher.getAuthTag()]);
  return out.toString('base64');
}

/** Decrypts and authenticates; throws when the tag does not verify (wrong key, nonce, AAD or data). */
export function aesGcmDecrypt(
  ciphertext: string,
  key: string | Buffer,
  iv: string | Buffer,
  aad: string | Buffer = '',
  options: AeadOptions = {},
): string {
  const k = keyBytes(key, options);
  const data = Buffer.from(ciphertext, 'base64');
  if (data.length < TAG_LENGTH) throw new Error('AEAD_AES_256_GCM: ciphertext is shorter than the 16-byte tag');
  const decipher = createDecipheriv(algorithm(k), k, bytes(iv), { authTagLength: TAG_LENGTH });
  decipher.setAAD(bytes(aad));
  decipher.setAuthTag(data.subarray(data.length - TAG_LENGTH));
  const body = decipher.update(data.subarray(0, data.length - TAG_LENGTH));
  return Buffer.concat([body, decipher.final()]).toString('utf8');
}

/** Checks that an APIv3 key is exactly 32 bytes, naming the option when it is not. */
export function assertApiV3Key(key: string | Buffer, option = 'apiV3Key'): Buffer {
  const k = bytes(key);
  if (k.length !== 32) {
    throw new ConfigError(option, `the APIv3 key must be 32 bytes (ASCII characters); got ${k.length}`);
  }
  return k;
}

function keyBytes(key: string | Buffer, options: AeadOptions): Buffer {
  const k = bytes(key);
  if (options.anyKeyLength && (k.length === 16 || k.length === 24)) return k;
  return assertApiV3Key(k, 'key');
}

function algorithm(k: Buffer): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  return k.length === 16 ? 'aes-128-gcm' : k.length === 24 ? 'aes-192-gcm' : 'aes-256-gcm';
}

function bytes(v: string | Buffer): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}
