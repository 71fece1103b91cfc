import type { SkipReason, StopReason } from './failure.js';
import type { CampaignApi } from './request-key.js';

/** Counts of one run, plus what earlier runs of the same journal already settled. */
export interface Progress {
  /** Recipients in the journal. */
  total: number;
  /** Settled before this run started (sent, skipped or failed for good). */
  settledBefore: number;
  sent: number;
  skipped: number;
  failed: number;
  /** Left to a rerun after transient failures (retried with the same key next time). */
  deferred: number;
  inFlight: number;
  attempts: number;
  retries: number;
  throttles: number;
  /** Requests per second the limiter allows right now. */
  rate: number;
  elapsedMs: number;
}

export type CampaignEvent =
  | {
      type: 'start';
      campaignId: string;
      api: CampaignApi;
      stockId: string;
      total: number;
      todo: number;
      qps: number;
      concurrency: number;
      resumed: boolean;
    }
  | {
      type: 'ingested';
      rows: number;
      added: number;
      corrected: number;
      duplicates: number;
      invalid: number;
      ignoredColumns: string[];
      /** CSV columns the API takes, to make a misspelt one obvious. */
      acceptedColumns: readonly string[];
    }
  | { type: 'throttled'; rate: number }
  | { type: 'skipped'; openid: string; reason: SkipReason; code: string; message: string }
  | { type: 'failed'; openid: string; code: string; message: string; deferred: boolean }
  | { type: 'stopping'; reason: StopReason | 'interrupted'; code: string; message: string }
  | { type: 'progress'; progress: Progress };
