import { randomInt } from 'node:crypto';
import { rfc3339 } from '../../clock.js';
import type { PlatformContext } from '../../context.js';
import { ApiError } from '../../errors/api-error.js';
import { once } from './busifavor.idempotency.js';
import * as repo from './busifavor.repository.js';
import { COUPON_CODE, type UploadInput } from './busifavor.schema.js';
import { codeView, couponView } from './busifavor.views.js';

// Pre-uploaded codes of MERCHANT_UPLOAD stocks (coupon-api.md §4.7): upload (B5), list (B6), get
// (B7), delete (B8). A stock holds at most max_coupons codes: more could never be sent.

export class BusifavorCodes {
  constructor(private readonly ctx: PlatformContext) {}

  private async uploadStock(mchid: string, stockId: string): Promise<repo.StockRow> {
    const stock = await this.ctx.services.busifavor.stocks.managed(mchid, stockId);
    if (stock.coupon_code_mode !== 'MERCHANT_UPLOAD')
      throw new ApiError('INVALID_REQUEST', '发券模式不合法：只有 MERCHANT_UPLOAD 批次可以上传预存code');
    return stock;
  }

  async upload(mchid: string, stockId: string, input: UploadInput) {
    const stock = await this.uploadStock(mchid, stockId);
    const now = this.ctx.clock();
    return once(
      this.ctx.db,
      now,
      { mchid, kind: 'upload', requestNo: input.requestNo, field: 'upload_request_no' },
      { stockId, codes: input.codes },
      async (trx) => {
        const seen = new Set<string>();
        const duplicate: string[] = [];
        const failed: { coupon_code: string; code: string; message: string }[] = [];
        const fresh: string[] = [];
        for (const code of input.codes) {
          if (seen.has(code)) {
            if (!duplicate.includes(code)) duplicate.push(code);
            continue;
          }
          seen.add(code);
          if (code.length === 0 || code.length > 32) {
            failed.push({ coupon_code: code, code: 'LENGTH_LIMIT', message: '长度超过最大值32位或为空' });
          } else if (!COUPON_CODE.test(code)) {
            failed.push({
              coupon_code: code,
              code: 'CHARACTER_INVALID',
              message: '只能包含数字、大小写字母、空格及 - _ \\ / = |',
            });
          } else {
            fresh.push(code);
          }
        }
        const success: string[] = [];
        const exist: string[] = [];
        for (const code of fresh) {
          const row = {
            stock_id: stockId,
            code,
            status: 'AVAILABLE',
            pick: randomInt(0, repo.PICK_RANGE),
            upload_ms: now,
            dispatched_ms: null,
            openid: null,
          };
          if (await repo.insertCode(trx, row)) success.push(code);
          else exist.push(code);
        }
        if (success.length > 0 && !(await repo.growUploaded(trx, stockId, success.length)))
          throw new ApiError('INVALID_REQUEST', `上传的自定义 code 已达上限：批次最多 ${stock.max_coupons} 个code`);
        return {
          stock_id: stockId,
          total_count: seen.size,
          success_count: success.length,
          ...(success.length ? { success_codes: success } : {}),
          success_time: rfc3339(now),
          ...(failed.length ? { fail_count: failed.length, fail_codes: failed } : {}),
          ...(exist.length ? { exist_codes: exist } : {}),
          ...(duplicate.length ? { duplicate_codes: duplicate } : {}),
        };
      },
    );
  }

  async list(mchid: string, stockId: string, q: { offset: number; limit: number; status?: string }) {
    await this.uploadStock(mchid, stockId);
    const { rows, total } = await repo.codesPage(this.ctx.db, stockId, q);
    return {
      stock_id: stockId,
      total_count: total,
      data: rows.map(codeView),
      offset: q.offset,
      limit: q.limit,
    };
  }

  async get(mchid: string, stockId: string, code: string) {
    const stock = await this.uploadStock(mchid, stockId);
    const row = await repo.findCode(this.ctx.db, stockId, code);
    if (!row) throw new ApiError('RESOURCE_NOT_EXISTS', '预存code不存在');
    const coupon = row.status === 'DISPATCHED' ? await repo.findCoupon(this.ctx.db, stockId, code) : undefined;
    return {
      code_information: codeView(row),
      ...(coupon ? { coupon_information: couponView(coupon, stock, this.ctx.clock()) } : {}),
    };
  }

  /** B8: an AVAILABLE code leaves the pool; a dispatched one belongs to a user and stays. */
  async remove(mchid: string, stockId: string, code: string, requestNo: string) {
    await this.uploadStock(mchid, stockId);
    const now = this.ctx.clock();
    return once(
      this.ctx.db,
      now,
      { mchid, kind: 'delete', requestNo, field: 'delete_request_no' },
      { stockId, code },
      async (trx) => {
        if (!(await repo.removeAvailableCode(trx, stockId, code))) {
          const row = await repo.findCode(trx, stockId, code);
          if (!row) throw new ApiError('RESOURCE_NOT_EXISTS', '预存code不存在');
          throw new ApiError('INVALID_REQUEST', '预存code已发放给用户，不能删除');
        }
        return { stock_id: stockId, delete_time: rfc3339(now) };
      },
    );
  }
}
