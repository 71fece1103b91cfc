import type { Feature } from '../feature.js';
import { healthRoutes } from './health.routes.js';

/** `GET /healthz` (liveness) and `GET /readyz` (database reachable, migrations at the latest, not closing). */
export const healthFeature: Feature = {
  name: 'health',
  root: healthRoutes,
};
