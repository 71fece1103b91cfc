// How big the reliability runs are. `npm test` runs a bounded version (a few seconds per file);
// `npm run test:reliability` sets WXCOUPON_RELIABILITY=full for the figures of the specification.

export const FULL = process.env.WXCOUPON_RELIABILITY === 'full';

export function pick<T>(bounded: T, full: T): T {
  return FULL ? full : bounded;
}
