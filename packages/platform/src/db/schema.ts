import type { Generated } from 'kysely';

// Table types for Kysely. Each feature adds its own tables by augmenting this interface from its
// repository file (declaration merging), so no feature has to edit another's types:
//
//   declare module '../../db/schema.js' { interface Database { busifavor_stocks: BusifavorStockTable } }
//
// Portable column conventions (SQLite and PostgreSQL alike): booleans are integers 0/1, money and
// counters are bigint (read back as numbers on both engines), times are stored twice when they are
// compared: RFC 3339 text for the wire and epoch milliseconds (bigint) for arithmetic.

export interface MerchantTable {
  mchid: string;
  name: string;
  api_v3_key: string;
  api_v2_key: string;
  /** `public_key`, `certificate` or `both`: which platform keys the merchant can verify with. */
  platform_key_mode: string;
  created_at: number;
  /** 1: APIv2 business failures carry decimal err_codes (V2_DECIMAL_CODES); 0 by default. */
  v2_decimal_err_code: Generated<number>;
}

export interface MerchantCertificateTable {
  serial: string;
  mchid: string;
  public_key_pem: string;
  certificate_pem: string | null;
  created_at: number;
}

export interface AppidTable {
  appid: string;
  created_at: number;
}

export interface MerchantAppidTable {
  mchid: string;
  appid: string;
}

export interface UserTable {
  openid: string;
  appid: string;
  /** Accounts sharing a person_id are one natural person (natural_person_limit). */
  person_id: string | null;
  abnormal: number;
  created_at: number;
}

export interface PlatformKeyTable {
  /** `PUB_KEY_ID_…` in public-key mode, the certificate serial in certificate mode. */
  key_id: string;
  kind: string;
  private_key_pem: string;
  public_key_pem: string;
  certificate_pem: string | null;
  not_before: number;
  not_after: number;
  created_at: number;
}

export interface SettingTable {
  name: string;
  value: string;
}

export interface Database {
  merchants: MerchantTable;
  merchant_certificates: MerchantCertificateTable;
  appids: AppidTable;
  merchant_appids: MerchantAppidTable;
  users: UserTable;
  platform_keys: PlatformKeyTable;
  settings: SettingTable;
}
