import { existsSync } from 'node:fs';
import { writeOutFile } from '../output/report.js';
import { formatSummary, summarize } from '../output/summary.js';
import { Journal } from '../store/journal.js';
import { CampaignError } from './campaign-error.js';
import type { CommandIO } from './io.js';
import type { StatusCommandOptions } from './options.js';
import { processAlive } from './process-alive.js';

/** Reports a campaign from its journal alone; safe while a run is writing to it (WAL readers never block). */
export async function campaignStatusCommand(o: StatusCommandOptions, io: CommandIO): Promise<number> {
  if (!existsSync(o.journal)) throw new CampaignError(`no journal at ${o.journal}`, 'journal');
  const journal = Journal.open(o.journal, { readonly: true });
  try {
    const meta = journal.meta();
    if (!meta) throw new CampaignError(`${o.journal} holds no campaign yet`, 'journal');
    const run = { ...meta.run };
    // A run that was killed cannot mark itself; a dead owner means the journal is waiting for a rerun.
    if (run.state === 'running' && (run.runnerPid === null || !processAlive(run.runnerPid))) run.state = 'interrupted';
    const summary = summarize(journal, meta, run);
    const extra = {
      createdAt: meta.createdAt,
      runs: run.runs,
      runnerPid: run.state === 'running' ? run.runnerPid : null,
      input: { source: meta.ingest.source, rows: meta.ingest.rows, complete: meta.ingest.done },
    };
    if (o.out) await writeOutFile(journal, o.out);
    if (o.json) {
      io.stdout.write(`${JSON.stringify({ ...summary, ...extra })}\n`);
    } else {
      io.stdout.write(formatSummary(summary));
      io.stdout.write(
        `  created ${meta.createdAt}, ${run.runs} run(s)${extra.runnerPid ? `, running in process ${extra.runnerPid}` : ''}` +
          `; input ${meta.ingest.source ?? '?'}: ${meta.ingest.rows} rows read${meta.ingest.done ? '' : ' (reading not finished)'}\n`,
      );
    }
    return 0;
  } finally {
    journal.close();
  }
}
