import type { CampaignApi } from '../engine/request-key.js';

/** The CSV columns each API accepts per recipient besides openid, known before any client exists. */
export const SENDER_FIELDS: Record<CampaignApi, readonly string[]> = {
  favor: ['coupon_value', 'coupon_minimum'],
  busifavor: ['coupon_code'],
  product: ['coupon_code', 'coupon_type', 'member_card_id'],
  v2: [],
};
