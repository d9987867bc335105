import { ApiObject, Duration, Names } from 'cdk8s';
import { Construct } from 'constructs';
import { checkSeconds, goDuration } from './duration-text';
import { ReferencedSecret } from './referenced-secret';
import { SecretStoreRef } from './secret-store-ref';
import { DataDefaults } from '../defaults/data-defaults';
import { HardenedDefaults } from '../defaults/hardened-defaults';
import { isDnsSubdomain } from '../defaults/kubernetes-validation';

/** One key of the target Secret, read from one remote secret (an `spec.data` entry). */
export interface ExternalSecretEntry {
  /** The key in the Kubernetes Secret, e.g. `password` (letters, digits, `-`, `_`, `.`). */
  readonly secretKey: string;
  /** The secret's key in the provider, e.g. `shop/database` (a Vault path, an AWS Secrets Manager name...). */
  readonly remoteKey: string;
  /**
   * The property of the remote value, when it is a map (e.g. a JSON object), e.g. `password`.
   * @default - the whole remote value
   */
  readonly property?: string;
  /**
   * The version of the remote secret, where the provider supports versions.
   * @default - the provider's current version
   */
  readonly version?: string;
}

/** Every property of one remote secret (a map), each becoming a key of the target Secret (an `spec.dataFrom` extract). */
export interface ExternalSecretExtract {
  /** The secret's key in the provider, e.g. `shop/database`. */
  readonly remoteKey: string;
  /**
   * A property of the remote value holding the map to extract.
   * @default - the remote value itself
   */
  readonly property?: string;
  /**
   * The version of the remote secret, where the provider supports versions.
   * @default - the provider's current version
   */
  readonly version?: string;
}

/** What the operator does with the Secret when the remote secret is gone. */
export class ExternalSecretDeletionPolicy {
  /** Keep the Secret as it was: running pods keep their credentials while the provider is fixed (the operator's default). */
  public static readonly RETAIN = new ExternalSecretDeletionPolicy('Retain');
  /** Delete the Secret when every remote key is gone: the credential stops being usable in the cluster at once. */
  public static readonly DELETE = new ExternalSecretDeletionPolicy('Delete');

  private constructor(
    /** The `spec.target.deletionPolicy` value. */
    public readonly value: string) {}
}

/** Props of an ExternalSecret. */
export interface ExternalSecretProps {
  /** The SecretStore or ClusterSecretStore the values are read from, e.g. `SecretStoreRef.clusterSecretStore('vault')`. */
  readonly store: SecretStoreRef;
  /**
   * Keys of the Secret, each read from a remote secret (and property).
   * @default - none; `data` or `dataFrom` must name at least one remote secret
   */
  readonly data?: ExternalSecretEntry[];
  /**
   * Remote secrets whose every property becomes a key of the Secret.
   * @default - none; `data` or `dataFrom` must name at least one remote secret
   */
  readonly dataFrom?: ExternalSecretExtract[];
  /**
   * How often the values are read again from the provider, so a rotated value reaches the Secret (and the mounted
   * files). At least one minute.
   * @default Duration.hours(1) - the operator's default
   */
  readonly refreshInterval?: Duration;
  /**
   * The name of the ExternalSecret object.
   * @default - a name generated from the construct path
   */
  readonly name?: string;
  /**
   * The name of the Secret the operator creates and owns (`creationPolicy: Owner`: deleted with the ExternalSecret).
   * @default - the ExternalSecret's name
   */
  readonly targetSecretName?: string;
  /**
   * What happens to the Secret when the remote secret is deleted.
   * @default ExternalSecretDeletionPolicy.RETAIN
   */
  readonly deletionPolicy?: ExternalSecretDeletionPolicy;
}

/** The operator's key pattern for the Secret's keys. */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * A Secret by reference, through the External Secrets Operator (`external-secrets.io/v1` ExternalSecret): the YAML
 * names a store and remote keys, the operator writes the Secret in the cluster and refreshes it. No secret value is
 * ever in the manifests (secret-literal-data), and nothing here reads Secrets through the API (rbac-secrets-read).
 *
 * Workloads consume the Secret as read-only files (`volumeMount`), or, as an explicit opt-in that the `secret-env`
 * control reports, as an environment variable (`envValue`).
 */
export class ExternalSecret extends ReferencedSecret {
  /** The ExternalSecret object. */
  public readonly resource: ApiObject;
  /** The store the values come from. */
  public readonly store: SecretStoreRef;
  /** How often the values are read again. */
  public readonly refreshInterval: Duration;
  /** What happens to the Secret when the remote secret is deleted. */
  public readonly deletionPolicy: ExternalSecretDeletionPolicy;

  constructor(scope: Construct, id: string, props: ExternalSecretProps) {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    if (props === null || typeof props !== 'object') {
      throw new Error(`[${path}] props: ${JSON.stringify(props)} is not ExternalSecretProps; give at least { store, data }`);
    }
    const data = listOf(path, 'data', props.data).map((entry, index) => checkEntry(path, `data[${index}]`, entry));
    const dataFrom = listOf(path, 'dataFrom', props.dataFrom).map((entry, index) => checkRemote(path, `dataFrom[${index}]`, entry));
    if (data.length === 0 && dataFrom.length === 0) {
      throw new Error(`[${path}] data: the ExternalSecret reads nothing; name the remote keys in data (e.g. [{ secretKey: 'password', `
        + 'remoteKey: \'shop/database\', property: \'password\' }]) or dataFrom');
    }
    data.forEach((entry, index) => {
      const first = data.findIndex(other => other.secretKey === entry.secretKey);
      if (first !== index) {
        throw new Error(`[${path}] data[${index}].secretKey: '${entry.secretKey}' is already written by data[${first}]; give each key of the Secret one source`);
      }
    });
    if (props.name !== undefined && !isDnsSubdomain(props.name)) {
      throw new Error(`[${path}] name: ${JSON.stringify(props.name)} is not an object name; use a DNS subdomain such as 'shop-database-credentials'`);
    }
    if (props.targetSecretName !== undefined && !isDnsSubdomain(props.targetSecretName)) {
      throw new Error(`[${path}] targetSecretName: ${JSON.stringify(props.targetSecretName)} is not a Secret name; use a DNS subdomain such as `
        + '\'shop-database-credentials\'');
    }
    const name = props.name ?? Names.toDnsLabel(scope, { extra: [id] });
    const targetName = props.targetSecretName ?? name;
    // dataFrom writes keys only the provider knows; with data alone the keys are known here.
    super(scope, id, targetName, dataFrom.length === 0 ? data.map(e => e.secretKey) : undefined);

    if (!(props.store instanceof SecretStoreRef)) {
      throw new Error(`[${this.node.path}] store: ${JSON.stringify(props.store)} is not a SecretStoreRef; use e.g. `
        + 'SecretStoreRef.clusterSecretStore(\'vault\') or SecretStoreRef.secretStore(\'vault\')');
    }
    if (props.deletionPolicy !== undefined && !(props.deletionPolicy instanceof ExternalSecretDeletionPolicy)) {
      throw new Error(`[${this.node.path}] deletionPolicy: ${JSON.stringify(props.deletionPolicy)} is not an ExternalSecretDeletionPolicy; `
        + 'use ExternalSecretDeletionPolicy.RETAIN or DELETE');
    }
    const refresh = checkSeconds(this.node.path, 'refreshInterval', props.refreshInterval, DataDefaults.EXTERNAL_SECRET_MIN_REFRESH_SECONDS,
      'Duration.hours(1) (at least one minute)') ?? DataDefaults.EXTERNAL_SECRET_REFRESH_SECONDS;
    this.store = props.store;
    this.refreshInterval = Duration.seconds(refresh);
    this.deletionPolicy = props.deletionPolicy ?? ExternalSecretDeletionPolicy.RETAIN;

    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name, labels: { 'app.kubernetes.io/managed-by': HardenedDefaults.MANAGED_BY } },
      spec: {
        secretStoreRef: { kind: this.store.kind, name: this.store.name },
        refreshInterval: goDuration(refresh),
        target: {
          name: targetName,
          creationPolicy: 'Owner',
          deletionPolicy: this.deletionPolicy.value,
        },
        data: data.length > 0 ? data.map(e => ({ secretKey: e.secretKey, remoteRef: remoteRef(e) })) : undefined,
        dataFrom: dataFrom.length > 0 ? dataFrom.map(e => ({ extract: remoteRef(e) })) : undefined,
      },
    });
  }
}

function remoteRef(e: ExternalSecretExtract): Record<string, string> {
  const ref: Record<string, string> = { key: e.remoteKey };
  if (e.property !== undefined) ref.property = e.property;
  if (e.version !== undefined) ref.version = e.version;
  return ref;
}

function listOf<T>(path: string, field: string, value: T[] | undefined): T[] {
  if (value !== undefined && !Array.isArray(value)) {
    throw new Error(`[${path}] ${field}: ${JSON.stringify(value)} is not a list; give a list of entries, or leave it out`);
  }
  return value ?? [];
}

function checkEntry(path: string, field: string, entry: ExternalSecretEntry): ExternalSecretEntry {
  checkRemote(path, field, entry);
  if (typeof entry.secretKey !== 'string' || entry.secretKey.length > 253 || !SECRET_KEY.test(entry.secretKey)) {
    throw new Error(`[${path}] ${field}.secretKey: ${JSON.stringify(entry.secretKey)} is not a Secret key; use letters, digits, '-', '_' and '.', `
      + 'e.g. \'password\'');
  }
  return entry;
}

function checkRemote<T extends ExternalSecretExtract>(path: string, field: string, entry: T): T {
  if (entry === null || typeof entry !== 'object') {
    throw new Error(`[${path}] ${field}: ${JSON.stringify(entry)} is not an entry; give { remoteKey, property?, version? }`);
  }
  if (typeof entry.remoteKey !== 'string' || entry.remoteKey.trim().length === 0) {
    throw new Error(`[${path}] ${field}.remoteKey: ${JSON.stringify(entry.remoteKey)} names no remote secret; give its key in the provider, `
      + 'e.g. \'shop/database\'');
  }
  for (const key of ['property', 'version'] as const) {
    const value = entry[key];
    if (value !== undefined && (typeof value !== 'string' || value.trim().length === 0)) {
      throw new Error(`[${path}] ${field}.${key}: ${JSON.stringify(value)} is empty; name the ${key}, or leave it out`);
    }
  }
  return entry;
}
