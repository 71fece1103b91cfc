import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { testEngine } from '../../helpers/test-database.js';
import { FULL } from './scale.js';

// The reliability figures (requests tried, answers by code, anything lost) go to
// bench/results/reliability.json and .md, one section per engine and suite. Only the full run
// (`npm run test:reliability`) writes them, so `npm test` leaves the working tree alone.

const DIR = fileURLToPath(new URL('../../../../../bench/results/', import.meta.url));
const JSON_FILE = `${DIR}reliability.json`;
const MD_FILE = `${DIR}reliability.md`;

export type Figures = Record<string, number | string | Record<string, number>>;
type AllFigures = Record<string, Record<string, Figures & { recorded_at: string }>>;

export function recordFigures(suite: string, figures: Figures): void {
  if (!FULL) return;
  mkdirSync(DIR, { recursive: true });
  const all: AllFigures = existsSync(JSON_FILE) ? (JSON.parse(readFileSync(JSON_FILE, 'utf8')) as AllFigures) : {};
  const engine = testEngine();
  all[engine] = { ...all[engine], [suite]: { ...figures, recorded_at: new Date().toISOString() } };
  writeFileSync(JSON_FILE, `${JSON.stringify(all, null, 2)}\n`);
  writeFileSync(MD_FILE, markdown(all));
}

function markdown(all: AllFigures): string {
  const lines = [
    '# Reliability figures',
    '',
    'Written by `npm run test:reliability` (`scripts/pg.sh run npm run test:reliability` for both engines).',
    'Every suite asserts its own figures; `lost` must be 0 everywhere and no answer may be a 5xx.',
    '`connection_retries`: sends whose keep-alive connection the server closed just as it was reused (no HTTP',
    'answer at all), sent again with the same `out_request_no` as WeChat Pay asks of clients.',
    '`extra_deliveries_seen_by_merchant`: notifications are delivered at least once; an attempt that timed out,',
    'or that a killed instance never recorded, is sent again.',
    '',
  ];
  for (const [engine, suites] of Object.entries(all)) {
    lines.push(`## ${engine}`, '');
    for (const [suite, figures] of Object.entries(suites)) {
      lines.push(`### ${suite}`, '');
      for (const [k, v] of Object.entries(figures)) {
        lines.push(`- ${k}: ${typeof v === 'object' ? formatCounts(v) : String(v)}`);
      }
      lines.push('');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function formatCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}
