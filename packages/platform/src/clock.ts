// WeChat Pay writes times as RFC 3339 in Beijing time and counts "days" (max_amount_by_day) in
// Beijing time, whatever the server's own zone is.

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

/** Milliseconds since the epoch; injectable so tests can move time. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** `2026-11-22T23:59:59+08:00` (whole seconds, as the real service answers). */
export function rfc3339(ms: number): string {
  const d = new Date(ms + BEIJING_OFFSET_MS);
  return `${d.toISOString().slice(0, 19)}+08:00`;
}

/** `2026-11-22`: the Beijing calendar day that contains `ms`. */
export function beijingDay(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 date-time with an explicit zone; undefined when it is not one. */
export function parseRfc3339(text: string): number | undefined {
  if (!RFC3339.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
