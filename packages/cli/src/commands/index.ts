import type { Command } from '../command.js';
import { appid } from './appid.js';
import { busifavor } from './busifavor.js';
import { callback } from './callback.js';
import { campaign } from './campaign.js';
import { clock } from './clock.js';
import { coupon } from './coupon.js';
import { fault } from './fault.js';
import { logs } from './logs.js';
import { merchant } from './merchant.js';
import { notification } from './notification.js';
import { reset } from './reset.js';
import { send } from './send.js';
import { serve } from './serve.js';
import { stock } from './stock.js';
import { user } from './user.js';

/** Every `wxcoupon` command: one line each. */
export const commands: Record<string, Command> = {
  serve: { summary: 'start the platform (HTTP, SQLite or PostgreSQL) with a demo merchant', run: serve },
  send: { summary: 'send one 代金券 through the SDK', run: send },
  stock: { summary: 'create, start, pause, restart, stop, get and list 代金券 stocks', run: stock },
  busifavor: {
    summary: '商家券/商品券: create, get, list stocks, change budgets, attach products, use/return/deactivate coupons',
    run: busifavor,
  },
  callback: { summary: 'set or show the notification URL of the 代金券 or 商家券 family', run: callback },
  merchant: { summary: 'add or list merchants (admin API)', run: merchant },
  appid: { summary: 'bind an appid to a merchant (admin API)', run: appid },
  user: { summary: 'add users (openids), flag them abnormal (admin API)', run: user },
  coupon: { summary: 'mark a coupon used (admin API)', run: coupon },
  notification: {
    summary: 'list notifications with their delivery attempts, show one, redeliver or trigger one now (admin API)',
    run: notification,
  },
  clock: {
    summary: 'show or move the test clock: stock windows, day budgets, expiry, notification retries (admin API)',
    run: clock,
  },
  fault: {
    summary: 'force errors, latency, closed connections or dropped answers on chosen APIs (admin API)',
    run: fault,
  },
  logs: {
    summary:
      'the requests the platform received: filter, follow, or show one whole with its signature verdict (admin API)',
    run: logs,
  },
  reset: { summary: 'delete issued coupons and counters (admin API)', run: reset },
  campaign: { summary: 'send a stock to a list of users: rate-limited, resumable, exactly once', run: campaign },
};
