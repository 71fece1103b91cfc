import type { Feature } from '../feature.js';
import { journalAdmin, journalAdminDocs } from './journal.admin.js';
import { JournalService } from './journal.service.js';

declare module '../../context.js' {
  interface PlatformServices {
    /** Absent when the platform runs without a journal. */
    journal?: JournalService;
  }
}

/**
 * The request journal: every API request (APIv3, APIv2, certificates) with its answer, signature
 * verdict and any fault, secrets redacted, kept in the database within the configured retention;
 * read through the admin API.
 */
export const journalFeature: Feature = {
  name: 'journal',
  setup(ctx) {
    if (!ctx.journal) return;
    const journal = new JournalService(ctx, ctx.journal);
    ctx.services.journal = journal;
    ctx.observers.push(journal);
  },
  admin: journalAdmin,
  adminDocs: journalAdminDocs,
};
