import { ADMIN_FLAGS, adminClient } from '../admin-client.js';
import { intFlag, parseFlags } from '../args.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage: wxcoupon logs [--follow] [--request-id ID] [--merchant MCHID] [--api NAME] [--status 4xx]
                     [--code CODE] [--limit N] [--json] [--data ./.wxcoupon] [--url http://127.0.0.1:8080]

The requests a running platform received (its request journal, admin API), oldest first, newest at
the bottom: time, HTTP status, method, path, API, merchant, latency, the signature verdict, the WeChat
code and any fault, and the Request-ID. Secrets are redacted by the platform before they are stored.

  --request-id ID   show that one request whole: headers, bodies, the signature verdict and, for a
                    failed signature, why and the exact message the platform built and verified
  --follow          keep printing requests as they arrive (Ctrl-C stops)
  --merchant MCHID  only this merchant's requests (a refused signature counts under the mchid it claimed)
  --api NAME        only this API: favor.coupons.send, busifavor.coupons.send, v2coupon.send_coupon,
                    certificates, … (the names fault rules use)
  --status S        an HTTP status (401) or a class (4xx); 0 is an answer a fault dropped
  --code CODE       only answers with this WeChat code (SIGN_ERROR, SYSTEM_ERROR, …)
  --limit N         how many of the newest requests to list (default 20, at most 500)
  --json            the admin API's JSON (with --follow: one request per line)
`;

interface Summary {
  id: string;
  request_id: string;
  time: string;
  mchid: string | null;
  method: string;
  path: string;
  api: string | null;
  status: number;
  code: string | null;
  latency_ms: number;
  signature: { verdict: string; reason: string | null; message?: string; explanation?: string };
  fault: string | null;
}

interface Detail extends Summary {
  request: { headers: Record<string, string>; body: string | null; truncated: boolean };
  response: { headers: Record<string, string>; body: string | null; truncated: boolean };
}

type Page = { data: Summary[]; next: string | null };

/** How often --follow asks for new requests. */
const FOLLOW_MS = 1000;

export async function logs(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      ...ADMIN_FLAGS,
      follow: { type: 'boolean', short: 'f' },
      'request-id': { type: 'string' },
      merchant: { type: 'string' },
      api: { type: 'string' },
      status: { type: 'string' },
      code: { type: 'string' },
      limit: { type: 'string' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n\n${USAGE}`);
  const status = values.status as string | undefined;
  if (status !== undefined && !/^(?:[1-5]xx|\d{1,3})$/i.test(status))
    throw new UsageError(`--status must be a status such as 401 or a class such as 4xx (got "${status}")`);
  const limit = intFlag(values.limit as string | undefined, 'limit', 20, 1, 500);
  const call = adminClient(values);
  const json = Boolean(values.json);
  const query = new URLSearchParams();
  for (const [flag, param] of [
    ['merchant', 'mchid'],
    ['api', 'api'],
    ['code', 'code'],
    ['request-id', 'request_id'],
  ] as const) {
    if (typeof values[flag] === 'string') query.set(param, values[flag] as string);
  }
  if (status !== undefined) query.set('status', status.toLowerCase());
  const list = (extra: Record<string, string>) =>
    call<Page>('GET', `/requests?${new URLSearchParams({ ...Object.fromEntries(query), ...extra })}`);

  if (typeof values['request-id'] === 'string' && !values.follow) {
    const found = await list({ limit: '500' });
    if (found.data.length === 0) {
      process.stderr.write(
        `wxcoupon: no request ${values['request-id']} in the journal (it may be older than its retention)\n`,
      );
      return 1;
    }
    // One Request-ID is one request; newest first if a client reused one in its own logs.
    for (const row of found.data) {
      const detail = await call<Detail>('GET', `/requests/${encodeURIComponent(row.id)}`);
      process.stdout.write(json ? `${JSON.stringify(detail, null, 2)}\n` : showOne(detail));
    }
    return 0;
  }

  const first = await list({ limit: String(limit) });
  const rows = [...first.data].reverse();
  if (json && !values.follow) process.stdout.write(`${JSON.stringify(first, null, 2)}\n`);
  else print(rows, json, true);
  if (!values.follow) return 0;

  let newest = first.data[0]?.id ?? '';
  let header = rows.length === 0;
  const poll = async () => {
    const fresh: Summary[] = [];
    let before: string | undefined;
    // Pages back until the newest request already printed: nothing that arrived in between is skipped.
    for (;;) {
      const page = await list({ limit: '500', ...(before ? { before } : {}) });
      const newer = page.data.filter((r) => r.id > newest);
      fresh.push(...newer);
      if (newer.length < page.data.length || !page.next) break;
      before = page.next;
    }
    if (fresh.length === 0) return;
    newest = fresh[0]?.id ?? newest;
    print(fresh.reverse(), json, header);
    header = false;
  };
  await new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout;
    const tick = () => {
      timer = setTimeout(() => poll().then(tick, fail), FOLLOW_MS);
    };
    const fail = (err: unknown) => {
      process.off('SIGINT', stop);
      reject(err);
    };
    // A last look on Ctrl-C, so whatever was journaled before it is printed.
    const stop = () => {
      clearTimeout(timer);
      process.off('SIGINT', stop);
      poll().then(resolve, reject);
    };
    process.on('SIGINT', stop);
    tick();
  });
  return 0;
}

function print(rows: Summary[], json: boolean, header: boolean): void {
  if (json) {
    for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  if (rows.length === 0) {
    if (header) process.stdout.write('no requests in the journal\n');
    return;
  }
  process.stdout.write(table(rows, header));
}

const COLUMNS = ['TIME', 'STATUS', 'METHOD', 'PATH', 'API', 'MCHID', 'MS', 'SIGNATURE', 'CODE / FAULT', 'REQUEST-ID'];

function table(rows: Summary[], header: boolean): string {
  const cells = rows.map((r) => [
    r.time.slice(5, 19).replace('T', ' '),
    r.status === 0 ? 'dropped' : String(r.status),
    r.method,
    r.path.length > 60 ? `${r.path.slice(0, 59)}…` : r.path,
    r.api ?? '-',
    r.mchid ?? '-',
    r.latency_ms.toFixed(1),
    r.signature.verdict === 'failed' ? `failed: ${r.signature.reason}` : r.signature.verdict,
    codeAndFault(r),
    r.request_id,
  ]);
  const all = header ? [COLUMNS, ...cells] : cells;
  // Widths are fixed by the header's page so that --follow continues the same columns.
  const widths = COLUMNS.map((c, i) => Math.max(WIDTHS[i] ?? 0, c.length, ...all.map((row) => (row[i] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

/** `SYSTEM_ERROR [fault]` for a fault that answered that code, `[fault latency 200 ms]` for one that did not. */
function codeAndFault(r: Summary): string {
  const effect = r.fault?.replace(/ \(.*\)$/, '');
  const fault = effect === undefined ? '' : effect === r.code ? '[fault]' : `[fault ${effect}]`;
  return [r.code, fault].filter(Boolean).join(' ') || '-';
}

/** Minimum column widths, so the rows --follow adds line up with the first page. */
const WIDTHS = [14, 7, 6, 44, 18, 10, 6, 10, 14];

/** One request, whole. */
function showOne(d: Detail): string {
  const out: string[] = [];
  out.push(`${d.method} ${d.path}`);
  out.push(
    `  ${d.time}  ${d.status === 0 ? 'no answer (dropped)' : `HTTP ${d.status}`}${d.code ? ` ${d.code}` : ''}  ${d.latency_ms.toFixed(1)} ms`,
  );
  out.push(`  Request-ID ${d.request_id}  (journal id ${d.id})`);
  out.push(`  API ${d.api ?? '-'}  merchant ${d.mchid ?? '-'}`);
  if (d.fault) out.push(`  fault: ${d.fault}`);
  const s = d.signature;
  out.push(`  signature: ${s.verdict}${s.reason ? ` (${s.reason})` : ''}`);
  if (s.explanation) out.push(...wrap(s.explanation, 96).map((l) => `    ${l}`));
  if (s.message !== undefined) {
    out.push('  the message the platform built and verified (each line ends with \\n):');
    const lines = s.message.split('\n').slice(0, -1);
    const names = ['method', 'url', 'timestamp', 'nonce', 'body'];
    lines.forEach((line, i) => {
      out.push(`    ${(names[i] ?? '').padEnd(9)} ${JSON.stringify(line)}`);
    });
  }
  out.push('', 'request headers:', ...headerLines(d.request.headers), 'request body:', ...body(d.request));
  out.push('', 'response headers:', ...headerLines(d.response.headers), 'response body:', ...body(d.response));
  return `${out.join('\n')}\n\n`;
}

function headerLines(headers: Record<string, string>): string[] {
  return Object.entries(headers).map(([k, v]) => `  ${k}: ${v}`);
}

function body(part: { body: string | null; truncated: boolean }): string[] {
  if (part.body === null || part.body === '') return ['  (none)'];
  let text = part.body;
  if (!part.truncated) {
    try {
      text = JSON.stringify(JSON.parse(part.body), null, 2);
    } catch {
      // not JSON (APIv2 XML, or a malformed body): shown as received
    }
  }
  const lines = text.split('\n').map((l) => `  ${l}`);
  if (part.truncated) lines.push('  … (cut at 16 KiB)');
  return lines;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
