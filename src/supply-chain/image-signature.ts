import { createPublicKey } from 'crypto';
import { AuthorityJson } from './authority-json';
import { describeValue } from '../defaults/kubernetes-validation';

/** A keyless (Fulcio certificate) signature: who signed, as the OIDC issuer and the certificate's subject. */
export interface KeylessSignatureOptions {
  /** The OIDC issuer of the signer's identity, an https URL, e.g. `https://token.actions.githubusercontent.com`. */
  readonly issuer: string;
  /**
   * The exact certificate subject (an e-mail, or a workflow URI such as
   * `https://github.com/example/shop/.github/workflows/release.yml@refs/heads/main`). Give this or `subjectRegExp`.
   * @default - `subjectRegExp` is used
   */
  readonly subject?: string;
  /**
   * A regular expression (RE2 syntax, as policy-controller evaluates it) the subject must match; it must be anchored
   * with `^` and `$`, since an unanchored pattern matches inside any subject. Give this or `subject`.
   * @default - `subject` is used
   */
  readonly subjectRegExp?: string;
  /**
   * The Fulcio URL that issued the certificates.
   * @default - policy-controller's default (the public Sigstore instance)
   */
  readonly fulcioUrl?: string;
}

/**
 * A signature an image must carry (cosign / Sigstore): keyless (OIDC issuer and subject) or by a public key.
 * Use the static factories; the ImagePolicy that receives it checks every field and names its own path in errors.
 */
export class ImageSignature {
  /** Signed keylessly through Fulcio by the given OIDC identity. */
  public static keyless(options: KeylessSignatureOptions): ImageSignature {
    return new ImageSignature('keyless', options, undefined);
  }

  /** Signed with the private key of this PEM public key (`-----BEGIN PUBLIC KEY-----`, as `cosign generate-key-pair` writes). */
  public static publicKey(pem: string): ImageSignature {
    return new ImageSignature('key', undefined, pem);
  }

  private constructor(
    /** @internal */ public readonly _kind: 'keyless' | 'key',
    /** @internal */ public readonly _keyless: KeylessSignatureOptions | undefined,
    /** @internal */ public readonly _pem: string | undefined,
  ) {}

  /** A short human description, e.g. `keyless https://issuer subject ^...$` or `public key`. */
  public toString(): string {
    if (this._kind === 'key') return 'public key';
    const k = this._keyless!;
    return `keyless ${k.issuer} ${k.subject !== undefined ? `subject ${k.subject}` : `subjectRegExp ${k.subjectRegExp}`}`;
  }

  /**
   * The ClusterImagePolicy authority, after checking every field.
   * @internal
   */
  public _authority(where: string, name: string): AuthorityJson {
    if (this._kind === 'key') {
      return { name, key: { data: checkPublicKey(where, this._pem), hashAlgorithm: 'sha256' } };
    }
    const options = this._keyless as unknown;
    if (options === null || typeof options !== 'object') {
      throw new Error(`${where}: keyless options ${describeValue(options)} are not an object; pass { issuer, subject } or { issuer, subjectRegExp }`);
    }
    const { issuer, subject, subjectRegExp, fulcioUrl } = options as KeylessSignatureOptions;
    checkHttpsUrl(`${where}.issuer`, issuer, 'the OIDC issuer, e.g. \'https://token.actions.githubusercontent.com\'');
    if (fulcioUrl !== undefined) checkHttpsUrl(`${where}.fulcioUrl`, fulcioUrl, 'the Fulcio URL, e.g. \'https://fulcio.sigstore.dev\'');
    if ((subject === undefined) === (subjectRegExp === undefined)) {
      throw new Error(`${where}: give exactly one of subject and subjectRegExp (got ${subject === undefined ? 'neither' : 'both'}); `
        + 'e.g. subject: \'https://github.com/example/app/.github/workflows/release.yml@refs/heads/main\'');
    }
    const identity: Record<string, string> = { issuer };
    if (subject !== undefined) {
      if (typeof subject !== 'string' || subject.trim() === '' || subject !== subject.trim()) {
        throw new Error(`${where}.subject: ${describeValue(subject)} is not a subject; give the certificate's exact subject (an e-mail or a workflow URI) `
          + 'without surrounding spaces');
      }
      identity.subject = subject;
    } else {
      identity.subjectRegExp = checkRegExp(`${where}.subjectRegExp`, subjectRegExp);
    }
    return { name, keyless: { ...(fulcioUrl !== undefined ? { url: fulcioUrl } : {}), identities: [identity] } };
  }
}

function checkHttpsUrl(where: string, value: unknown, what: string): void {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || url.hostname === '' || url.username !== '' || url.password !== ''
    || url.search !== '' || url.hash !== '' || value !== String(value).trim()) {
    throw new Error(`${where}: ${describeValue(value)} is not an https URL; give ${what} (https, no credentials, query or fragment)`);
  }
}

/** Constructs Go's RE2 (policy-controller's engine) does not have; JavaScript would accept them. */
const NOT_RE2 = [/\(\?[=!]/, /\(\?<[=!]/, /\\[1-9]/, /\\k</];

function checkRegExp(where: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new Error(`${where}: ${describeValue(value)} is not a regular expression; give e.g. '^https://github.com/example/app/.*$'`);
  }
  try {
    new RegExp(value);
  } catch (e) {
    throw new Error(`${where}: '${value}' is not a valid regular expression (${(e as Error).message}); fix the pattern, e.g. '^https://github.com/example/app/.*$'`);
  }
  if (NOT_RE2.some(re => re.test(value))) {
    throw new Error(`${where}: '${value}' uses lookaround or a backreference, which RE2 (policy-controller's engine) does not support; rewrite it without them`);
  }
  if (!value.startsWith('^') || !value.endsWith('$') || value.endsWith('\\$')) {
    // Go's MatchString finds a match anywhere: '^https://github.com/example/' alone would also admit a subject ending in it.
    throw new Error(`${where}: '${value}' is not anchored; an unanchored pattern matches anywhere inside the subject. `
      + `Anchor it at both ends, e.g. '^${value.replace(/^\^/, '').replace(/\$$/, '')}$'`);
  }
  return value;
}

function checkPublicKey(where: string, pem: unknown): string {
  if (typeof pem !== 'string' || pem.trim() === '') {
    throw new Error(`${where}: public key ${describeValue(pem)} is missing; give the PEM text of the public key (cosign.pub)`);
  }
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem)) {
    // A private key in a manifest is a leaked key: refuse it before it reaches any YAML.
    throw new Error(`${where}: the key is a PRIVATE key; give the public key only (cosign.pub), and treat this private key as exposed`);
  }
  const text = pem.trim();
  if (!/^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PUBLIC KEY-----$/.test(text)) {
    throw new Error(`${where}: public key '${text.slice(0, 40)}...' is not a PEM public key; give the text of cosign.pub, from `
      + '\'-----BEGIN PUBLIC KEY-----\' to \'-----END PUBLIC KEY-----\'');
  }
  try {
    createPublicKey({ key: text, format: 'pem' });
  } catch (e) {
    throw new Error(`${where}: public key '${text.slice(0, 40)}...' does not parse (${(e as Error).message}); give the text of cosign.pub unchanged`);
  }
  return `${text}\n`;
}
