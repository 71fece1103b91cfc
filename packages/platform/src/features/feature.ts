import type { PlatformContext } from '../context.js';
import type { AdminDocs } from '../http/admin-openapi.js';
import type { AdminRouter, AppRouter, V3Router } from '../http/env.js';

/**
 * A feature (a product family) plugs into the platform through this interface and one line in
 * features/index.ts. Routes are scoped by where they are mounted, so a route cannot skip the
 * authentication of its area:
 *  - `v3`: mounted under `/v3` behind APIv3 signature verification and response signing.
 *    Paths are relative: `router.post('/marketing/favor/…')` serves `/v3/marketing/favor/…`.
 *  - `admin`: mounted under `/admin` behind the admin token.
 *  - `root`: everything else (APIv2 XML endpoints), which must authenticate on its own.
 */
export interface Feature {
  name: string;
  /** Build services and register hooks; runs before any route is mounted. */
  setup?(ctx: PlatformContext): void | Promise<void>;
  v3?(router: V3Router, ctx: PlatformContext): void;
  admin?(router: AdminRouter, ctx: PlatformContext): void;
  /** What each route `admin` registers takes and answers, for GET /admin/openapi.json (required per route). */
  adminDocs?: AdminDocs;
  root?(router: AppRouter, ctx: PlatformContext): void;
  /**
   * Start background work once the platform is ready; the returned function stops it on close(). It may
   * let work in progress finish, but must end it promptly once `hurry` aborts (the drain deadline).
   */
  start?(ctx: PlatformContext): Promise<StopFunction | undefined> | StopFunction | undefined;
}

export type StopFunction = (hurry: AbortSignal) => Promise<void>;
