import { parseRfc3339 } from '../../clock.js';
import type { AvailableTime } from './busifavor.schema.js';

// When a 商家券 can be used (coupon-api.md §4.2 coupon_available_time). Days are Beijing days,
// whatever the server's zone.

const DAY_MS = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3600_000;

function dayStart(ms: number): number {
  const local = ms + BEIJING_OFFSET_MS;
  return local - (local % DAY_MS) - BEIJING_OFFSET_MS;
}

/**
 * A coupon's [available_start_time, expire_time] for a receipt at `receive`: "生效后N天内有效"
 * counts from the receipt day (or the stock's first day when received earlier), "领取后N天开始生效"
 * delays the start to that day's midnight, "领取后N秒内有效" ends it N seconds after receipt, and
 * the coupon is never usable after the stock ends.
 */
export function couponWindow(
  rule: AvailableTime,
  stockBegin: number,
  stockEnd: number,
  receive: number,
): { start: number; expire: number } {
  const base = Math.max(receive, stockBegin);
  let start = base;
  let expire = stockEnd;
  if (rule.available_day_after_receive !== undefined) {
    if (rule.wait_days_after_receive) start = dayStart(base) + rule.wait_days_after_receive * DAY_MS;
    expire = Math.min(expire, dayStart(start) + rule.available_day_after_receive * DAY_MS - 1000);
  }
  if (rule.available_second_after_receive !== undefined)
    expire = Math.min(expire, base + rule.available_second_after_receive * 1000);
  return { start, expire: Math.max(expire, start) };
}

/** Whether `ms` falls in the weekly or irregular windows, when the stock has any (either kind suffices). */
export function inUsableWindows(rule: AvailableTime, ms: number): boolean {
  const week = rule.available_week;
  const irregular = rule.irregulary_avaliable_time;
  if (!week && !irregular?.length) return true;
  if (week) {
    const local = new Date(ms + BEIJING_OFFSET_MS);
    const secondOfDay = Math.floor(((ms + BEIJING_OFFSET_MS) % DAY_MS) / 1000);
    const dayOk = !week.week_day || week.week_day.includes(local.getUTCDay());
    const timeOk =
      !week.available_day_time?.length ||
      week.available_day_time.some((w) => secondOfDay >= w.begin_time && secondOfDay <= w.end_time);
    if (dayOk && timeOk) return true;
  }
  return (irregular ?? []).some((w) => {
    const begin = parseRfc3339(w.begin_time) ?? Number.POSITIVE_INFINITY;
    const end = parseRfc3339(w.end_time) ?? Number.NEGATIVE_INFINITY;
    return ms >= begin && ms <= end;
  });
}
