import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';

// The console's markup. Everything shown goes through hono/jsx, which escapes text and attribute
// values, so an openid or stock name containing markup is shown as text.

export interface PageProps {
  title: string;
  /** Which nav entry is current. */
  nav: NavKey | undefined;
  /** Omitted on the sign-in page: no session, no nav, no logout. */
  csrf?: string;
  notice?: Notice | undefined;
  children?: Child;
}

export interface Notice {
  kind: 'ok' | 'error';
  text: string;
}

export type NavKey = 'overview' | 'users' | 'requests' | 'notifications' | 'faults' | 'clock';

const NAV: readonly [NavKey, string, string, string][] = [
  ['overview', '/console', '概览', 'Overview'],
  ['users', '/console/users', '用户', 'Users'],
  ['requests', '/console/requests', '请求', 'Requests'],
  ['notifications', '/console/notifications', '通知', 'Notifications'],
  ['faults', '/console/faults', '故障', 'Faults'],
  ['clock', '/console/clock', '时钟', 'Clock'],
];

export function Page(p: PageProps) {
  // Without the doctype the browser lays pages out in quirks mode.
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="zh-CN">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${p.title} · wxcoupon 控制台`}</title>
          <link rel="stylesheet" href="/console/assets/console.css" />
          <script src="/console/assets/console.js" defer></script>
        </head>
        <body>
          <header class="top">
            <a class="brand" href="/console">
              wxcoupon <span>控制台 Console</span>
            </a>
            {p.csrf !== undefined && (
              <nav>
                {NAV.map(([key, href, zh, en]) => (
                  <a href={href} class={key === p.nav ? 'current' : undefined}>
                    {zh} <small>{en}</small>
                  </a>
                ))}
                <form method="post" action="/console/logout" class="logout">
                  <Csrf token={p.csrf} />
                  <button type="submit" class="link">
                    退出 <small>Log out</small>
                  </button>
                </form>
              </nav>
            )}
          </header>
          <main>
            <h1>{p.title}</h1>
            {p.notice && (
              <p class={`notice ${p.notice.kind}`} role={p.notice.kind === 'error' ? 'alert' : 'status'}>
                {p.notice.text}
              </p>
            )}
            {p.children}
          </main>
        </body>
      </html>
    </>
  );
}

export function Csrf(p: { token: string }) {
  return <input type="hidden" name="csrf" value={p.token} />;
}

/** A one-button form: the state-changing actions are POSTs carrying the CSRF token. */
export function ActionButton(p: {
  action: string;
  csrf: string;
  label: Child;
  fields?: Record<string, string>;
  danger?: boolean;
  testid?: string;
}) {
  return (
    <form method="post" action={p.action} class="inline">
      <Csrf token={p.csrf} />
      {Object.entries(p.fields ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={p.danger ? 'danger' : undefined} data-testid={p.testid}>
        {p.label}
      </button>
    </form>
  );
}

/** A bilingual label: Chinese first, English beside it. */
export function L(p: { zh: string; en: string }) {
  return (
    <>
      {p.zh} <small class="en">{p.en}</small>
    </>
  );
}

export function Bar(p: { used: number; max: number }) {
  const pct = p.max > 0 ? Math.min(100, (p.used / p.max) * 100) : 0;
  return (
    <span class="bar" title={`${p.used} / ${p.max}`}>
      <span class="fill" style={`width:${pct.toFixed(1)}%`}></span>
      <span class="bar-text">
        {p.used} / {p.max}
      </span>
    </span>
  );
}

/** A column heading: Chinese with English beside it, or one word that needs no translation. */
export type Heading = string | readonly [zh: string, en: string];

/**
 * At laptop width a plain table; at phone width each row becomes a block, every cell labelled with its
 * column's heading (a per-table rule, since the headings are fixed strings of the console, never data).
 */
export function Table(p: { id: string; head: Heading[]; children?: Child; rows?: string | undefined }) {
  const labels = p.head
    .map((h, i) => {
      const text = typeof h === 'string' ? h : `${h[0]} ${h[1]}`;
      return text ? `#${p.id} td:nth-child(${i + 1})::before{content:${JSON.stringify(text)}}` : '';
    })
    .join('');
  return (
    <div class="table-wrap">
      <style dangerouslySetInnerHTML={{ __html: `@media (max-width:700px){${labels}}` }} />
      <table id={p.id} class="stack" data-rows={p.rows}>
        <thead>
          <tr>
            {p.head.map((h) => (
              <th>{typeof h === 'string' ? h : <L zh={h[0]} en={h[1]} />}</th>
            ))}
          </tr>
        </thead>
        <tbody>{p.children}</tbody>
      </table>
    </div>
  );
}

export function Fields(p: { rows: [Child, Child][] }) {
  return (
    <dl class="fields">
      {p.rows.map(([k, v]) => (
        <>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </>
      ))}
    </dl>
  );
}

export function Unavailable(p: { zh: string; en: string }) {
  return (
    <p class="notice unavailable" data-testid="unavailable">
      此平台不提供{p.zh}。{' '}
      <small class="en">{p.en} is not available on this platform (its admin API answers 404).</small>
    </p>
  );
}
