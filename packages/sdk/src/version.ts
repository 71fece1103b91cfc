/** The package version, sent in the default User-Agent (a test holds it to package.json). */
export const SDK_VERSION = '0.1.0';
