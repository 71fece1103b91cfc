import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import type { PlatformContext } from '../../context.js';
import { withDurable } from '../../db/durability.js';
import { ApiError } from '../../errors/api-error.js';
import type { ErrorCode } from '../../errors/registry.js';
import type { V3Env } from '../../http/env.js';
import { noteOf } from '../../http/request-note.js';
import { V2Failure } from '../v2coupon/v2-failure.js';
import type { V2ErrorCode } from '../v2coupon/v2coupon.errors.js';
import { FAULT_HEADER, type FaultEffect, V2_RETURN_LAYER } from './faults.schema.js';
import { describeEffect, type FaultTarget } from './faults.service.js';

// Applying a fault to a request, on either wire. Both run after the request is authenticated (and
// rate-limited), so a fault never lets an unauthenticated request through, and every answer a fault
// produces is the one the platform gives for that code anyway: v3 errors as JSON, v2 failures in
// their XML layer (result failures signed with the merchant's key).

/** The v3 step every API route runs after authentication; `api` is the name rate limits use. */
export function v3Faults(ctx: PlatformContext, api: string): MiddlewareHandler<V3Env> {
  const faults = ctx.services.faults;
  faults.register(api);
  return async (c, next) => {
    const decision = await faults.decide(api, () => v3Target(c), c.req.header(FAULT_HEADER));
    if (!decision) return next();
    if ('invalid' in decision) throw new ApiError('PARAM_ERROR', decision.invalid, { location: 'header' });
    const { effect } = decision;
    logFault(ctx, c, api, effect, decision.ruleId);
    if (effect.action === 'error') throw new ApiError(effect.code as ErrorCode);
    if (effect.action === 'latency') {
      await sleep(effect.ms);
      return next();
    }
    if (effect.action === 'close') {
      c.res = dropConnection(c);
      return;
    }
    // The caller never hears the outcome, but the write it made is committed before the drop.
    await withDurable(ctx.db, next);
    withhold(c, c.res);
    c.res = dropConnection(c);
  };
}

/**
 * The same for a v2 endpoint: `run` produces the real answer. Error faults are thrown as the v2
 * failure of their layer, for the endpoint's own handler to answer.
 */
export async function v2Faults(
  ctx: PlatformContext,
  c: Context,
  api: string,
  mchid: string,
  request: Record<string, string>,
  run: () => Promise<Response>,
): Promise<Response> {
  // partner_trade_no is send_coupon's request number.
  const target = () => ({
    mchid,
    stockId: request['coupon_stock_id'],
    openid: request['openid'],
    outRequestNo: request['partner_trade_no'],
  });
  const decision = await ctx.services.faults.decide(api, target, c.req.header(FAULT_HEADER));
  if (!decision) return run();
  if ('invalid' in decision) throw new V2Failure('PARAM_ERROR', 'result', decision.invalid);
  const { effect } = decision;
  logFault(ctx, c, api, effect, decision.ruleId);
  if (effect.action === 'error') {
    const code = effect.code as V2ErrorCode;
    throw new V2Failure(code, V2_RETURN_LAYER.has(code) ? 'return' : 'result');
  }
  if (effect.action === 'latency') {
    await sleep(effect.ms);
    return run();
  }
  if (effect.action === 'close') return dropConnection(c);
  // A business failure is dropped too: what matters is that the caller never hears the outcome.
  await withDurable(ctx.db, () =>
    run().then(
      (res) => withhold(c, res),
      () => undefined,
    ),
  );
  return dropConnection(c);
}

function v3Target(c: Context<V3Env>): FaultTarget {
  const params = c.req.param() as Record<string, string | undefined>;
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(c.get('rawBody') || '{}');
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: the route's own validation answers that; only the path and query can match
  }
  const field = (name: string) => {
    const v = params[name] ?? body[name] ?? c.req.query(name);
    return typeof v === 'string' ? v : undefined;
  };
  return {
    mchid: c.get('merchant').mchid,
    stockId: field('stock_id'),
    openid: field('openid'),
    outRequestNo: field('out_request_no'),
  };
}

/**
 * Ends the connection without an answer. In-process (no socket) the response's body fails instead,
 * which a fetch-based client sees the same way: the call fails without a status it can trust.
 */
function dropConnection(c: Context): Response {
  const note = noteOf(c);
  if (note) note.dropped = true;
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming) {
    incoming.socket.destroy();
    return new Response(null, { status: 502 });
  }
  const body = new ReadableStream({
    start(controller) {
      controller.error(new Error('wxcoupon fault: connection closed before the answer'));
    },
  });
  return new Response(body, { status: 502 });
}

function logFault(ctx: PlatformContext, c: Context, api: string, effect: FaultEffect, ruleId?: string): void {
  const source = ruleId ? `rule ${ruleId}` : 'Wxcoupon-Fault header';
  const note = noteOf(c);
  if (note) note.fault = `${describeEffect(effect)} (${source})`;
  ctx.log(`platform: fault ${describeEffect(effect)} on ${api} (${source}, Request-ID ${String(c.get('requestId'))})`);
}

/** Keeps the answer a fault drops for the journal: what was committed, though the client never hears it. */
function withhold(c: Context, res: Response): void {
  const note = noteOf(c);
  if (note) note.withheld = res;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
