import { detachedString } from './json';

/**
 * Whether a literal environment variable (`env[].value`) carries a secret, judged by its name and, for a few
 * unambiguous shapes, by its value. Used by `sensitive-env-literal`.
 *
 * Names are split into words at `_`, `-`, `.` and camelCase boundaries (`dbPassword` -> DB PASSWORD,
 * `APIKey` -> API KEY) and upper-cased. A name looks secret when
 * - a word is one of SENSITIVE_WORDS (PASSWORD, SECRET, TOKEN, CREDENTIALS, AUTH...), or
 * - two adjacent words form a key name of KEY_PAIRS (API KEY, PRIVATE KEY, ACCESS KEY, SIGNING KEY...), or
 * - its last word is PASS or PWD (DB_PASS, SMTP_PWD; not PASS_THROUGH, and not the shell's own PWD), or
 * - the name without separators contains a compound of COMPOUNDS (PGPASSWORD, MYAPIKEY, GITHUBACCESSTOKEN).
 * It does not when it describes or locates a secret rather than holding one:
 * - its last word is one of DESCRIPTIVE_SUFFIXES (TOKEN_TTL_SECONDS, PASSWORD_FILE, SECRET_NAME, AUTH_URL,
 *   AUTH_ENABLED, PASSWORD_MIN_LENGTH), or it ends in PUBLIC_KEY / PUBKEY, or
 * - a word is MAX, MIN, NUM or TTL (MAX_TOKENS, NUM_TOKENS, MIN_PASSWORD_LENGTH).
 * Of a secret-looking name, a value is not reported when it is empty or blank, a boolean (true/false/yes/no/on/off),
 * an absolute file path (GOOGLE_APPLICATION_CREDENTIALS=/var/run/secrets/gcp/key.json points at a mounted file,
 * which is what secret-env recommends), or made only of `$(VAR)` references to other variables.
 * Whatever the name, a value is reported when it holds a PEM private key, a URL with a password in it
 * (`postgres://user:pass@host`; not when the password is a `$(VAR)` reference), an HTTP `Bearer`/`Basic`
 * credential or a JWT.
 *
 * When in doubt the pattern reports: a false positive costs an exemption with a reason, a false negative a leaked
 * credential in Git and in every copy of the manifest.
 */

const SENSITIVE_WORDS = new Set([
  'PASSWORD', 'PASSWORDS', 'PASSWD', 'PASSPHRASE', 'HTPASSWD',
  'SECRET', 'SECRETS', 'CLIENTSECRET',
  'TOKEN', 'TOKENS', 'BEARER',
  'APIKEY', 'APIKEYS', 'PRIVATEKEY', 'ACCESSKEY', 'SECRETKEY',
  'CREDENTIAL', 'CREDENTIALS', 'CREDS',
  'AUTH', 'AUTHORIZATION',
]);

/** First words that make `<word> KEY` a key: API_KEY, PRIVATE_KEY, AZURE_STORAGE_ACCOUNT_KEY, JWT_SIGNING_KEY. */
const KEY_PAIRS = new Set([
  'API', 'PRIVATE', 'ACCESS', 'SECRET', 'SIGNING', 'ENCRYPTION', 'ENCRYPT', 'DECRYPTION', 'MASTER', 'SESSION',
  'CLIENT', 'SSH', 'ACCOUNT', 'LICENSE', 'JWT', 'HMAC', 'SHARED', 'AUTH', 'CIPHER', 'CRYPTO',
]);

const LAST_WORD_ONLY = new Set(['PASS', 'PWD']);

const COMPOUNDS = ['PASSWORD', 'PASSWD', 'PASSPHRASE', 'APIKEY', 'PRIVATEKEY', 'ACCESSKEY', 'SECRETKEY', 'CLIENTSECRET',
  'CREDENTIAL', 'ACCESSTOKEN', 'AUTHTOKEN', 'APITOKEN', 'REFRESHTOKEN'];

/** Last words of names whose value is about a secret (where, which, how long, whether), not the secret. */
const DESCRIPTIVE_SUFFIXES = new Set([
  // where / which
  'FILE', 'FILES', 'PATH', 'PATHS', 'DIR', 'DIRECTORY', 'LOCATION', 'MOUNT', 'NAME', 'NAMES', 'REF', 'NAMESPACE',
  'STORE', 'URL', 'URI', 'ENDPOINT', 'HOST', 'HOSTNAME', 'PORT', 'SERVER', 'ADDR', 'ADDRESS', 'REGION', 'HEADER',
  'ISSUER', 'AUDIENCE', 'SCOPE', 'SCOPES', 'REALM', 'DOMAIN', 'USER', 'USERNAME', 'LOGIN', 'EMAIL',
  // how
  'TYPE', 'KIND', 'MODE', 'METHOD', 'PROVIDER', 'STRATEGY', 'BACKEND', 'SCHEME', 'ALGORITHM', 'ALG', 'FORMAT',
  'ENCODING', 'POLICY', 'VERSION',
  // whether
  'ENABLED', 'ENABLE', 'DISABLED', 'DISABLE', 'REQUIRED', 'OPTIONAL',
  // how long / how many
  'TTL', 'TIMEOUT', 'EXPIRY', 'EXPIRATION', 'EXPIRES', 'LIFETIME', 'DURATION', 'AGE', 'INTERVAL', 'PERIOD',
  'SECONDS', 'SECS', 'SEC', 'MS', 'MILLIS', 'MILLISECONDS', 'MINUTES', 'MINS', 'HOURS', 'DAYS',
  'LENGTH', 'LEN', 'SIZE', 'COUNT', 'LIMIT', 'MIN', 'MAX', 'RETRIES', 'ATTEMPTS',
]);

/** Words that make the whole name a quantity wherever they stand. */
const QUANTITY_WORDS = new Set(['MAX', 'MIN', 'NUM', 'TTL']);

/** Splits an environment variable name into upper-case words. */
export function wordsOf(name: string): string[] {
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(w => w !== '')
    .map(w => w.toUpperCase());
}

/** Whether an environment variable name looks like it holds a secret (see the module comment). */
export function isSensitiveEnvName(name: string): boolean {
  // Names repeat across the workloads of an input (every object, every container): judged once each.
  let sensitive = JUDGED_NAMES.get(name);
  if (sensitive === undefined) {
    sensitive = judgeEnvName(name);
    if (JUDGED_NAMES.size < MAX_JUDGED_NAMES) JUDGED_NAMES.set(detachedString(name), sensitive);
  }
  return sensitive;
}
const JUDGED_NAMES = new Map<string, boolean>();
const MAX_JUDGED_NAMES = 10_000;

function judgeEnvName(name: string): boolean {
  const words = wordsOf(name);
  if (words.length === 0) return false;
  const last = words[words.length - 1];
  const compact = words.join('');
  if (DESCRIPTIVE_SUFFIXES.has(last) || words.some(w => QUANTITY_WORDS.has(w))) return false;
  if (compact.endsWith('PUBLICKEY') || compact.endsWith('PUBKEY')) return false;
  if (words.some(w => SENSITIVE_WORDS.has(w))) return true;
  if (words.some((w, i) => w === 'KEY' && i > 0 && KEY_PAIRS.has(words[i - 1]))) return true;
  if (words.length > 1 && LAST_WORD_ONLY.has(last)) return true;
  return COMPOUNDS.some(c => compact.includes(c));
}

const BOOLEAN_VALUE = /^(true|false|yes|no|on|off)$/i;
const ABSOLUTE_PATH = /^\/\S*$/;
const ONLY_REFERENCES = /^(\$\([A-Za-z_][A-Za-z0-9_.-]*\))+$/;

/** Value shapes that are credentials whatever the variable is called. */
const SECRET_VALUES: Array<{ pattern: RegExp; what: string }> = [
  { pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, what: 'a PEM private key' },
  // A password of only $(VAR) references comes from another variable (a secretKeyRef): not a literal.
  { pattern: /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/\s:@]*:(?!(?:\$\([A-Za-z_][A-Za-z0-9_.-]*\))+@)[^/\s@]+@/, what: 'a URL with a password' },
  { pattern: /^(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}$/i, what: 'an HTTP Authorization credential' },
  { pattern: /^eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*$/, what: 'a JWT' },
];

/**
 * Why a literal environment variable exposes a secret, or undefined when it does not.
 * `value` is the raw `env[].value` (anything: numbers are read as their text, booleans are not secrets).
 */
export function sensitiveLiteral(name: unknown, value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (text === '') return undefined;
  const byValue = SECRET_VALUES.find(s => s.pattern.test(text));
  if (byValue) return `a literal value holding ${byValue.what}`;
  if (typeof name !== 'string' || !isSensitiveEnvName(name)) return undefined;
  if (BOOLEAN_VALUE.test(text) || ABSOLUTE_PATH.test(text) || ONLY_REFERENCES.test(text)) return undefined;
  return 'a secret-looking name and a literal value';
}
