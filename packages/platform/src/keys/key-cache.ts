import { createPublicKey, type KeyObject } from 'node:crypto';

// Parsing a PEM costs more than verifying a signature; keys are immutable per PEM text, so the
// parsed KeyObject can be kept. Bounded so a stream of distinct keys cannot grow memory.
const MAX = 1000;
const cache = new Map<string, KeyObject>();

export function publicKeyFromPem(pem: string): KeyObject {
  let key = cache.get(pem);
  if (!key) {
    key = createPublicKey(pem);
    if (cache.size >= MAX) cache.delete(cache.keys().next().value as string);
    cache.set(pem, key);
  }
  return key;
}
