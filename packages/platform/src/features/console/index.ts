import { loadAdminToken } from '../../admin-token.js';
import type { Feature } from '../feature.js';
import { isSend, RateCounter } from './console.rates.js';
import { consoleRoutes } from './console.routes.js';
import { ConsoleService } from './console.service.js';
import { Sessions } from './console.session.js';

/**
 * The web console at `/console`: server-rendered pages over the admin API and the merchant APIs, for
 * people who would rather look than read JSON. It signs in with the admin token and keeps its own
 * session (a cookie), since a browser cannot send the admin API's bearer token on a link or a form.
 */
export const consoleFeature: Feature = {
  name: 'console',
  setup(ctx) {
    ctx.services.consoleRates = new RateCounter();
  },
  // Registered before the coupon families' routes, this middleware sees every v3 API's answer.
  v3(router, ctx) {
    const rates = ctx.services.consoleRates;
    router.use('*', async (c, next) => {
      await next();
      if (c.res.status >= 400) rates.record('error');
      else if (isSend(c.req.method, c.req.path)) rates.record('send');
    });
  },
  root(app, ctx) {
    // The same file the admin API's token comes from (read by then: routes are mounted after it).
    const adminToken = loadAdminToken(ctx.dataDir);
    consoleRoutes(app, ctx, {
      service: new ConsoleService(ctx, app, adminToken),
      sessions: new Sessions(adminToken),
      rates: ctx.services.consoleRates,
    });
  },
};

declare module '../../context.js' {
  interface PlatformServices {
    consoleRates: RateCounter;
  }
}
