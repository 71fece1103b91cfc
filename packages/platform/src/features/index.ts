import { adminFeature } from './admin/index.js';
import { busifavorFeature } from './busifavor/index.js';
import { certificatesFeature } from './certificates/index.js';
import { faultsFeature } from './faults/index.js';
import { favorFeature } from './favor/index.js';
import type { Feature } from './feature.js';
import { healthFeature } from './health/index.js';
import { journalFeature } from './journal/index.js';
import { merchantsFeature } from './merchants/index.js';
import { notifyFeature } from './notify/index.js';
import { v2couponFeature } from './v2coupon/index.js';

// Every product family of the platform. A new family adds one line here (setup runs in this order).
export const features: readonly Feature[] = [
  journalFeature,
  faultsFeature,
  merchantsFeature,
  certificatesFeature,
  favorFeature,
  v2couponFeature,
  busifavorFeature,
  notifyFeature,
  adminFeature,
  healthFeature,
];
