import type { Feature } from '../feature.js';
import { certificatesRoutes } from './certificates.routes.js';

export const certificatesFeature: Feature = { name: 'certificates', v3: certificatesRoutes };
