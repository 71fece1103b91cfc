import type { CampaignApi } from '../request-key.js';
import type { Sender } from '../sender.js';
import { BusifavorSender } from './busifavor-sender.js';
import type { SenderContext } from './client.js';
import { FavorSender } from './favor-sender.js';
import { ProductSender } from './product-sender.js';
import { V2Sender } from './v2-sender.js';

export type { CouponClient, SenderContext } from './client.js';

/** One sender per `--api`. */
export function createSender(api: CampaignApi, context: SenderContext): Sender {
  switch (api) {
    case 'favor':
      return new FavorSender(context);
    case 'busifavor':
      return new BusifavorSender(context);
    case 'product':
      return new ProductSender(context);
    case 'v2':
      return new V2Sender(context);
  }
}

/** The CSV columns each API accepts, known before any client exists (to check the input early). */
export const SENDER_FIELDS: Record<CampaignApi, readonly string[]> = {
  favor: ['coupon_value', 'coupon_minimum'],
  busifavor: ['coupon_code'],
  product: ['coupon_code', 'coupon_type', 'member_card_id'],
  v2: [],
};
