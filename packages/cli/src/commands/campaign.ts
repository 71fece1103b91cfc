import { CampaignError } from '../campaign/command/campaign-error.js';
import { campaignStatusCommand } from '../campaign/command/campaign-status.js';
import { type CommandIO, processIO } from '../campaign/command/io.js';
import { parseRunOptions, parseStatusOptions, RUN_USAGE, STATUS_USAGE } from '../campaign/command/options.js';
import { runCampaignCommand } from '../campaign/command/run-campaign.js';

const USAGE = `Usage: wxcoupon campaign run|status [options]

${RUN_USAGE}
${STATUS_USAGE}`;

/**
 * `wxcoupon campaign run|status`. Returns the exit status. SIGINT/SIGTERM during a run stop the intake of new
 * recipients, let the requests in flight finish and be journaled, then exit; a second signal exits at once.
 */
export async function campaign(argv: string[], io?: CommandIO): Promise<number> {
  const [sub, ...rest] = argv;
  const out = io?.stdout ?? process.stdout;
  if ((sub === 'run' || sub === 'status') && (rest.includes('--help') || rest.includes('-h'))) {
    out.write(sub === 'run' ? RUN_USAGE : STATUS_USAGE);
    return 0;
  }
  if (sub === 'run') {
    const options = parseRunOptions(rest);
    if (io) return runCampaignCommand(options, io);
    const controller = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      if (controller.signal.aborted) process.exit(130);
      process.stderr.write(`\n${signal}: finishing requests in flight (press again to quit at once)\n`);
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      return await runCampaignCommand(options, processIO(controller.signal));
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
  if (sub === 'status') return campaignStatusCommand(parseStatusOptions(rest), io ?? processIO());
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    out.write(USAGE);
    return sub === undefined ? 64 : 0;
  }
  throw new CampaignError(`unknown campaign command "${sub}"\n\n${USAGE}`);
}
