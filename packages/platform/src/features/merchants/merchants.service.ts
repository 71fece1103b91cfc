import { certificateSerial, loadCertificate } from '@wxcoupon/sdk/crypto';
import { generateRsaKeyPair } from '@wxcoupon/sdk/pki';
import type { Kysely } from 'kysely';
import type { PlatformContext } from '../../context.js';
import { isUniqueViolation } from '../../db/database.js';
import type { Database, UserTable } from '../../db/schema.js';
import { writeTransaction } from '../../db/transaction.js';
import { ApiError } from '../../errors/api-error.js';
import { merchantKey, numericId } from '../../ids.js';
import type { PlatformKeyMode } from '../../keys/platform-keys.js';
import * as repo from './merchants.repository.js';

// Sandbox administration of merchants, appids and users (openids). WeChat Pay does this through its
// merchant platform; here the admin API and the CLI call these functions.

export interface NewMerchant {
  mchid?: string;
  name?: string;
  apiV3Key?: string;
  apiV2Key?: string;
  platformKeyMode?: PlatformKeyMode;
  /** The merchant's API certificate (PEM); when absent a key pair and certificate are generated. */
  certificatePem?: string;
}

export interface CreatedMerchant {
  mchid: string;
  name: string;
  serial: string;
  apiV3Key: string;
  apiV2Key: string;
  certificatePem: string;
  /** Only when the platform generated the key pair: hand it to the merchant, it is not stored. */
  privateKeyPem?: string;
  platformKeyMode: PlatformKeyMode;
}

export interface User {
  openid: string;
  appid: string;
  personId: string | null;
  abnormal: boolean;
}

export class MerchantService {
  constructor(private readonly ctx: PlatformContext) {}

  /** The merchant's stored record, keys included, if there is one; read in `db` when given (a transaction). */
  find(mchid: string, db: Kysely<Database> = this.ctx.db) {
    return repo.findMerchant(db, mchid);
  }

  /** Whether the merchant exists; a yes is remembered for a while, so a send seldom reads it. */
  exists(mchid: string): Promise<boolean> {
    return repo.merchantExists(this.ctx.db, mchid);
  }

  /** Whether the appid is bound to the merchant; a yes is remembered as {@link exists} remembers one. */
  isAppidBound(mchid: string, appid: string): Promise<boolean> {
    return repo.isAppidBound(this.ctx.db, mchid, appid);
  }

  async addMerchant(input: NewMerchant): Promise<CreatedMerchant> {
    const mchid = input.mchid ?? `19${numericId(8)}`;
    if (!/^\d{1,20}$/.test(mchid))
      throw new ApiError('PARAM_ERROR', 'mchid must be 1 to 20 digits', { field: 'mchid', value: mchid });
    const apiV3Key = input.apiV3Key ?? merchantKey();
    const apiV2Key = input.apiV2Key ?? merchantKey();
    for (const [field, key] of [
      ['api_v3_key', apiV3Key],
      ['api_v2_key', apiV2Key],
    ] as const) {
      if (Buffer.byteLength(key) !== 32)
        throw new ApiError('PARAM_ERROR', `${field} must be 32 ASCII characters`, { field });
    }
    const mode = input.platformKeyMode ?? 'both';
    if (!['public_key', 'certificate', 'both'].includes(mode)) {
      throw new ApiError('PARAM_ERROR', 'platform_key_mode must be public_key, certificate or both', {
        field: 'platform_key_mode',
        value: mode,
      });
    }
    let certificatePem = input.certificatePem;
    let privateKeyPem: string | undefined;
    if (!certificatePem) {
      const pair = await generateRsaKeyPair();
      privateKeyPem = pair.privateKeyPem;
      // Issued by the local CA: the same certificate signs APIv3 requests and authenticates APIv2 mutual TLS.
      certificatePem = this.ctx.tls.issueMerchantCertificate({
        mchid,
        name: input.name ?? mchid,
        publicKey: pair.publicKey,
      }).pem;
    }
    let serial: string;
    let publicKeyPem: string;
    try {
      const cert = loadCertificate(certificatePem, 'certificate');
      serial = certificateSerial(cert);
      publicKeyPem = cert.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    } catch (err) {
      throw new ApiError('PARAM_ERROR', err instanceof Error ? err.message : 'certificate is not X.509', {
        field: 'certificate',
      });
    }
    const now = this.ctx.clock();
    const name = input.name ?? `Merchant ${mchid}`;
    try {
      await writeTransaction(this.ctx.db, (trx) =>
        repo.insertMerchant(
          trx,
          { mchid, name, api_v3_key: apiV3Key, api_v2_key: apiV2Key, platform_key_mode: mode, created_at: now },
          { serial, mchid, public_key_pem: publicKeyPem, certificate_pem: certificatePem, created_at: now },
        ),
      );
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ApiError('RESOURCE_ALREADY_EXISTS', `merchant ${mchid} or certificate ${serial} already exists`);
      throw err;
    }
    return {
      mchid,
      name,
      serial,
      apiV3Key,
      apiV2Key,
      certificatePem,
      platformKeyMode: mode,
      ...(privateKeyPem ? { privateKeyPem } : {}),
    };
  }

  /**
   * Registers one more API certificate for a merchant (a merchant may hold several, as on the real
   * service); registering the same certificate again is harmless. Answers its serial.
   */
  async addCertificate(mchid: string, certificatePem: string): Promise<string> {
    if (!(await repo.findMerchant(this.ctx.db, mchid)))
      throw new ApiError('MCH_NOT_EXISTS', `merchant ${mchid} does not exist`);
    const cert = loadCertificate(certificatePem, 'certificate');
    const serial = certificateSerial(cert);
    await repo.addCertificate(this.ctx.db, {
      serial,
      mchid,
      public_key_pem: cert.publicKey.export({ type: 'spki', format: 'pem' }) as string,
      certificate_pem: certificatePem,
      created_at: this.ctx.clock(),
    });
    return serial;
  }

  /** The key a request signed by (mchid, serial) verifies against, with the merchant's platform key mode. */
  requestCertificate(mchid: string, serial: string) {
    return repo.requestCertificate(this.ctx.db, mchid, serial);
  }

  /** The API certificate stored under a serial (its merchant and PEM), whichever merchant holds it. */
  certificateBySerial(serial: string) {
    return repo.certificateBySerial(this.ctx.db, serial);
  }

  hasCertificate(mchid: string, serial: string): Promise<boolean> {
    return repo.hasCertificate(this.ctx.db, mchid, serial);
  }

  async listMerchants() {
    return (await repo.listMerchants(this.ctx.db)).map((m) => ({
      mchid: m.mchid,
      name: m.name,
      platform_key_mode: m.platform_key_mode,
      v2_decimal_err_code: m.v2_decimal_err_code === 1,
      serials: m.serials,
      appids: m.appids,
    }));
  }

  /** Answers the merchant's APIv2 business failures with decimal err_codes (on) or symbolic names (off). */
  async setV2DecimalErrCode(mchid: string, on: boolean): Promise<{ mchid: string; v2_decimal_err_code: boolean }> {
    if (!(await repo.setV2DecimalErrCode(this.ctx.db, mchid, on)))
      throw new ApiError('MCH_NOT_EXISTS', `merchant ${mchid} does not exist`);
    return { mchid, v2_decimal_err_code: on };
  }

  /** Binds an appid to a merchant, creating the appid if new. Binding twice is harmless. */
  async bindAppid(mchid: string, appid: string): Promise<void> {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(appid))
      throw new ApiError('PARAM_ERROR', 'appid must be 1 to 128 letters, digits, _ or -', {
        field: 'appid',
        value: appid,
      });
    if (!(await repo.findMerchant(this.ctx.db, mchid)))
      throw new ApiError('MCH_NOT_EXISTS', `merchant ${mchid} does not exist`);
    const now = this.ctx.clock();
    await writeTransaction(this.ctx.db, (trx) => repo.bindAppid(trx, mchid, appid, now));
  }

  /** Adds a user under an appid: the same openid under another appid is another user. */
  async addUser(input: { appid: string; openid?: string; personId?: string; abnormal?: boolean }): Promise<User> {
    if (!(await repo.appidExists(this.ctx.db, input.appid)))
      throw new ApiError('RESOURCE_NOT_EXISTS', `appid ${input.appid} does not exist; bind it to a merchant first`);
    const openid = input.openid ?? `o${numericId(6)}${merchantKey().slice(0, 21)}`;
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(openid))
      throw new ApiError('PARAM_ERROR', 'openid must be 1 to 128 letters, digits, _ or -', {
        field: 'openid',
        value: openid,
      });
    try {
      await repo.insertUser(this.ctx.db, {
        openid,
        appid: input.appid,
        person_id: input.personId ?? null,
        abnormal: input.abnormal ? 1 : 0,
        created_at: this.ctx.clock(),
      });
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ApiError('RESOURCE_ALREADY_EXISTS', `openid ${openid} already exists under appid ${input.appid}`);
      throw err;
    }
    return { openid, appid: input.appid, personId: input.personId ?? null, abnormal: input.abnormal ?? false };
  }

  async updateUser(
    openid: string,
    appid: string | undefined,
    change: { abnormal?: boolean; personId?: string | null },
  ): Promise<User> {
    const user = await this.adminUser(openid, appid);
    const abnormal = change.abnormal === undefined ? user.abnormal : change.abnormal ? 1 : 0;
    const personId = change.personId === undefined ? user.person_id : change.personId;
    await repo.updateUser(this.ctx.db, user.appid, openid, { abnormal, person_id: personId });
    return { openid, appid: user.appid, personId, abnormal: abnormal === 1 };
  }

  async getUser(openid: string, appid: string | undefined): Promise<User> {
    const user = await this.adminUser(openid, appid);
    return { openid, appid: user.appid, personId: user.person_id, abnormal: user.abnormal === 1 };
  }

  /**
   * The user the admin API names: (appid, openid), or an openid alone while only one appid has it.
   * An openid under several appids needs its appid, as a guess could change the wrong user.
   */
  private async adminUser(openid: string, appid: string | undefined): Promise<UserTable> {
    if (appid !== undefined) {
      const user = await repo.findUser(this.ctx.db, appid, openid);
      if (!user) throw new ApiError('USER_NOT_EXISTS', `openid ${openid} does not exist under appid ${appid}`);
      return user;
    }
    const users = await repo.usersByOpenid(this.ctx.db, openid);
    const [only] = users;
    if (!only) throw new ApiError('USER_NOT_EXISTS', `openid ${openid} does not exist`);
    if (users.length > 1)
      throw new ApiError(
        'PARAM_ERROR',
        `openid ${openid} exists under ${users.length} appids (${users.map((u) => u.appid).join(', ')}): name one with ?appid=`,
        { field: 'appid', location: 'query' },
      );
    return only;
  }

  /**
   * The user (appid, openid) for a request that names both, after the caller's right to the appid
   * has been checked. An unknown pair, when the platform registers users on first use, is returned
   * with `isNew`: {@link registerUser} stores it inside the issuing transaction, so a request that
   * fails leaves no user behind. Undefined when the pair is unknown and registration is off.
   */
  async peekUser(openid: string, appid: string): Promise<(User & { isNew: boolean }) | undefined> {
    const user = await repo.findUser(this.ctx.db, appid, openid);
    if (!user)
      return this.ctx.autoRegisterUsers ? { openid, appid, personId: null, abnormal: false, isNew: true } : undefined;
    return { openid, appid, personId: user.person_id, abnormal: user.abnormal === 1, isNew: false };
  }

  /** Stores a user found new by peekUser (a concurrent registration of the same pair is the same user). */
  async registerUser(db: Kysely<Database>, user: User): Promise<void> {
    await repo.insertUserIfAbsent(db, user.appid, user.openid, this.ctx.clock());
  }

  /**
   * The openid under `appid` of the user (appid, openid) `holder` names: its own under its own appid,
   * else the openid there of the same natural person (person_id), if the platform knows one.
   */
  async openidUnder(holder: { appid: string; openid: string }, appid: string): Promise<string | undefined> {
    if (holder.appid === appid) return holder.openid;
    const personId = (await repo.findUser(this.ctx.db, holder.appid, holder.openid))?.person_id;
    return personId ? repo.openidOfPerson(this.ctx.db, appid, personId) : undefined;
  }
}

/**
 * The counter key of max_coupons_per_user: one per user (appid, openid), or one per natural person
 * when the stock limits natural persons and the user has a person_id.
 */
export function userLimitKey(user: User, byNaturalPerson: boolean): string {
  return byNaturalPerson && user.personId ? `person:${user.personId}` : `user:${user.appid}:${user.openid}`;
}

declare module '../../context.js' {
  interface PlatformServices {
    merchants: MerchantService;
  }
}
