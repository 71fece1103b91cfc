import type { Feature } from '../feature.js';
import { favorAdmin, favorAdminDocs } from './favor.admin.js';
import { flowDownloads, flowRoutes } from './favor.flows.js';
import * as repo from './favor.repository.js';
import { favorRoutes } from './favor.routes.js';
import { FavorService } from './favor.service.js';
import { startReturningSlices } from './favor.slices.js';

export const favorFeature: Feature = {
  name: 'favor',
  setup(ctx) {
    ctx.services.favor = new FavorService(ctx);
    ctx.hooks.on('platform.reset', (trx) => repo.forgetIssued(trx));
  },
  v3(router, ctx) {
    favorRoutes(router, ctx);
    flowRoutes(router, ctx);
  },
  root: flowDownloads,
  admin: favorAdmin,
  adminDocs: favorAdminDocs,
  start(ctx) {
    return ctx.engine === 'postgres' ? startReturningSlices(ctx) : undefined;
  },
};
