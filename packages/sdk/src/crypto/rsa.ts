import { Buffer } from 'node:buffer';
import { constants, type KeyObject, privateDecrypt, publicEncrypt, sign, verify } from 'node:crypto';

// SHA256withRSA (RSASSA-PKCS1-v1_5) signatures and RSAES-OAEP (SHA-1, MGF1-SHA-1) encryption.
// The async variants run on libuv's thread pool, so many signatures proceed in parallel across cores.

/** Signs `message` (UTF-8) with SHA256withRSA and returns base64. */
export function rsaSign(message: string | Buffer, privateKey: KeyObject): string {
  return sign('sha256', toBuffer(message), privateKey).toString('base64');
}

/**
 * Like {@link rsaSign}, off the main thread, on libuv's thread pool. Jobs are handed over while fewer
 * than {@link RSA_JOBS_IN_FLIGHT} are pending; the rest wait their turn in order.
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

/** Like {@link rsaVerify}, off the main thread (sharing the same limit on pending jobs). */
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

/**
 * How many RSA jobs may wait on or run in the thread pool at once: 16 per pool thread. The pool must
 * never run dry while the event loop is busy with a burst of requests (an idle pool thread has to be
 * woken for the next job, which costs more than queueing it early), yet the queue stays short enough
 * that file and DNS work sharing the pool wait at most a few milliseconds behind it.
 */
export const RSA_JOBS_IN_FLIGHT = 16 * threadPoolSize();

/** libuv's thread pool size: `UV_THREADPOOL_SIZE` when set (1–1024), else libuv's default of 4. */
export function threadPoolSize(): number {
  // Outside Node (Workers, some bundles) there may be no `process` at all.
  const n = Number(globalThis.process?.env?.['UV_THREADPOOL_SIZE']);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, 1024) : 4;
}

let running = 0;
const waiting: Array<() => void> = [];

async function limited<T>(job: () => Promise<T>): Promise<T> {
  if (running >= RSA_JOBS_IN_FLIGHT) await new Promise<void>((resolve) => waiting.push(resolve));
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
