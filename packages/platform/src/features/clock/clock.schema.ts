import { parseRfc3339 } from '../../clock.js';
import { parseBody } from '../../http/validator.js';

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;
const DURATION = /^(?:(\d{1,7})d)?(?:(\d{1,9})h)?(?:(\d{1,11})m)?(?:(\d{1,13})s)?$/;

/** `25h`, `1d2h`, `90m`, `1d2h3m4s` → milliseconds; undefined when it is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text === '') return undefined;
  const [, d, h, min, s] = m;
  return (
    Number(d ?? 0) * UNIT_MS.d + Number(h ?? 0) * UNIT_MS.h + Number(min ?? 0) * UNIT_MS.m + Number(s ?? 0) * UNIT_MS.s
  );
}

/** `POST /admin/clock/advance {"by": "25h"}` → milliseconds, positive. */
export function parseAdvance(raw: string): { ms: number; text: string } {
  return parseBody(raw, (b) => {
    const by = b.string('/by', { required: true, max: 40 });
    const ms = parseDuration(by);
    if (ms === undefined)
      return b.fail(
        '/by',
        by,
        'must be a duration in days, hours, minutes and seconds, in that order: 25h, 1d2h, 90m, 30s',
      );
    if (ms <= 0)
      b.fail(
        '/by',
        by,
        'must be positive: the clock only advances (to go back, set it: POST /admin/clock/set, wxcoupon clock set)',
      );
    return { ms, text: by };
  });
}

/** `POST /admin/clock/set {"time": "2026-12-12T00:00:00+08:00"}` → epoch milliseconds and the text sent. */
export function parseSet(raw: string): { ms: number; text: string } {
  return parseBody(raw, (b) => {
    const text = b.string('/time', { required: true, max: 40 });
    const ms = parseRfc3339(text);
    if (ms === undefined)
      return b.fail('/time', text, 'must be an RFC 3339 time with its zone, e.g. 2026-12-12T00:00:00+08:00');
    return { ms, text };
  });
}
