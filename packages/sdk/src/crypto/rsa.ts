import { constants, type KeyObject, privateDecrypt, publicEncrypt, sign, verify } from 'node:crypto';
import { availableParallelism } from 'node:os';

// SHA256withRSA (RSASSA-PKCS1-v1_5) signatures and RSAES-OAEP (SHA-1, MGF1-SHA-1) encryption.
// The async variants run on libuv's thread pool, so many signatures proceed in parallel across cores.

/** Signs `message` (UTF-8) with SHA256withRSA and returns base64. */
export function rsaSign(message: string | Buffer, privateKey: KeyObject): string {
  return sign('sha256', toBuffer(message), privateKey).toString('base64');
}

/**
 * Like {@link rsaSign}, off the main thread. At most one job per core is handed to the thread pool at a
 * time: more only makes the pool's threads fight over the same cores (and starve a server sharing the
 * machine), which measurably lowers throughput.
 */
export function rsaSignAsync(message: string | Buffer, privateKey: KeyObject): Promise<string> {
  return limited(
    () =>
      new Promise((resolve, reject) => {
        sign('sha256', toBuffer(message), privateKey, (err, sig) =>
          err ? reject(err) : resolve(sig.toString('base64')),
        );
      }),
  );
}

/** Verifies a base64 SHA256withRSA signature. A malformed signature is simply not valid. */
export function rsaVerify(message: string | Buffer, signature: string, publicKey: KeyObject): boolean {
  const sig = decodeSignature(signature);
  if (!sig) return false;
  try {
    return verify('sha256', toBuffer(message), publicKey, sig);
  } catch {
    return false;
  }
}

/** Like {@link rsaVerify}, off the main thread (with the same one-job-per-core limit). */
export function rsaVerifyAsync(message: string | Buffer, signature: string, publicKey: KeyObject): Promise<boolean> {
  const sig = decodeSignature(signature);
  if (!sig) return Promise.resolve(false);
  return limited(
    () =>
      new Promise((resolve) => {
        try {
          verify('sha256', toBuffer(message), publicKey, sig, (err, ok) => resolve(!err && ok));
        } catch {
          resolve(false);
        }
      }),
  );
}

const SLOTS = Math.max(1, availableParallelism());
let running = 0;
const waiting: Array<() => void> = [];

async function limited<T>(job: () => Promise<T>): Promise<T> {
  if (running >= SLOTS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await job();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** RSAES-OAEP with SHA-1 and MGF1-SHA-1, base64: how APIv3 sensitive fields are encrypted. */
export function oaepEncrypt(plaintext: string | Buffer, publicKey: KeyObject): string {
  return publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    toBuffer(plaintext),
  ).toString('base64');
}

/** Decrypts an OAEP (SHA-1) base64 ciphertext. PKCS#1 v1.5 is deliberately not accepted. */
export function oaepDecrypt(ciphertext: string, privateKey: KeyObject): string {
  return privateDecrypt(
    { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    Buffer.from(ciphertext, 'base64'),
  ).toString('utf8');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function decodeSignature(signature: string): Buffer | undefined {
  if (typeof signature !== 'string' || signature.length === 0 || signature.length > 2048) return undefined;
  if (!BASE64.test(signature)) return undefined;
  return Buffer.from(signature, 'base64');
}

function toBuffer(v: string | Buffer): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}
