import type { CampaignApi } from '../engine/request-key.js';
import type { Sender } from '../engine/sender.js';
import { BusifavorSender } from './busifavor-sender.js';
import type { SenderContext } from './client.js';
import { FavorSender } from './favor-sender.js';
import { ProductSender } from './product-sender.js';
import { V2Sender } from './v2-sender.js';

export type { CouponClient, SenderContext } from './client.js';
export { SENDER_FIELDS } from './fields.js';

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
