import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { beijingDay, rfc3339 } from '../../clock.js';
import type { PlatformContext } from '../../context.js';
import type { AppRouter } from '../../http/env.js';
import { couponState, stockState } from '../busifavor/busifavor.views.js';
import { couponStatus, stockStatus } from '../favor/favor.views.js';
import { CSS, JS } from './console.assets.js';
import type { RateCounter } from './console.rates.js';
import { type ConsoleService, describeFailure, type Outcome } from './console.service.js';
import { type ConsoleEnv, checkLoginNonce, loginNonce, type Sessions } from './console.session.js';
import {
  ActionButton,
  Bar,
  Csrf,
  Fields,
  L,
  type NavKey,
  type Notice,
  Page,
  Table,
  Unavailable,
} from './console.views.js';

type C = Context<ConsoleEnv>;

const FAVOR_OPS = [
  ['start', '激活', 'Start'],
  ['pause', '暂停', 'Pause'],
  ['restart', '重启', 'Restart'],
  ['stop', '终止', 'Stop'],
] as const;

/** How many stocks, or a user's coupons, a page lists (newest first). */
const LIST_LIMIT = 200;

const PUBLIC_PATHS = new Set(['/console/login', '/console/assets/console.css', '/console/assets/console.js']);

// Every console answer: no caching, no framing, and nothing runs but the console's own script.
const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

export function consoleRoutes(
  app: AppRouter,
  ctx: PlatformContext,
  deps: { service: ConsoleService; sessions: Sessions; rates: RateCounter },
): void {
  const { service, sessions, rates } = deps;
  const favorService = ctx.services.favor;
  const busifavorService = ctx.services.busifavor;
  const r = new Hono<ConsoleEnv>();
  const guard = sessions.require();

  r.use('*', async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(k, v);
  });
  r.use('*', (c, next) => (PUBLIC_PATHS.has(c.req.path) ? next() : guard(c, next)));
  r.onError((err, c) => {
    ctx.log(`console: ${c.req.method} ${c.req.path} failed: ${err instanceof Error ? err.stack : String(err)}`);
    return c.html(
      <Page title="出错了 · Error" nav={undefined} csrf={c.get('session')?.csrf ?? ''}>
        <p class="notice error">{err instanceof Error ? err.message : String(err)}</p>
      </Page>,
      500,
    );
  });

  r.get('/assets/console.css', (c) => c.body(CSS, 200, { 'content-type': 'text/css; charset=utf-8' }));
  r.get('/assets/console.js', (c) => c.body(JS, 200, { 'content-type': 'text/javascript; charset=utf-8' }));

  // ---- sign-in

  const loginPage = (c: C, notice?: Notice) =>
    c.html(
      <Page title="登录 · Sign in" nav={undefined} notice={notice}>
        <form method="post" action="/console/login" class="login card">
          <input type="hidden" name="nonce" value={loginNonce(c)} />
          <label>
            <span>
              <L zh="管理令牌" en="Admin token" />
            </span>
            <input type="password" name="token" autocomplete="current-password" required autofocus />
          </label>
          <p>
            <small>
              令牌在数据目录的 <code>admin-token</code> 文件中 · The token is in <code>&lt;data&gt;/admin-token</code>.
            </small>
          </p>
          <button type="submit">
            登录 <small class="on-button">Sign in</small>
          </button>
        </form>
      </Page>,
      notice?.kind === 'error' ? 401 : 200,
    );

  r.get('/login', (c) => (sessions.find(c) ? c.redirect('/console', 303) : loginPage(c)));

  r.post('/login', async (c) => {
    const form = await c.req.parseBody();
    if (!checkLoginNonce(c, str(form.nonce)))
      return loginPage(c, { kind: 'error', text: '登录表单已过期，请重试 · The sign-in form expired: try again.' });
    if (!sessions.checkToken(str(form.token)))
      return loginPage(c, { kind: 'error', text: '令牌不正确 · Wrong admin token.' });
    sessions.open(c);
    return c.redirect('/console', 303);
  });

  r.post('/logout', async (c) => {
    const form = await formOf(c);
    if (!form) return csrfRefused(c);
    sessions.close(c);
    return c.redirect('/console/login', 303);
  });

  // ---- overview

  const overview = async (c: C) => {
    const now = ctx.clock();
    const day = beijingDay(now);
    const [merchants, favor, busifavor, favorToday, busifavorToday] = await Promise.all([
      ctx.services.merchants.listMerchants(),
      favorService.recentStocks(LIST_LIMIT),
      busifavorService.recentStocks(LIST_LIMIT),
      favorService.dailyAmounts(day),
      busifavorService.dailyCounts(day),
    ]);
    return page(c, '概览 · Overview', 'overview', [
      <section class="chart-box" aria-label="sends and errors per second">
        <div class="legend">
          <span>
            <span class="sw send"></span>
            <L zh="发券/秒" en="sends/s" />: <b id="rate-sends">0.0</b>
          </span>
          <span>
            <span class="sw error"></span>
            <L zh="错误/秒" en="errors/s" />: <b id="rate-errors">0.0</b>
          </span>
          <small>最近 2 分钟，本实例 · last 2 minutes, this instance</small>
        </div>
        <svg id="rate-chart" data-seconds="120" role="img" aria-label="sends and errors per second"></svg>
      </section>,
      <h2>
        <L zh="批次" en="Stocks" />
      </h2>,
      <Table
        id="stocks"
        head={[
          ['类型', 'Family'],
          ['批次', 'Stock'],
          ['创建商户', 'Creator'],
          ['状态', 'State'],
          ['预算已用', 'Budget used'],
          ['今日单日预算', "Today's day budget"],
        ]}
      >
        {favor.length + busifavor.length === 0 && <EmptyRow cols={6} />}
        {favor.map((s) => (
          <StockLine
            family="favor"
            stock={s}
            state={stockStatus(s, now)}
            used={Number(s.distributed_amount)}
            max={Number(s.max_amount)}
            today={favorToday.get(s.stock_id) ?? 0}
            dayMax={s.max_amount_by_day}
            unit="分 · fen"
          />
        ))}
        {busifavor.map((s) => (
          <StockLine
            family="busifavor"
            stock={s}
            state={stockState(s, now)}
            used={Number(s.distributed_coupons)}
            max={Number(s.max_coupons)}
            today={busifavorToday.get(s.stock_id) ?? 0}
            dayMax={s.max_coupons_by_day}
            unit="张 · coupons"
          />
        ))}
      </Table>,
      <h2>
        <L zh="商户" en="Merchants" />
      </h2>,
      <Table id="merchants" head={[['商户号', 'mchid'], ['名称', 'Name'], 'AppID']}>
        {merchants.map((m) => (
          <tr>
            <td>
              <code>{m.mchid}</code>
            </td>
            <td>{m.name}</td>
            <td>
              {m.appids.map((a) => (
                <code>{a} </code>
              ))}
            </td>
          </tr>
        ))}
      </Table>,
    ]);
  };
  r.get('/', overview);

  r.get('/api/rates', (c) => {
    const seconds = Number.parseInt(c.req.query('seconds') ?? '120', 10);
    return c.json(rates.series(Number.isFinite(seconds) ? seconds : 120));
  });

  // ---- stocks

  r.get('/stocks/favor/:id', async (c) => {
    const now = ctx.clock();
    const s = await favorService.stockRow(c.req.param('id'));
    if (!s) return notFoundPage(c, `代金券批次不存在 · No 代金券 stock ${c.req.param('id')}`);
    const [coupons, appids] = await Promise.all([
      favorService.couponsOfStock(s.stock_id, 50),
      appidsOf(s.creator_mchid),
    ]);
    const base = `/console/stocks/favor/${encodeURIComponent(s.stock_id)}`;
    const csrf = c.get('session').csrf;
    return page(c, `代金券 · ${s.stock_name}`, 'overview', [
      <section class="card">
        <Fields
          rows={[
            [<L zh="批次号" en="stock_id" />, <code data-testid="stock-id">{s.stock_id}</code>],
            [<L zh="状态" en="State" />, <State value={stockStatus(s, now)} testid="stock-state" />],
            [<L zh="创建商户" en="Creator" />, <code>{s.creator_mchid}</code>],
            [<L zh="归属商户" en="Belongs to" />, <code>{s.belong_merchant}</code>],
            [<L zh="可用时间" en="Available" />, `${rfc3339(s.available_begin_ms)} — ${rfc3339(s.available_end_ms)}`],
            [
              <L zh="面额 / 门槛" en="Amount / minimum" />,
              `${yuan(s.coupon_amount)} / ${yuan(s.transaction_minimum)} 元`,
            ],
            [<L zh="预算" en="Budget" />, <Bar used={Number(s.distributed_amount)} max={Number(s.max_amount)} />],
            [<L zh="已发张数" en="Coupons issued" />, `${s.distributed_coupons} / ${s.max_coupons}`],
            [<L zh="单日预算" en="Day budget" />, s.max_amount_by_day === null ? '—' : `${s.max_amount_by_day} 分`],
            [<L zh="每人上限" en="Per user" />, String(s.max_coupons_per_user)],
          ]}
        />
      </section>,
      <h2>
        <L zh="批次操作" en="State actions" />
      </h2>,
      <div class="row">
        {FAVOR_OPS.map(([op, zh, en]) => (
          <ActionButton
            action={`${base}/${op}`}
            csrf={csrf}
            label={<L zh={zh} en={en} />}
            danger={op === 'stop'}
            testid={`stock-${op}`}
          />
        ))}
      </div>,
      <SendForm action={`${base}/send`} csrf={csrf} appids={appids} code={false} />,
      <h2>
        <L zh="已发的券" en="Coupons issued" /> <small>(最近 50 · latest 50)</small>
      </h2>,
      <Table id="coupons" head={[['券号', 'coupon_id'], 'openid', 'appid', ['状态', 'Status'], ['发放时间', 'Sent']]}>
        {coupons.length === 0 && <EmptyRow cols={5} />}
        {coupons.map((k) => (
          <tr>
            <td>
              <code>{k.coupon_id}</code>
            </td>
            <td>
              <UserLink openid={k.openid} appid={k.appid} />
            </td>
            <td>
              <code>{k.appid}</code>
            </td>
            <td>
              <State value={couponStatus(k, now)} />
            </td>
            <td>{rfc3339(k.create_ms)}</td>
          </tr>
        ))}
      </Table>,
    ]);
  });

  for (const [op, zh, en] of FAVOR_OPS) {
    r.post(`/stocks/favor/:id/${op}`, async (c) => {
      const form = await formOf(c);
      if (!form) return csrfRefused(c);
      const s = await favorService.stockRow(c.req.param('id'));
      if (!s) return notFoundPage(c, `代金券批次不存在 · No 代金券 stock ${c.req.param('id')}`);
      const o = await service.merchant(
        s.creator_mchid,
        'POST',
        `v3/marketing/favor/stocks/${encodeURIComponent(s.stock_id)}/${op}`,
        { stock_creator_mchid: s.creator_mchid },
      );
      return back(c, `/console/stocks/favor/${encodeURIComponent(s.stock_id)}`, o, `${zh} · ${en}: ${s.stock_id}`);
    });
  }

  r.post('/stocks/favor/:id/send', async (c) => {
    const form = await formOf(c);
    if (!form) return csrfRefused(c);
    const s = await favorService.stockRow(c.req.param('id'));
    if (!s) return notFoundPage(c, `代金券批次不存在 · No 代金券 stock ${c.req.param('id')}`);
    const openid = str(form.openid).trim();
    const appid = str(form.appid).trim();
    const o = await service.merchant(
      s.creator_mchid,
      'POST',
      `v3/marketing/favor/users/${encodeURIComponent(openid)}/coupons`,
      {
        stock_id: s.stock_id,
        out_request_no: requestNo(),
        appid,
        stock_creator_mchid: s.creator_mchid,
      },
    );
    return back(
      c,
      `/console/stocks/favor/${encodeURIComponent(s.stock_id)}`,
      o,
      `已发券 · Sent coupon ${String(o.data.coupon_id ?? '')} to ${openid}`,
    );
  });

  r.get('/stocks/busifavor/:id', async (c) => {
    const now = ctx.clock();
    const s = await busifavorService.stockRow(c.req.param('id'));
    if (!s) return notFoundPage(c, `商家券批次不存在 · No 商家券 stock ${c.req.param('id')}`);
    const [coupons, appids] = await Promise.all([
      busifavorService.couponsOfStock(s.stock_id, 50),
      appidsOf(s.creator_mchid),
    ]);
    const base = `/console/stocks/busifavor/${encodeURIComponent(s.stock_id)}`;
    const csrf = c.get('session').csrf;
    return page(c, `商家券 · ${s.stock_name}`, 'overview', [
      <section class="card">
        <Fields
          rows={[
            [<L zh="批次号" en="stock_id" />, <code data-testid="stock-id">{s.stock_id}</code>],
            [<L zh="状态" en="State" />, <State value={stockState(s, now)} testid="stock-state" />],
            [<L zh="类型" en="Type" />, `${s.stock_type} · ${s.coupon_code_mode}`],
            [<L zh="创建商户" en="Creator" />, <code>{s.creator_mchid}</code>],
            [<L zh="归属商户" en="Belongs to" />, <code>{s.belong_merchant}</code>],
            [<L zh="可用时间" en="Available" />, `${rfc3339(s.available_begin_ms)} — ${rfc3339(s.available_end_ms)}`],
            [<L zh="预算" en="Budget" />, <Bar used={Number(s.distributed_coupons)} max={Number(s.max_coupons)} />],
            [<L zh="单日上限" en="Day budget" />, s.max_coupons_by_day === null ? '—' : String(s.max_coupons_by_day)],
            [<L zh="每人上限" en="Per user" />, String(s.max_coupons_per_user)],
          ]}
        />
      </section>,
      <h2>
        <L zh="修改预算" en="Change the budget" />
      </h2>,
      <form method="post" action={`${base}/budget`} class="grid">
        <Csrf token={csrf} />
        <label>
          <span>
            <L zh="哪一项" en="Which" />
          </span>
          <select name="field">
            <option value="max_coupons">总张数 · max_coupons</option>
            <option value="max_coupons_by_day">单日张数 · max_coupons_by_day</option>
          </select>
        </label>
        <label>
          <span>
            <L zh="新值" en="New value" />
          </span>
          <input type="number" name="target" min="1" required />
        </label>
        <button type="submit" data-testid="budget-submit">
          修改 <small class="on-button">Change</small>
        </button>
      </form>,
      <SendForm action={`${base}/send`} csrf={csrf} appids={appids} code={s.coupon_code_mode === 'MERCHANT_API'} />,
      <h2>
        <L zh="已发的券" en="Coupons issued" /> <small>(最近 50 · latest 50)</small>
      </h2>,
      <Table
        id="coupons"
        head={[['券码', 'coupon_code'], 'openid', 'appid', ['状态', 'State'], ['领取时间', 'Received']]}
      >
        {coupons.length === 0 && <EmptyRow cols={5} />}
        {coupons.map((k) => (
          <tr>
            <td>
              <code>{k.coupon_code}</code>
            </td>
            <td>
              <UserLink openid={k.openid} appid={k.appid} />
            </td>
            <td>
              <code>{k.appid}</code>
            </td>
            <td>
              <State value={couponState(k, now)} />
            </td>
            <td>{rfc3339(k.receive_ms)}</td>
          </tr>
        ))}
      </Table>,
    ]);
  });

  r.post('/stocks/busifavor/:id/budget', async (c) => {
    const form = await formOf(c);
    if (!form) return csrfRefused(c);
    const s = await busifavorService.stockRow(c.req.param('id'));
    if (!s) return notFoundPage(c, `商家券批次不存在 · No 商家券 stock ${c.req.param('id')}`);
    const daily = str(form.field) === 'max_coupons_by_day';
    const target = Number(str(form.target));
    const o = await service.merchant(
      s.creator_mchid,
      'PATCH',
      `v3/marketing/busifavor/stocks/${encodeURIComponent(s.stock_id)}/budget`,
      {
        ...(daily
          ? { target_max_coupons_by_day: target, current_max_coupons_by_day: Number(s.max_coupons_by_day ?? 0) }
          : { target_max_coupons: target, current_max_coupons: Number(s.max_coupons) }),
        modify_budget_request_no: requestNo(),
      },
    );
    return back(
      c,
      `/console/stocks/busifavor/${encodeURIComponent(s.stock_id)}`,
      o,
      `预算已改 · Budget changed to ${target}`,
    );
  });

  r.post('/stocks/busifavor/:id/send', async (c) => {
    const form = await formOf(c);
    if (!form) return csrfRefused(c);
    const s = await busifavorService.stockRow(c.req.param('id'));
    if (!s) return notFoundPage(c, `商家券批次不存在 · No 商家券 stock ${c.req.param('id')}`);
    const openid = str(form.openid).trim();
    const code = str(form.coupon_code).trim();
    const o = await service.merchant(s.creator_mchid, 'POST', 'v3/marketing/busifavor/coupons/send', {
      openid,
      appid: str(form.appid).trim(),
      stock_id: s.stock_id,
      out_request_no: requestNo(),
      ...(code ? { coupon_code: code } : {}),
    });
    return back(
      c,
      `/console/stocks/busifavor/${encodeURIComponent(s.stock_id)}`,
      o,
      // B9 answers the coupon inside send_coupon_result, as WeChat Pay's generated SDKs decode it.
      `已发券 · Sent coupon ${String((o.data.send_coupon_result as { coupon_code?: string } | undefined)?.coupon_code ?? '')} to ${openid}`,
    );
  });

  // ---- users

  r.get('/users', async (c) => {
    const openid = (c.req.query('openid') ?? '').trim();
    const appidGiven = (c.req.query('appid') ?? '').trim();
    const csrf = c.get('session').csrf;
    const now = ctx.clock();
    const lookup = (
      <form method="get" action="/console/users" class="grid">
        <label>
          <span>openid</span>
          <input name="openid" value={openid} required />
        </label>
        <label>
          <span>
            appid <small>(可选 · optional)</small>
          </span>
          <input name="appid" value={appidGiven} />
        </label>
        <button type="submit">
          查询 <small class="on-button">Look up</small>
        </button>
      </form>
    );
    if (!openid) return page(c, '用户 · User', 'users', [lookup]);
    const user = await service.admin(
      'GET',
      `/users/${encodeURIComponent(openid)}${appidGiven ? `?appid=${encodeURIComponent(appidGiven)}` : ''}`,
    );
    if (user.status !== 200)
      return page(c, '用户 · User', 'users', [lookup, <p class="notice error">{describeFailure(user)}</p>]);
    const appid = String(user.data.appid);
    const [favor, busifavor] = await Promise.all([
      favorService.couponsOfUser(openid, appid, LIST_LIMIT),
      busifavorService.couponsOfUser(openid, appid, LIST_LIMIT),
    ]);
    const here = { openid, appid };
    return page(c, '用户 · User', 'users', [
      lookup,
      <section class="card">
        <Fields
          rows={[
            ['openid', <code data-testid="user-openid">{openid}</code>],
            ['appid', <code>{appid}</code>],
            [<L zh="自然人" en="person_id" />, String(user.data.person_id ?? '—')],
            [<L zh="异常账户" en="Abnormal" />, user.data.abnormal ? '是 · yes' : '否 · no'],
          ]}
        />
      </section>,
      <h2>
        <L zh="券" en="Coupons" />
      </h2>,
      <Table
        id="user-coupons"
        head={[
          ['类型', 'Family'],
          ['券', 'Coupon'],
          ['批次', 'Stock'],
          ['状态', 'State'],
          ['操作', 'Actions'],
        ]}
      >
        {favor.length + busifavor.length === 0 && <EmptyRow cols={5} />}
        {favor.map((k) => {
          const status = couponStatus(k, now);
          return (
            <CouponLine family="favor" coupon={k.coupon_id} stockId={k.stock_id} state={status}>
              {status === 'SENDED' && (
                <ActionButton
                  action="/console/users/favor/use"
                  csrf={csrf}
                  fields={{ ...here, coupon_id: k.coupon_id }}
                  label={<L zh="核销" en="Use" />}
                  testid="favor-use"
                />
              )}
            </CouponLine>
          );
        })}
        {busifavor.map((k) => {
          const state = couponState(k, now);
          const fields = { ...here, stock_id: k.stock_id, coupon_code: k.coupon_code };
          return (
            <CouponLine family="busifavor" coupon={k.coupon_code} stockId={k.stock_id} state={state}>
              {state === 'SENDED' && (
                <ActionButton
                  action="/console/users/busifavor/use"
                  csrf={csrf}
                  fields={fields}
                  label={<L zh="核销" en="Use" />}
                  testid="busifavor-use"
                />
              )}
              {state === 'USED' && (
                <ActionButton
                  action="/console/users/busifavor/return"
                  csrf={csrf}
                  fields={fields}
                  label={<L zh="退券" en="Return" />}
                  testid="busifavor-return"
                />
              )}
              {state === 'SENDED' && (
                <ActionButton
                  action="/console/users/busifavor/deactivate"
                  csrf={csrf}
                  fields={fields}
                  label={<L zh="失效" en="Deactivate" />}
                  danger
                  testid="busifavor-deactivate"
                />
              )}
            </CouponLine>
          );
        })}
      </Table>,
    ]);
  });

  const userPage = (openid: string, appid: string) =>
    `/console/users?openid=${encodeURIComponent(openid)}&appid=${encodeURIComponent(appid)}`;

  r.post('/users/favor/use', async (c) => {
    const form = await formOf(c);
    if (!form) return csrfRefused(c);
    const id = str(form.coupon_id);
    const o = await service.admin('POST', `/favor/coupons/${encodeURIComponent(id)}/use`, {});
    return back(c, userPage(str(form.openid), str(form.appid)), o, `已核销 · Used ${id}`);
  });

  for (const [op, zh, en] of [
    ['use', '已核销', 'Used'],
    ['return', '已退券', 'Returned'],
    ['deactivate', '已失效', 'Deactivated'],
  ] as const) {
    r.post(`/users/busifavor/${op}`, async (c) => {
      const form = await formOf(c);
      if (!form) return csrfRefused(c);
      const k = await busifavorService.couponRow(str(form.stock_id), str(form.coupon_code));
      const to = userPage(str(form.openid), str(form.appid));
      if (!k) return back(c, to, { status: 404, data: { code: 'RESOURCE_NOT_EXISTS', message: 'no such coupon' } }, '');
      const ref = { coupon_code: k.coupon_code, stock_id: k.stock_id };
      const body =
        op === 'use'
          ? { ...ref, appid: k.appid, openid: k.openid, use_time: rfc3339(ctx.clock()), use_request_no: requestNo() }
          : op === 'return'
            ? { ...ref, return_request_no: requestNo() }
            : { ...ref, deactivate_request_no: requestNo(), deactivate_reason: 'console' };
      const o = await service.merchant(k.creator_mchid, 'POST', `v3/marketing/busifavor/coupons/${op}`, body);
      return back(c, to, o, `${zh} · ${en} ${k.coupon_code}`);
    });
  }

  // ---- requests (the journal)

  const REQUEST_FILTERS = ['mchid', 'api', 'status', 'code'] as const;

  const journalQuery = (c: C, extra: Record<string, string> = {}) => {
    const q = new URLSearchParams();
    for (const f of REQUEST_FILTERS) {
      const v = (c.req.query(f) ?? '').trim();
      if (v) q.set(f, v);
    }
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return q;
  };

  const requestRows = (rows: Record<string, unknown>[]): Child =>
    rows.length === 0 ? (
      <EmptyRow cols={8} />
    ) : (
      rows.map((q) => {
        const sig = (q.signature ?? {}) as { verdict?: string; reason?: string | null };
        return (
          <tr data-request-id={String(q.id)}>
            <td class="nowrap">
              <a href={`/console/requests/${encodeURIComponent(String(q.id))}`}>{String(q.time ?? '')}</a>
            </td>
            <td class="nowrap">
              <code>{String(q.mchid ?? '—')}</code>
            </td>
            <td>
              <code>
                {String(q.method ?? '')} {String(q.path ?? '')}
              </code>
              {q.api ? (
                <>
                  <br />
                  <small>{String(q.api)}</small>
                </>
              ) : null}
            </td>
            <td>
              <State value={String(q.status ?? '')} />
            </td>
            <td class="nowrap">
              <code>{String(q.code ?? '')}</code>
            </td>
            <td class="nowrap">{String(q.latency_ms ?? '')} ms</td>
            <td>
              <State value={String(sig.verdict ?? '')} />
            </td>
            <td>{String(q.fault ?? '')}</td>
          </tr>
        );
      })
    );

  r.get('/requests', async (c) => {
    const before = (c.req.query('before') ?? '').trim();
    const o = await service.admin(
      'GET',
      `/requests?${journalQuery(c, { limit: '100', ...(before ? { before } : {}) })}`,
    );
    if (o.status === 404)
      return page(c, '请求 · Requests', 'requests', [<Unavailable zh="请求日志" en="The request journal" />]);
    if (o.status !== 200)
      return page(c, '请求 · Requests', 'requests', [<p class="notice error">{describeFailure(o)}</p>]);
    const rows = (o.data.data ?? []) as Record<string, unknown>[];
    const next = typeof o.data.next === 'string' ? o.data.next : undefined;
    return page(c, '请求 · Requests', 'requests', [
      <form method="get" action="/console/requests" class="grid">
        {REQUEST_FILTERS.map((f) => (
          <label>
            <span>{FILTER_LABELS[f]}</span>
            <input name={f} value={c.req.query(f) ?? ''} placeholder={FILTER_HINTS[f]} />
          </label>
        ))}
        <button type="submit">
          筛选 <small class="on-button">Filter</small>
        </button>
      </form>,
      <p class="row">
        <label>
          <input type="checkbox" id="live" checked={!before} /> <L zh="实时刷新" en="Live" />
        </label>
      </p>,
      <Table
        id="requests"
        rows={before ? undefined : `/console/requests/rows?${journalQuery(c)}`}
        head={[
          ['时间', 'Time'],
          ['商户', 'mchid'],
          ['请求', 'Request'],
          ['状态', 'Status'],
          ['错误码', 'Code'],
          ['耗时', 'Latency'],
          ['签名', 'Signature'],
          ['故障', 'Fault'],
        ]}
      >
        {requestRows(rows)}
      </Table>,
      next ? (
        <p>
          <a href={`/console/requests?${journalQuery(c, { before: next })}`}>
            <L zh="更早" en="Older" /> →
          </a>
        </p>
      ) : null,
    ]);
  });

  r.get('/requests/rows', async (c) => {
    const o = await service.admin('GET', `/requests?${journalQuery(c, { limit: '100' })}`);
    if (o.status !== 200) return c.body('', o.status === 404 ? 404 : 502);
    // A fragment rendered like the page (escaped), for the page's live refresh.
    return c.html(<>{requestRows((o.data.data ?? []) as Record<string, unknown>[])}</>);
  });

  r.get('/requests/:id', async (c) => {
    const o = await service.admin('GET', `/requests/${encodeURIComponent(c.req.param('id'))}`);
    if (o.status === 404 && o.data.code !== 'RESOURCE_NOT_EXISTS')
      return page(c, '请求 · Request', 'requests', [<Unavailable zh="请求日志" en="The request journal" />]);
    if (o.status !== 200)
      return page(c, '请求 · Request', 'requests', [<p class="notice error">{describeFailure(o)}</p>]);
    const q = o.data;
    const sig = (q.signature ?? {}) as {
      verdict?: string;
      reason?: string | null;
      message?: string;
      explanation?: string;
    };
    const part = (id: string, name: Child, p: unknown) => {
      const x = (p ?? {}) as { headers?: Record<string, string>; body?: string | null; truncated?: boolean };
      return (
        <section class="card">
          <h2>{name}</h2>
          <Table
            id={`${id}-headers`}
            head={[
              ['头', 'Header'],
              ['值', 'Value'],
            ]}
          >
            {Object.entries(x.headers ?? {}).map(([k, v]) => (
              <tr>
                <td class="nowrap">
                  <code>{k}</code>
                </td>
                <td>
                  <code>{String(v)}</code>
                </td>
              </tr>
            ))}
          </Table>
          <pre>{x.body ?? '(无 · none)'}</pre>
          {x.truncated && <small>已截断 · truncated</small>}
        </section>
      );
    };
    return page(c, `请求 · ${String(q.request_id ?? q.id)}`, 'requests', [
      <section class="card">
        <Fields
          rows={[
            ['Request-ID', <code>{String(q.request_id ?? '')}</code>],
            [<L zh="时间" en="Time" />, String(q.time ?? '')],
            [<L zh="请求" en="Request" />, <code>{`${String(q.method ?? '')} ${String(q.path ?? '')}`}</code>],
            [<L zh="商户" en="mchid" />, <code>{String(q.mchid ?? '—')}</code>],
            ['API', String(q.api ?? '—')],
            [<L zh="状态" en="Status" />, `${String(q.status ?? '')} ${String(q.code ?? '')}`],
            [<L zh="耗时" en="Latency" />, `${String(q.latency_ms ?? '')} ms`],
            [
              <L zh="签名" en="Signature" />,
              <>
                <State value={String(sig.verdict ?? '')} testid="signature-verdict" /> {sig.reason ?? ''}
              </>,
            ],
            [<L zh="故障" en="Fault" />, String(q.fault ?? '—')],
          ]}
        />
      </section>,
      sig.message !== undefined || sig.explanation !== undefined ? (
        <section class="card two" data-testid="signature-explained">
          <div>
            <h2>
              <L zh="平台构造的签名串" en="The message the platform built" />
            </h2>
            <pre>{String(sig.message ?? '')}</pre>
          </div>
          <div>
            <h2>
              <L zh="常见原因" en="What usually causes this" />
            </h2>
            <p>{String(sig.explanation ?? '')}</p>
          </div>
        </section>
      ) : null,
      <div class="two">
        {part('request', <L zh="请求" en="Request" />, q.request)}
        {part('response', <L zh="应答" en="Response" />, q.response)}
      </div>,
    ]);
  });

  // ---- notifications

  r.get('/notifications', async (c) => {
    const status = (c.req.query('status') ?? '').trim();
    const o = await service.admin(
      'GET',
      `/notifications?limit=100${status ? `&status=${encodeURIComponent(status)}` : ''}`,
    );
    const csrf = c.get('session').csrf;
    const list = (o.status === 200 ? o.data.data : []) as Record<string, unknown>[];
    return page(c, '通知 · Notifications', 'notifications', [
      o.status !== 200 ? <p class="notice error">{describeFailure(o)}</p> : null,
      <section class="card">
        <h2>
          <L zh="触发通知" en="Trigger a notification" />
        </h2>
        <form method="post" action="/console/notifications/trigger" class="grid">
          <Csrf token={csrf} />
          <label>
            <span>
              <L zh="券号" en="coupon_id / coupon_code" />
            </span>
            <input name="coupon_id" required />
          </label>
          <label>
            <span>
              <L zh="事件" en="Event" />
            </span>
            <select name="event_type">
              <option value="COUPON.USE">COUPON.USE</option>
              <option value="COUPON.SEND">COUPON.SEND</option>
            </select>
          </label>
          <label>
            <span>
              mchid <small>(可选 · optional)</small>
            </span>
            <input name="mchid" />
          </label>
          <button type="submit">
            触发 <small class="on-button">Trigger</small>
          </button>
        </form>
      </section>,
      <form method="get" action="/console/notifications" class="row">
        <label>
          <L zh="状态" en="Status" />{' '}
          <select name="status">
            {['', 'PENDING', 'DELIVERED', 'FAILED'].map((s) => (
              <option value={s} selected={s === status}>
                {s || '全部 · all'}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="secondary">
          筛选 <small>Filter</small>
        </button>
      </form>,
      <Table
        id="notifications"
        head={['ID', ['事件', 'Event'], ['状态', 'Status'], ['尝试', 'Attempts'], ['操作', 'Actions']]}
      >
        {list.length === 0 && <EmptyRow cols={5} />}
        {list.map((n) => {
          const log = (n.attempt_log ?? []) as Record<string, unknown>[];
          return (
            <tr data-notification-id={String(n.id)}>
              <td>
                <code>{String(n.id)}</code>
                <br />
                <small>{String(n.create_time ?? '')}</small>
                <br />
                <small>
                  <code>{String(n.notify_url ?? '')}</code>
                </small>
              </td>
              <td>
                {String(n.event_type)}
                <br />
                <code>{String(n.mchid)}</code>
              </td>
              <td>
                <State value={String(n.status)} testid="notification-status" />
                {n.last_error ? (
                  <>
                    <br />
                    <small>{String(n.last_error)}</small>
                  </>
                ) : null}
              </td>
              <td>
                {log.length === 0 ? (
                  <small>—</small>
                ) : (
                  <ol class="attempts">
                    {log.map((a) => (
                      <li>
                        <State value={a.ok ? 'ok' : 'failed'} />{' '}
                        {a.http_status !== undefined ? `HTTP ${String(a.http_status)}` : ''}{' '}
                        {String(a.duration_ms ?? '')} ms <small>{String(a.time ?? '')}</small>
                        {a.error ? (
                          <>
                            <br />
                            <small>{String(a.error)}</small>
                          </>
                        ) : null}
                      </li>
                    ))}
                  </ol>
                )}
              </td>
              <td>
                <ActionButton
                  action={`/console/notifications/${encodeURIComponent(String(n.id))}/redeliver`}
                  csrf={csrf}
                  label={<L zh="重新投递" en="Redeliver" />}
                  testid="redeliver"
                />
              </td>
            </tr>
          );
        })}
      </Table>,
    ]);
  });

  r.post('/notifications/:id/redeliver', async (c) => {
    const form = await formOf(c);
    if (!form) return csrfRefused(c);
    const id = c.req.param('id');
    const o = await service.admin('POST', `/notifications/${encodeURIComponent(id)}/redeliver`);
    return back(c, '/console/notifications', o, `已重新投递 · Redelivery of ${id} queued`);
  });

  r.post('/notifications/trigger', async (c) => {
    const form = await formOf(c);
    if (!form) return csrfRefused(c);
    const mchid = str(form.mchid).trim();
    const o = await service.admin('POST', '/notifications/trigger', {
      coupon_id: str(form.coupon_id).trim(),
      event_type: str(form.event_type),
      ...(mchid ? { mchid } : {}),
    });
    if (o.status === 404 && o.data.code !== 'RESOURCE_NOT_EXISTS')
      return back(c, '/console/notifications', { status: 404, data: { message: TRIGGER_UNAVAILABLE } }, '');
    return back(c, '/console/notifications', o, `已触发 · Triggered ${String(o.data.id ?? '')}`);
  });

  // ---- faults

  r.get('/faults', async (c) => {
    const o = await service.admin('GET', '/faults');
    const csrf = c.get('session').csrf;
    const rules = (o.data.data ?? []) as Record<string, unknown>[];
    const apis = (o.data.apis ?? []) as string[];
    return page(c, '故障 · Faults', 'faults', [
      o.status !== 200 ? <p class="notice error">{describeFailure(o)}</p> : null,
      <section class="card">
        <h2>
          <L zh="添加规则" en="Add a rule" />
        </h2>
        <form method="post" action="/console/faults" class="grid">
          <Csrf token={csrf} />
          <label>
            <span>API</span>
            <select name="api">
              <option value="">任意 · any</option>
              {apis.map((a) => (
                <option value={a}>{a}</option>
              ))}
            </select>
          </label>
          <label>
            <span>
              <L zh="动作" en="Action" />
            </span>
            <select name="action">
              <option value="error">error</option>
              <option value="latency">latency</option>
              <option value="close">close</option>
              <option value="drop_after_commit">drop_after_commit</option>
            </select>
          </label>
          <label>
            <span>
              <L zh="错误码" en="error_code" />
            </span>
            <input name="error_code" placeholder="SYSTEM_ERROR" />
          </label>
          <label>
            <span>
              <L zh="延迟" en="latency_ms" />
            </span>
            <input name="latency_ms" type="number" min="1" />
          </label>
          <label>
            <span>
              <L zh="次数" en="times" />
            </span>
            <input name="times" type="number" min="1" />
          </label>
          <label>
            <span>mchid</span>
            <input name="mchid" />
          </label>
          <label>
            <span>stock_id</span>
            <input name="stock_id" />
          </label>
          <button type="submit" data-testid="fault-add">
            添加 <small class="on-button">Add</small>
          </button>
        </form>
      </section>,
      <Table
        id="faults"
        head={['ID', 'API', ['匹配', 'Match'], ['效果', 'Effect'], ['命中/触发', 'Matched/fired'], '']}
      >
        {rules.length === 0 && <EmptyRow cols={6} />}
        {rules.map((f) => (
          <tr data-fault-id={String(f.id)}>
            <td>
              <code>{String(f.id)}</code>
            </td>
            <td>
              <code>{String(f.api ?? '*')}</code>
            </td>
            <td>
              {['mchid', 'stock_id', 'openid', 'out_request_no']
                .filter((k) => f[k] !== undefined)
                .map((k) => (
                  <div>
                    <small>{k}</small> <code>{String(f[k])}</code>
                  </div>
                ))}
            </td>
            <td>
              {String(f.action)} {String(f.error_code ?? f.latency_ms ?? '')}
              {f.latency_ms !== undefined ? ' ms' : ''}
              {f.times !== undefined ? <small> ×{String(f.times)}</small> : null}
            </td>
            <td>
              {String(f.matched ?? 0)} / {String(f.fired ?? 0)}
            </td>
            <td>
              <ActionButton
                action={`/console/faults/${encodeURIComponent(String(f.id))}/delete`}
                csrf={csrf}
                label={<L zh="删除" en="Remove" />}
                danger
                testid="fault-remove"
              />
            </td>
          </tr>
        ))}
      </Table>,
    ]);
  });

  r.post('/faults', async (c) => {
    const form = await formOf(c);
    if (!form) return csrfRefused(c);
    const rule: Record<string, unknown> = {};
    for (const k of ['api', 'action', 'error_code', 'mchid', 'stock_id']) {
      const v = str(form[k]).trim();
      if (v) rule[k] = v;
    }
    for (const k of ['latency_ms', 'times']) {
      const v = str(form[k]).trim();
      if (v) rule[k] = Number(v);
    }
    const o = await service.admin('POST', '/faults', rule);
    return back(c, '/console/faults', o, `已添加 · Added rule ${String(o.data.id ?? '')}`);
  });

  r.post('/faults/:id/delete', async (c) => {
    const form = await formOf(c);
    if (!form) return csrfRefused(c);
    const o = await service.admin('DELETE', `/faults/${encodeURIComponent(c.req.param('id'))}`);
    return back(c, '/console/faults', o, `已删除 · Removed rule ${c.req.param('id')}`);
  });

  // ---- clock

  r.get('/clock', async (c) => {
    const o = await service.admin('GET', '/clock');
    if (o.status === 404) return page(c, '时钟 · Clock', 'clock', [<Unavailable zh="测试时钟" en="The test clock" />]);
    if (o.status !== 200) return page(c, '时钟 · Clock', 'clock', [<p class="notice error">{describeFailure(o)}</p>]);
    const csrf = c.get('session').csrf;
    return page(c, '时钟 · Clock', 'clock', [
      <section class="card">
        <Fields
          rows={[
            [<L zh="平台时间" en="Platform now" />, <code data-testid="clock-now">{String(o.data.now)}</code>],
            [<L zh="真实时间" en="Real now" />, <code>{String(o.data.real_now)}</code>],
            [<L zh="偏移" en="Offset" />, `${String(o.data.offset_seconds)} s`],
          ]}
        />
      </section>,
      <section class="card">
        <h2>
          <L zh="拨快" en="Advance" />
        </h2>
        <form method="post" action="/console/clock/advance" class="grid">
          <Csrf token={csrf} />
          <label>
            <span>
              <L zh="时长" en="By" /> <small>(1d2h, 30m, 45s)</small>
            </span>
            <input name="by" required placeholder="25h" />
          </label>
          <button type="submit" data-testid="clock-advance">
            拨快 <small class="on-button">Advance</small>
          </button>
        </form>
        <h2>
          <L zh="设为" en="Set" />
        </h2>
        <form method="post" action="/console/clock/set" class="grid">
          <Csrf token={csrf} />
          <label>
            <span>
              <L zh="时间" en="Time" /> <small>(RFC 3339)</small>
            </span>
            <input name="time" required placeholder="2026-12-12T00:00:00+08:00" />
          </label>
          <button type="submit">
            设定 <small class="on-button">Set</small>
          </button>
        </form>
        <p>
          <ActionButton
            action="/console/clock/resume"
            csrf={csrf}
            label={<L zh="恢复真实时间" en="Resume real time" />}
          />
        </p>
      </section>,
    ]);
  });

  for (const [op, field] of [
    ['advance', 'by'],
    ['set', 'time'],
    ['resume', undefined],
  ] as const) {
    r.post(`/clock/${op}`, async (c) => {
      const form = await formOf(c);
      if (!form) return csrfRefused(c);
      const o = await service.admin('POST', `/clock/${op}`, field ? { [field]: str(form[field]).trim() } : {});
      if (o.status === 404) return back(c, '/console/clock', { status: 404, data: { message: CLOCK_UNAVAILABLE } }, '');
      return back(c, '/console/clock', o, `时钟 · Clock: ${String(o.data.now ?? '')}`);
    });
  }

  app.route('/console', r);

  // ---- lookups the pages share

  async function appidsOf(mchid: string): Promise<string[]> {
    return (await ctx.services.merchants.listMerchants()).find((m) => m.mchid === mchid)?.appids ?? [];
  }
}

const FILTER_LABELS = { mchid: '商户 · mchid', api: 'API', status: '状态 · status', code: '错误码 · code' };
const FILTER_HINTS = { mchid: '1900000109', api: 'favor.coupons.send', status: '4xx', code: 'SIGN_ERROR' };
const TRIGGER_UNAVAILABLE = '此平台不能触发通知 · Triggering notifications is not available on this platform.';
const CLOCK_UNAVAILABLE = '此平台不提供测试时钟 · The test clock is not available on this platform.';

function page(c: C, title: string, nav: NavKey, children: Child[]) {
  return c.html(
    <Page title={title} nav={nav} csrf={c.get('session').csrf} notice={noticeOf(c)}>
      {children}
    </Page>,
  );
}

function notFoundPage(c: C, text: string) {
  return c.html(
    <Page title="未找到 · Not found" nav={undefined} csrf={c.get('session').csrf}>
      <p class="notice error">{text}</p>
    </Page>,
    404,
  );
}

/** After an action: back to the page it came from, with what happened (the platform's error as it is). */
function back(c: C, to: string, o: Outcome, success: string) {
  const q =
    o.status >= 200 && o.status < 300
      ? `ok=${encodeURIComponent(success)}`
      : `error=${encodeURIComponent(describeFailure(o))}`;
  return c.redirect(`${to}${to.includes('?') ? '&' : '?'}${q}`, 303);
}

function noticeOf(c: C): Notice | undefined {
  const error = c.req.query('error');
  if (error) return { kind: 'error', text: error.slice(0, 500) };
  const ok = c.req.query('ok');
  return ok ? { kind: 'ok', text: ok.slice(0, 500) } : undefined;
}

/** The submitted form when it carries this session's CSRF token; undefined otherwise. */
async function formOf(c: C): Promise<Record<string, unknown> | undefined> {
  const form = await c.req.parseBody();
  return str(form.csrf) === c.get('session').csrf ? form : undefined;
}

function csrfRefused(c: C) {
  return c.html(
    <Page title="已拒绝 · Refused" nav={undefined} csrf={c.get('session').csrf}>
      <p class="notice error">
        表单缺少有效的 CSRF 令牌，请从控制台页面提交 · The form did not carry this session's CSRF token: submit it from
        a console page.
      </p>
    </Page>,
    403,
  );
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function yuan(fen: number): string {
  return (Number(fen) / 100).toFixed(2);
}

function requestNo(): string {
  return `console${Date.now()}${randomBytes(4).toString('hex')}`;
}

/** One coupon of either family on the user page; `children` are its actions. */
function CouponLine(p: {
  family: 'favor' | 'busifavor';
  coupon: string;
  stockId: string;
  state: string;
  children?: Child;
}) {
  return (
    <tr>
      <td>{p.family === 'favor' ? <L zh="代金券" en="favor" /> : <L zh="商家券" en="busifavor" />}</td>
      <td>
        <code>{p.coupon}</code>
      </td>
      <td>
        <a href={`/console/stocks/${p.family}/${encodeURIComponent(p.stockId)}`}>
          <code>{p.stockId}</code>
        </a>
      </td>
      <td>
        <State value={p.state} />
      </td>
      <td>{p.children}</td>
    </tr>
  );
}

/** One stock of either family on the overview: 代金券 budgets count 分, 商家券 budgets count coupons. */
function StockLine(p: {
  family: 'favor' | 'busifavor';
  stock: { stock_id: string; stock_name: string; creator_mchid: string };
  state: string;
  used: number;
  max: number;
  today: number;
  dayMax: number | null;
  unit: string;
}) {
  const s = p.stock;
  return (
    <tr>
      <td>{p.family === 'favor' ? <L zh="代金券" en="favor" /> : <L zh="商家券" en="busifavor" />}</td>
      <td>
        <a href={`/console/stocks/${p.family}/${encodeURIComponent(s.stock_id)}`}>{s.stock_name}</a>
        <br />
        <code>{s.stock_id}</code>
      </td>
      <td>
        <code>{s.creator_mchid}</code>
      </td>
      <td>
        <State value={p.state} />
      </td>
      <td>
        <Bar used={p.used} max={p.max} />
        <br />
        <small>{p.unit}</small>
      </td>
      <td>
        <DayBudget used={p.today} max={p.dayMax} unit={p.unit} />
      </td>
    </tr>
  );
}

function State(p: { value: string; testid?: string }) {
  return (
    <span class={`state ${p.value}`} data-testid={p.testid}>
      {p.value}
    </span>
  );
}

/** Today's use of a day budget; the day counters exist only for stocks that have one. */
function DayBudget(p: { used: number; max: number | null; unit: string }) {
  if (p.max === null) return <small>无单日上限 · no day budget</small>;
  return (
    <>
      <Bar used={p.used} max={Number(p.max)} />
      <br />
      <small>{p.unit}</small>
    </>
  );
}

function EmptyRow(p: { cols: number }) {
  return (
    <tr>
      <td colspan={p.cols} class="empty">
        暂无 · Nothing yet
      </td>
    </tr>
  );
}

function UserLink(p: { openid: string; appid: string }) {
  return (
    <a href={`/console/users?openid=${encodeURIComponent(p.openid)}&appid=${encodeURIComponent(p.appid)}`}>
      <code>{p.openid}</code>
    </a>
  );
}

function SendForm(p: { action: string; csrf: string; appids: string[]; code: boolean }) {
  return (
    <section class="card">
      <h2>
        <L zh="发一张测试券" en="Send a test coupon" />
      </h2>
      <form method="post" action={p.action} class="grid" data-testid="send-form">
        <Csrf token={p.csrf} />
        <label>
          <span>openid</span>
          <input name="openid" required placeholder="o_test_user" />
        </label>
        <label>
          <span>appid</span>
          <select name="appid">
            {p.appids.map((a) => (
              <option value={a}>{a}</option>
            ))}
          </select>
        </label>
        {p.code && (
          <label>
            <span>
              <L zh="券码" en="coupon_code" />
            </span>
            <input name="coupon_code" required />
          </label>
        )}
        <button type="submit" data-testid="send-submit">
          发券 <small class="on-button">Send</small>
        </button>
      </form>
    </section>
  );
}
