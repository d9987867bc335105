import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DataDefaults } from '../defaults/data-defaults';

/**
 * A Secret the cluster creates from a reference (an ExternalSecret, a SealedSecret): the YAML carries no value, and
 * workloads consume it by name. Files are the default (`volumeMount`); an environment variable (`envValue`) is an
 * explicit opt-in that the `secret-env` control reports.
 *
 * Nothing here reads the Secret through the Kubernetes API: the kubelet mounts it for the pod, so no Role grants
 * `get` on Secrets (rbac-secrets-read).
 */
export abstract class ReferencedSecret extends Construct {
  /** The name of the Secret the cluster creates. */
  public readonly secretName: string;
  /** The Secret, by name, for cdk8s-plus APIs that take one. */
  public readonly secret: kplus.ISecret;
  /** A `secret` volume of the Secret: files of mode 0440 (owner and the pod's fsGroup), one per key. */
  public readonly volume: kplus.Volume;
  /** The keys the Secret will hold, when they are known from the declaration (undefined when some come from elsewhere). */
  public readonly knownKeys?: string[];

  protected constructor(scope: Construct, id: string, secretName: string, knownKeys?: string[]) {
    super(scope, id);
    this.secretName = secretName;
    this.knownKeys = knownKeys;
    this.secret = kplus.Secret.fromSecretName(this, 'Secret', secretName);
    this.volume = kplus.Volume.fromSecret(this, 'Volume', this.secret, {
      name: volumeNameOf(secretName),
      defaultMode: DataDefaults.SECRET_FILE_MODE,
    });
  }

  /**
   * A read-only mount of the Secret's files at `path` (one file per key), for a container's `volumeMounts`. Point the
   * application at the file (e.g. `POSTGRES_PASSWORD_FILE`); a rotated value appears in place.
   * @param path absolute directory, e.g. `/etc/app/credentials`
   */
  public volumeMount(path: string): kplus.VolumeMount {
    if (typeof path !== 'string' || !path.startsWith('/') || path.split('/').includes('..') || path.includes(':')) {
      throw new Error(`[${this.node.path}] volumeMount: ${JSON.stringify(path)} is not an absolute path; mount the Secret at a directory `
        + 'such as \'/etc/app/credentials\'');
    }
    return { path, volume: this.volume, readOnly: true };
  }

  /**
   * Opt-in: one key of the Secret as an environment variable value. Prefer `volumeMount`: environment variables leak
   * (crash dumps, child processes, /proc/<pid>/environ) and never see a rotated value, so the `secret-env` control
   * reports every use as a warning.
   * @param key a key the Secret holds
   */
  public envValue(key: string): kplus.EnvValue {
    if (typeof key !== 'string' || key.length === 0 || (this.knownKeys !== undefined && !this.knownKeys.includes(key))) {
      const known = this.knownKeys === undefined ? '' : ` (it holds ${this.knownKeys.map(k => `'${k}'`).join(', ')})`;
      throw new Error(`[${this.node.path}] envValue: ${JSON.stringify(key)} is not a key of Secret '${this.secretName}'${known}; `
        + 'name one of its keys, or better mount the Secret as files with volumeMount()');
    }
    return kplus.EnvValue.fromSecretValue({ secret: this.secret, key });
  }
}

/** `secret-<name>`, cut to a DNS label. */
function volumeNameOf(secretName: string): string {
  return `secret-${secretName.replace(/\./g, '-')}`.slice(0, 63).replace(/-+$/, '');
}
