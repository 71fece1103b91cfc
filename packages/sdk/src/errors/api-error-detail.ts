/** The `detail` object of an APIv3 error body; free-form, with these keys usually present. */
export interface ApiErrorDetail {
  field?: string;
  value?: unknown;
  issue?: string;
  location?: string;
  [key: string]: unknown;
}
