const DAY_MS = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3600_000;

/**
 * When a coupon sent at `now` may be used: the stock's window, narrowed by its rules' coupon_available_time
 * (from the next Beijing day, for so many minutes after it is received). Migration 0011's send function
 * computes the same in SQL.
 */
export function couponWindow(
  stock: { available_begin_ms: number; available_end_ms: number; rules_json: string },
  now: number,
): { available_begin_ms: number; available_end_ms: number } {
  const rules = JSON.parse(stock.rules_json) as {
    coupon_available_time?: { second_day_available?: boolean; available_time_after_receive?: number };
  };
  let begin = Math.max(stock.available_begin_ms, now);
  let end = stock.available_end_ms;
  const t = rules.coupon_available_time;
  if (t?.second_day_available) {
    const local = now + BEIJING_OFFSET_MS;
    begin = local - (local % DAY_MS) + DAY_MS - BEIJING_OFFSET_MS;
  }
  if (t?.available_time_after_receive) end = Math.min(end, begin + t.available_time_after_receive * 60_000);
  return { available_begin_ms: begin, available_end_ms: Math.max(end, begin) };
}
