import type { Feature } from '../feature.js';
import { faultsAdmin, faultsAdminDocs } from './faults.admin.js';
import { FaultService } from './faults.service.js';

/**
 * Fault injection for testing clients: stored rules (admin API) that answer an API's documented
 * error, delay it, close the connection, or commit and then drop the answer; and, when the platform
 * allows it, the same for one request through its `Wxcoupon-Fault` header.
 */
export const faultsFeature: Feature = {
  name: 'faults',
  setup(ctx) {
    ctx.services.faults = new FaultService(ctx);
  },
  admin: faultsAdmin,
  adminDocs: faultsAdminDocs,
};
