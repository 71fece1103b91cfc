import type { Migration } from 'kysely';
import * as m0001 from './0001_core.js';
import * as m0002 from './0002_favor.js';
import * as m0003 from './0003_busifavor.js';
import * as m0004 from './0004_notify.js';
import * as m0006 from './0006_rate_limits.js';
import * as m0007 from './0007_users_per_appid.js';
import * as m0008 from './0008_faults.js';
import * as m0009 from './0009_clock.js';
import * as m0010 from './0010_favor_specified_value.js';
import * as m0011 from './0011_favor_send_pg.js';
import * as m0012 from './0012_journal.js';
import * as m0013 from './0013_v2_decimal_err_code.js';
import * as m0015 from './0015_favor_send_lock_last.js';
import * as m0016 from './0016_favor_budget_slices.js';
import * as m0017 from './0017_favor_day_slices.js';

// The static, ordered list of migrations. A new feature adds `NNNN_<feature>.ts` here and one line
// below; names sort in the order they run. Never edit a migration that has shipped: add another.
export const migrations: Record<string, Migration> = {
  '0001_core': m0001,
  '0002_favor': m0002,
  '0003_busifavor': m0003,
  '0004_notify': m0004,
  '0006_rate_limits': m0006,
  '0007_users_per_appid': m0007,
  '0008_faults': m0008,
  '0009_clock': m0009,
  '0010_favor_specified_value': m0010,
  '0011_favor_send_pg': m0011,
  '0012_journal': m0012,
  '0013_v2_decimal_err_code': m0013,
  '0015_favor_send_lock_last': m0015,
  '0016_favor_budget_slices': m0016,
  '0017_favor_day_slices': m0017,
};
