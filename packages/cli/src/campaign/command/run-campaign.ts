import { Wechatpay } from '@wxcoupon/sdk';
import { RateLimiter } from '../engine/rate-limiter.js';
import { campaignIdFor, REQUEST_KEY_LENGTH } from '../engine/request-key.js';
import { RetryPolicy } from '../engine/retry-policy.js';
import { CampaignRunner } from '../engine/runner.js';
import { ingestInput } from '../input/ingest.js';
import { ProgressReporter, reporterMode } from '../output/progress-reporter.js';
import { totalsOf, writeOutFile } from '../output/report.js';
import { formatSummary, summarize } from '../output/summary.js';
import { createSender, SENDER_FIELDS } from '../senders/index.js';
import { Journal } from '../store/journal.js';
import { CampaignError } from './campaign-error.js';
import { clientConfig, loadCredentials } from './credentials.js';
import type { CommandIO } from './io.js';
import type { RunCommandOptions } from './options.js';
import { processAlive } from './process-alive.js';

/**
 * Exit statuses: 0 all settled, 2 stopped on a campaign-wide error, 3 some left for a rerun, 4 all settled but no
 * coupon issued (every recipient failed or was skipped), 130 interrupted.
 */
export const EXIT = { done: 0, stopped: 2, incomplete: 3, noneSent: 4, interrupted: 130 } as const;

/** Opens the journal for this campaign, creating it on the first run and refusing one that belongs elsewhere. */
function openJournal(o: RunCommandOptions, mchid: string): Journal {
  const journal = Journal.open(o.journal);
  try {
    const campaignId = campaignIdFor(mchid, o.api, o.stock, o.campaign);
    const meta = journal.meta();
    if (!meta) {
      journal.create({ campaignId, api: o.api, stockId: o.stock, mchid, createdAt: new Date().toISOString() });
      return journal;
    }
    const differs: string[] = [];
    if (meta.api !== o.api) differs.push(`--api ${meta.api}`);
    if (meta.stockId !== o.stock) differs.push(`--stock ${meta.stockId}`);
    if (meta.mchid !== mchid) differs.push(`merchant ${meta.mchid}`);
    if (meta.campaignId !== campaignId && differs.length === 0) differs.push(`campaign id ${meta.campaignId}`);
    if (differs.length > 0) {
      throw new CampaignError(
        `${o.journal} belongs to another campaign (${differs.join(', ')}); use a new --journal for this one`,
        'journal',
      );
    }
    const pid = meta.run.runnerPid;
    if (meta.run.state === 'running' && pid !== null && pid !== process.pid && processAlive(pid)) {
      throw new CampaignError(`${o.journal} is in use by a run in process ${pid}`, 'journal');
    }
    return journal;
  } catch (e) {
    journal.close();
    throw e;
  }
}

export async function runCampaignCommand(o: RunCommandOptions, io: CommandIO): Promise<number> {
  const credentials = loadCredentials(o.credentials);
  const config = clientConfig(credentials, { v2: o.api === 'v2', timeout: o.timeoutMs });
  if (io.fetch) config.fetch = io.fetch;
  const client = new Wechatpay(config);
  const journal = openJournal(o, credentials.mchid);
  const mode = o.quiet ? 'quiet' : reporterMode(o.json, io.stderr, io.env);
  const reporter = new ProgressReporter({
    mode,
    err: io.stderr,
    out: io.stdout,
    plainIntervalMs: o.progressIntervalMs,
  });
  try {
    const resumed = (journal.meta()?.run.runs ?? 0) > 0;
    journal.setRunState('running');
    const ingested = await ingestInput({
      journal,
      input: o.input,
      stdin: io.stdin,
      keyLength: REQUEST_KEY_LENGTH[o.api],
      fields: SENDER_FIELDS[o.api],
    });
    if (ingested.read) reporter.event({ type: 'ingested', ...ingested, acceptedColumns: SENDER_FIELDS[o.api] });

    const sender = createSender(o.api, {
      client,
      stockId: o.stock,
      appid: o.appid ?? credentials.appid,
      mchid: credentials.mchid,
      stockCreatorMchid: o.stockCreatorMchid,
    });
    const limiter = new RateLimiter({ qps: o.qps });
    const retry = new RetryPolicy({ maxAttempts: o.maxAttempts, baseMs: o.retryBaseMs, capMs: o.retryCapMs });
    const runnerOptions = {
      journal,
      sender,
      limiter,
      retry,
      concurrency: o.concurrency,
      onEvent: (e: Parameters<ProgressReporter['event']>[0]) => reporter.event(e),
    };
    const runner = new CampaignRunner(io.signal ? { ...runnerOptions, signal: io.signal } : runnerOptions);
    const meta = journal.meta()!;
    const start = runner.snapshot();
    reporter.event({
      type: 'start',
      campaignId: meta.campaignId,
      api: o.api,
      stockId: o.stock,
      total: start.total,
      todo: start.total - start.settledBefore,
      qps: o.qps,
      concurrency: o.concurrency,
      resumed,
    });
    reporter.start(() => runner.snapshot());
    const outcome = await runner.run();
    reporter.stop(outcome.progress);

    const totals = totalsOf(journal.counts());
    let exit: number;
    if (outcome.stop?.reason === 'interrupted') {
      journal.setRunState('interrupted', { code: outcome.stop.code, reason: outcome.stop.message });
      exit = EXIT.interrupted;
    } else if (outcome.stop) {
      journal.setRunState('stopped', {
        code: outcome.stop.code,
        reason: `${outcome.stop.reason}: ${outcome.stop.message}`,
      });
      exit = EXIT.stopped;
    } else if (totals.notSent + totals.unknown > 0) {
      journal.setRunState('incomplete');
      exit = EXIT.incomplete;
    } else {
      journal.setRunState('completed');
      exit = totals.total > 0 && totals.sent === 0 ? EXIT.noneSent : EXIT.done;
    }
    if (o.out) await writeOutFile(journal, o.out);
    const after = journal.meta()!;
    const summary = summarize(journal, after, after.run, outcome.progress);
    if (o.json) io.stdout.write(`${JSON.stringify({ type: 'summary', ...summary, time: new Date().toISOString() })}\n`);
    else io.stdout.write(formatSummary(summary));
    return exit;
  } catch (e) {
    reporter.stop();
    const meta = journal.meta();
    if (meta?.run.state === 'running') {
      journal.setRunState('interrupted', { code: 'ERROR', reason: (e as Error).message });
    }
    throw e;
  } finally {
    client.close();
    journal.close();
  }
}
