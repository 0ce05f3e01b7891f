/**
 * Whether a literal env value or ConfigMap entry is a credential, judged from its key and its value.
 *
 * A name alone over-reports: `ACCESS_TOKEN_EXPIRE_MINUTES`, `NEXTAUTH_URL` or `AUTH_ENABLED` name a setting *about*
 * a credential, and refusing their literal values pushed teams to rename keys to dodge the check. So:
 *  - a URL with a password in it is a credential whatever the key;
 *  - a key whose last word says what kind of setting it is (a duration, a URL, a flag, a name, a path...) is not;
 *  - strong words (PASSWORD, SECRET, API_KEY, PRIVATE_KEY, ACCESS_KEY, CREDENTIAL) mean a credential whatever the
 *    value (a password may be all digits);
 *  - weak words (TOKEN, a word ending in AUTH, AUTHORIZATION) mean a credential unless the value is a number, a
 *    boolean or a URL without userinfo, which no token is.
 */

/** A URL carrying a password: scheme://user:password@host. */
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:[^\s/@]+@/i;
/** Any URL without userinfo. */
const PLAIN_URL = /^[a-z][a-z0-9+.-]*:\/\/[^\s/@]+(\/\S*)?$/i;

const STRONG = /(PASSWORD|PASSWD|SECRET|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL)/;
const WEAK_WORD = /^(.*TOKEN.*|.*AUTH|AUTHORIZATION)$/;

/** Last words that make a key a setting about a credential, not the credential. */
const SETTING_SUFFIXES = new Set([
  // durations and expiry
  "MS", "MILLIS", "SECONDS", "SECS", "SEC", "MINUTES", "MINS", "MIN", "HOURS", "DAYS", "TTL", "TIMEOUT", "EXPIRE", "EXPIRES", "EXPIRY", "EXPIRATION", "LIFETIME", "AGE", "INTERVAL",
  // where
  "URL", "URI", "HOST", "HOSTNAME", "PORT", "ENDPOINT", "ISSUER", "AUDIENCE", "REGION", "PATH", "FILE", "DIR",
  // flags and kinds
  "ENABLED", "DISABLED", "ENABLE", "DISABLE", "REQUIRED", "MODE", "TYPE", "METHOD", "PROVIDER", "ALGORITHM", "SCHEME", "STRATEGY",
  // names and sizes
  "NAME", "HEADER", "LENGTH", "SIZE", "COUNT", "VERSION", "PREFIX",
]);

/** `nextAuthUrl`, `next-auth.url` and `NEXTAUTH_URL` as upper-case words. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
}

function isPlainValue(value: string): boolean {
  const v = value.trim();
  return /^-?\d+(\.\d+)?$/.test(v) || /^(true|false|yes|no|on|off)$/i.test(v) || PLAIN_URL.test(v);
}

/** Why `key: value` is a credential in plain text, or undefined when it is not. */
export function literalSecretProblem(key: string, value: unknown): string | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  if (URL_WITH_PASSWORD.test(value)) return `"${key}" holds a URL with an embedded password`;
  const words = keyWords(key);
  if (words.length === 0 || SETTING_SUFFIXES.has(words[words.length - 1])) return undefined;
  if (STRONG.test(words.join("_"))) return `"${key}" holds a literal value`;
  if (words.some((w) => WEAK_WORD.test(w)) && !isPlainValue(value)) return `"${key}" holds a literal value`;
  return undefined;
}
