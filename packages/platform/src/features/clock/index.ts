import type { Feature } from '../feature.js';
import { clockAdmin, clockAdminDocs } from './clock.admin.js';
import { ClockService } from './clock.service.js';

/** The test clock: the admin API that moves the platform clock, and the refresh that shares it between instances. */
export const clockFeature: Feature = {
  name: 'clock',
  setup(ctx) {
    ctx.services.clock = new ClockService(ctx);
  },
  admin: clockAdmin,
  adminDocs: clockAdminDocs,
  start(ctx) {
    return ctx.platformClock.startRefreshing(ctx.log);
  },
};
