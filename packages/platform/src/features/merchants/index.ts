import type { Feature } from '../feature.js';
import { merchantsAdmin, merchantsAdminDocs } from './merchants.admin.js';
import { MerchantService } from './merchants.service.js';

export const merchantsFeature: Feature = {
  name: 'merchants',
  setup(ctx) {
    ctx.services.merchants = new MerchantService(ctx);
  },
  admin: merchantsAdmin,
  adminDocs: merchantsAdminDocs,
};
