import { Buffer } from 'node:buffer';
import { randomFillSync } from 'node:crypto';

// Nonces and ids need a few dozen random bytes each, many times a second. A call into the CSPRNG
// costs a few microseconds whatever its size, so small values are cut from a 4 KiB pool that is
// refilled from it when spent. Every byte is handed out once and never reused.

const POOL = Buffer.allocUnsafe(4096);
let next = POOL.length;

/** Reserves `count` fresh bytes of the pool (at most its size) and returns their offset. */
function take(count: number): number {
  if (count > POOL.length) throw new RangeError(`at most ${POOL.length} random bytes at a time`);
  if (next + count > POOL.length) {
    randomFillSync(POOL);
    next = 0;
  }
  const at = next;
  next += count;
  return at;
}

/** `byteCount` random bytes from the system CSPRNG as lowercase hex. */
export function randomHex(byteCount: number): string {
  const at = take(byteCount);
  return POOL.toString('hex', at, at + byteCount);
}

/** `length` characters drawn uniformly from `alphabet` (at most 256 characters), from the system CSPRNG. */
export function randomString(alphabet: string, length: number): string {
  // Bytes at or above the largest multiple of the alphabet's size are rejected, so that every
  // character is equally likely.
  if (alphabet.length < 2 || alphabet.length > 256) throw new RangeError('the alphabet must have 2 to 256 characters');
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    const count = Math.min(2 * (length - out.length), 256);
    const at = take(count);
    for (let i = at; i < at + count && out.length < length; i++) {
      const b = POOL[i] as number;
      if (b < limit) out += alphabet[b % alphabet.length];
    }
  }
  return out;
}
