import { adminFeature } from './admin/index.js';
import { busifavorFeature } from './busifavor/index.js';
import { certificatesFeature } from './certificates/index.js';
import { clockFeature } from './clock/index.js';
import { consoleFeature } from './console/index.js';
import { faultsFeature } from './faults/index.js';
import { favorFeature } from './favor/index.js';
import type { Feature } from './feature.js';
import { healthFeature } from './health/index.js';
import { journalFeature } from './journal/index.js';
import { merchantsFeature } from './merchants/index.js';
import { notifyFeature } from './notify/index.js';
import { v2couponFeature } from './v2coupon/index.js';

// Every product family of the platform. A new family adds one line here (setup runs in this order).
// The console comes first: its v3 middleware must be registered before any family's routes.
export const features: readonly Feature[] = [
  consoleFeature,
  journalFeature,
  faultsFeature,
  merchantsFeature,
  certificatesFeature,
  favorFeature,
  v2couponFeature,
  busifavorFeature,
  notifyFeature,
  clockFeature,
  adminFeature,
  healthFeature,
];
