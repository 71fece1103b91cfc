import type { Hono } from 'hono';
import type { DurabilityVariables } from '../db/durability.js';
import type { PlatformKeyMode } from '../keys/platform-keys.js';
import type { RequestNote } from './request-note.js';

/** Set by the root middleware on every request. */
export interface BaseVariables extends DurabilityVariables {
  requestId: string;
  /** Set when requests are recorded (journal, access log): see request-note.ts. */
  note?: RequestNote;
}

/** The merchant a verified APIv3 request came from. */
export interface AuthenticatedMerchant {
  mchid: string;
  /** The merchant API certificate serial the request was signed with. */
  serial: string;
  platformKeyMode: PlatformKeyMode;
}

export type AppEnv = { Variables: BaseVariables };
export type V3Env = { Variables: BaseVariables & { merchant: AuthenticatedMerchant; rawBody: string } };
export type AdminEnv = { Variables: BaseVariables & { rawBody: string } };

export type AppRouter = Hono<AppEnv>;
export type V3Router = Hono<V3Env>;
export type AdminRouter = Hono<AdminEnv>;
