import { createHash, randomInt } from 'node:crypto';
import { randomHex } from '@wxcoupon/sdk/crypto';
import type { PlatformContext } from '../../context.js';
import { ApiError } from '../../errors/api-error.js';
import {
  claimFiring,
  countMatch,
  deleteAllRules,
  deleteRule,
  type FaultRuleRow,
  getRule,
  insertRule,
  listRules,
} from './faults.repository.js';
import { type FaultEffect, type FaultRuleInput, parseFaultHeader } from './faults.schema.js';

/** The request fields a rule can match on. */
export interface FaultTarget {
  mchid: string;
  stockId?: string | undefined;
  openid?: string | undefined;
  outRequestNo?: string | undefined;
}

/** A fault chosen for one request: by a stored rule (`ruleId`) or by the request's own header. */
export type FaultDecision = { effect: FaultEffect; ruleId?: string } | { invalid: string };

/**
 * Rules are read from the database at most once a second per instance (at once after a change made
 * through this instance), so a request that matches nothing costs no query; a match is then claimed
 * in the database, which keeps `times` exact across instances.
 */
const REFRESH_MS = 1000;

export class FaultService {
  private readonly apiNames = new Set<string>();
  private rules: FaultRuleRow[] = [];
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;

  constructor(private readonly ctx: PlatformContext) {}

  /** Called as each API's route is mounted: the names rules may name. */
  register(api: string): void {
    this.apiNames.add(api);
  }

  apis(): string[] {
    return [...this.apiNames].sort();
  }

  async create(input: FaultRuleInput): Promise<Record<string, unknown>> {
    const { match, effect } = input;
    const row: FaultRuleRow = {
      id: `fault-${randomHex(8)}`,
      api: match.api ?? null,
      mchid: match.mchid ?? null,
      stock_id: match.stockId ?? null,
      openid: match.openid ?? null,
      out_request_no: match.outRequestNo ?? null,
      action: effect.action,
      error_code: effect.action === 'error' ? effect.code : null,
      latency_ms: effect.action === 'latency' ? effect.ms : null,
      times: input.times ?? null,
      probability: input.probability ?? null,
      // A probabilistic rule always has a seed, so the sequence it produced can be produced again.
      seed: input.probability === undefined ? null : (input.seed ?? randomInt(0, 2 ** 31 - 1)),
      matched: 0,
      fired: 0,
      create_ms: Date.now(),
    };
    await insertRule(this.ctx.db, row);
    this.loadedAt = Number.NEGATIVE_INFINITY;
    return view(row);
  }

  async list(): Promise<Record<string, unknown>[]> {
    return (await listRules(this.ctx.db)).map(view);
  }

  async get(id: string): Promise<Record<string, unknown>> {
    const row = await getRule(this.ctx.db, id);
    if (!row) throw new ApiError('RESOURCE_NOT_EXISTS', `no fault rule ${id}`);
    return view(row);
  }

  async remove(id: string): Promise<void> {
    const deleted = await deleteRule(this.ctx.db, id);
    this.loadedAt = Number.NEGATIVE_INFINITY;
    if (!deleted) throw new ApiError('RESOURCE_NOT_EXISTS', `no fault rule ${id}`);
  }

  async clear(): Promise<number> {
    const n = await deleteAllRules(this.ctx.db);
    this.loadedAt = Number.NEGATIVE_INFINITY;
    return n;
  }

  /**
   * The fault for an authenticated request to `api`, if any: the request's `Wxcoupon-Fault` header
   * when the platform allows it (stored rules are then not consulted), else the first stored rule, in
   * the order they were created, that matches and fires.
   */
  async decide(api: string, target: () => FaultTarget, header: string | undefined): Promise<FaultDecision | undefined> {
    if (header !== undefined && this.ctx.allowFaultHeaders) {
      const effect = parseFaultHeader(header, api);
      return 'invalid' in effect ? effect : { effect };
    }
    // The request's fields are read only when a rule names this API (or every API).
    let fields: FaultTarget | undefined;
    for (const rule of await this.current()) {
      if (rule.api !== null && rule.api !== api) continue;
      fields ??= target();
      if (!matches(rule, fields)) continue;
      if (await this.fire(rule)) return { effect: effectOf(rule), ruleId: rule.id };
    }
    return undefined;
  }

  private async fire(rule: FaultRuleRow): Promise<boolean> {
    const db = this.ctx.db;
    if (rule.probability !== null) {
      const n = await countMatch(db, rule.id);
      if (n === undefined || !chosen(rule.seed ?? 0, n, rule.probability)) return false;
    }
    const fired = await claimFiring(db, rule.id, rule.probability === null);
    // Spent (or deleted elsewhere): skip it here until the next refresh.
    if (fired === undefined) this.rules = this.rules.filter((r) => r.id !== rule.id);
    return fired !== undefined;
  }

  private async current(): Promise<FaultRuleRow[]> {
    if (Date.now() - this.loadedAt >= REFRESH_MS) {
      this.loading ??= (async () => {
        const started = Date.now();
        try {
          const rows = await listRules(this.ctx.db);
          this.rules = rows.filter((r) => r.times === null || r.fired < r.times);
          this.loadedAt = started;
        } finally {
          this.loading = undefined;
        }
      })();
      await this.loading;
    }
    return this.rules;
  }
}

/**
 * Whether the `n`-th request a rule decided on is faulted: a hash of seed and n against the
 * probability, so one seed gives one sequence on every instance and every run.
 */
export function chosen(seed: number, n: number, probability: number): boolean {
  const h = createHash('sha256').update(`${seed}:${n}`).digest();
  return h.readUInt32BE(0) / 2 ** 32 < probability;
}

function matches(rule: FaultRuleRow, t: FaultTarget): boolean {
  return (
    (rule.mchid === null || rule.mchid === t.mchid) &&
    (rule.stock_id === null || rule.stock_id === t.stockId) &&
    (rule.openid === null || rule.openid === t.openid) &&
    (rule.out_request_no === null || rule.out_request_no === t.outRequestNo)
  );
}

function effectOf(rule: FaultRuleRow): FaultEffect {
  if (rule.action === 'error') return { action: 'error', code: rule.error_code ?? 'SYSTEM_ERROR' };
  if (rule.action === 'latency') return { action: 'latency', ms: rule.latency_ms ?? 0 };
  return { action: rule.action === 'close' ? 'close' : 'drop_after_commit' };
}

/** A short description for logs: `SYSTEM_ERROR`, `latency 500 ms`, `close`, `drop-after-commit`. */
export function describeEffect(effect: FaultEffect): string {
  if (effect.action === 'error') return effect.code;
  if (effect.action === 'latency') return `latency ${effect.ms} ms`;
  return effect.action === 'close' ? 'close' : 'drop-after-commit';
}

function view(r: FaultRuleRow): Record<string, unknown> {
  const optional = {
    api: r.api,
    mchid: r.mchid,
    stock_id: r.stock_id,
    openid: r.openid,
    out_request_no: r.out_request_no,
  };
  return {
    id: r.id,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== null)),
    action: r.action,
    ...(r.error_code !== null ? { error_code: r.error_code } : {}),
    ...(r.latency_ms !== null ? { latency_ms: r.latency_ms } : {}),
    ...(r.times !== null ? { times: r.times } : {}),
    ...(r.probability !== null ? { probability: r.probability, seed: r.seed } : {}),
    matched: r.matched,
    fired: r.fired,
    create_time: new Date(r.create_ms).toISOString(),
  };
}

declare module '../../context.js' {
  interface PlatformServices {
    faults: FaultService;
  }
}
