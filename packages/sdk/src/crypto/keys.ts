import { Buffer } from 'node:buffer';
import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  type PrivateKeyInput,
  type PublicKeyInput,
  X509Certificate,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors/config-error.js';

/** A key or certificate as users hold it: PEM text, PEM or DER bytes, a `file://` path, or a KeyObject. */
export type KeyLike = string | Buffer | KeyObject;

/**
 * Loads an RSA private key from PKCS#8 or PKCS#1, PEM or DER. `option` names the setting in errors,
 * so a bad key fails with "privateKey: …" rather than an OpenSSL decoder message.
 */
export function loadPrivateKey(input: KeyLike, option = 'privateKey'): KeyObject {
  const value = resolveFile(input, option);
  if (isKeyObject(value)) {
    if (value.type !== 'private') throw new ConfigError(option, `expected a private key, got a ${value.type} key`);
    return assertRsa(value, option);
  }
  const attempts: PrivateKeyInput[] = isPem(value)
    ? [{ key: value, format: 'pem' }]
    : [
        { key: value as Buffer, format: 'der', type: 'pkcs8' },
        { key: value as Buffer, format: 'der', type: 'pkcs1' },
      ];
  for (const attempt of attempts) {
    try {
      return assertRsa(createPrivateKey(attempt), option);
    } catch (err) {
      if (err instanceof ConfigError) throw err;
    }
  }
  const hint =
    pemLabel(value)?.includes('PUBLIC') || pemLabel(value)?.includes('CERTIFICATE')
      ? ' (this is a public key or certificate; the private key is apiclient_key.pem)'
      : '';
  throw new ConfigError(option, `not an RSA private key in PKCS#8 or PKCS#1 form, PEM or DER${hint}`);
}

/** Loads an RSA public key from SPKI, PKCS#1 or an X.509 certificate, PEM or DER. */
export function loadPublicKey(input: KeyLike, option = 'publicKey'): KeyObject {
  const value = resolveFile(input, option);
  if (isKeyObject(value)) {
    if (value.type === 'secret') throw new ConfigError(option, 'expected a public key, got a secret key');
    return assertRsa(value.type === 'private' ? createPublicKey(value) : value, option);
  }
  const label = pemLabel(value);
  if (label === 'CERTIFICATE' || (!isPem(value) && looksLikeCertificate(value as Buffer))) {
    return assertRsa(loadCertificate(value, option).publicKey, option);
  }
  if (label?.includes('PRIVATE')) {
    throw new ConfigError(
      option,
      'expected a public key or certificate, got a private key; never share the private key',
    );
  }
  const attempts: PublicKeyInput[] = isPem(value)
    ? [{ key: value, format: 'pem' }]
    : [
        { key: value as Buffer, format: 'der', type: 'spki' },
        { key: value as Buffer, format: 'der', type: 'pkcs1' },
      ];
  for (const attempt of attempts) {
    try {
      return assertRsa(createPublicKey(attempt), option);
    } catch (err) {
      if (err instanceof ConfigError) throw err;
    }
  }
  throw new ConfigError(option, 'not an RSA public key (SPKI or PKCS#1) or X.509 certificate, PEM or DER');
}

/** Parses an X.509 certificate (PEM or DER). */
export function loadCertificate(input: string | Buffer, option = 'certificate'): X509Certificate {
  const value = resolveFile(input, option);
  if (isKeyObject(value)) throw new ConfigError(option, 'expected an X.509 certificate, got a key');
  try {
    return new X509Certificate(value);
  } catch (cause) {
    throw new ConfigError(option, 'not an X.509 certificate in PEM or DER form', { cause });
  }
}

/** The certificate's serial as WeChat Pay writes it: upper-case hex without leading zero bytes. */
export function certificateSerial(cert: X509Certificate | string | Buffer): string {
  const c = cert instanceof X509Certificate ? cert : loadCertificate(cert);
  return c.serialNumber.toUpperCase().replace(/^(00)+(?=.)/, '');
}

function resolveFile<T extends KeyLike>(input: T, option: string): T | Buffer {
  if (typeof input === 'string' && input.startsWith('file://')) {
    try {
      return readFileSync(new URL(input));
    } catch (cause) {
      throw new ConfigError(option, `cannot read ${input}`, { cause });
    }
  }
  if (typeof input !== 'string' && !Buffer.isBuffer(input) && !isKeyObject(input)) {
    throw new ConfigError(option, `expected PEM text, a Buffer or a KeyObject, got ${typeof input}`);
  }
  return input;
}

function isKeyObject(v: unknown): v is KeyObject {
  return typeof v === 'object' && v !== null && !Buffer.isBuffer(v) && 'asymmetricKeyType' in v && 'type' in v;
}

function isPem(v: string | Buffer): boolean {
  return pemLabel(v) !== undefined;
}

function pemLabel(v: string | Buffer | KeyObject): string | undefined {
  if (isKeyObject(v)) return undefined;
  const head = (typeof v === 'string' ? v : v.subarray(0, 128).toString('latin1')).trimStart();
  return /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(head)?.[1];
}

function looksLikeCertificate(der: Buffer): boolean {
  try {
    new X509Certificate(der);
    return true;
  } catch {
    return false;
  }
}

function assertRsa(key: KeyObject, option: string): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new ConfigError(option, `WeChat Pay uses RSA keys; got ${key.asymmetricKeyType ?? 'an unknown'} key`);
  }
  return key;
}
