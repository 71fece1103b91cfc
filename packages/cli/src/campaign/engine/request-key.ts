import { createHash } from 'node:crypto';

/** The APIs a campaign can issue through; each has its own endpoint, key field and error codes. */
export type CampaignApi = 'favor' | 'busifavor' | 'product' | 'v2';

export const CAMPAIGN_APIS: readonly CampaignApi[] = ['favor', 'busifavor', 'product', 'v2'];

/**
 * Key lengths per API. favor's out_request_no allows 128 characters, but busifavor stores the key as
 * `send_request_no` string[1,32], so the v3 APIs share 32. The v2 partner_trade_no has no documented maximum
 * (the sample "1000009820141203515766" is 22 characters and every other v2 merchant number is String(32)), so v2
 * keeps a margin below 32. Hex alone stays inside every documented character set, including v2's.
 */
export const REQUEST_KEY_LENGTH: Record<CampaignApi, number> = { favor: 32, busifavor: 32, product: 32, v2: 28 };

/**
 * The idempotency key (`out_request_no` / `partner_trade_no`) of one recipient. It depends only on the campaign id
 * and the openid, so a rerun, a second machine or a rebuilt journal all send the same key for the same person and
 * WeChat Pay answers a repeat with the original coupon instead of issuing another.
 */
export function requestKey(campaignId: string, openid: string, length: number): string {
  if (length < 16 || length > 64) throw new RangeError(`request key length must be 16..64, got ${length}`);
  return createHash('sha256').update(campaignId).update('\0').update(openid).digest('hex').slice(0, length);
}

/**
 * The default campaign id: one campaign per merchant, API and stock, so sending the same stock to the same person
 * twice is refused by idempotency even across journals. `--campaign NAME` separates deliberate repeat campaigns.
 */
export function defaultCampaignId(mchid: string, api: CampaignApi, stockId: string): string {
  return `${mchid}:${api}:${stockId}`;
}

/** Normalises a user-chosen campaign name into the id the keys are derived from. */
export function campaignIdFor(mchid: string, api: CampaignApi, stockId: string, name?: string): string {
  const base = defaultCampaignId(mchid, api, stockId);
  return name === undefined || name === '' ? base : `${base}:${name}`;
}
