import { isDnsSubdomain } from '../defaults/kubernetes-validation';

/**
 * The SecretStore or ClusterSecretStore (External Secrets Operator) an ExternalSecret reads from. The store holds the
 * provider's address and credentials; the ExternalSecret names only keys.
 */
export class SecretStoreRef {
  /** A SecretStore of the ExternalSecret's own namespace, by name, e.g. `SecretStoreRef.secretStore('vault')`. */
  public static secretStore(name: string): SecretStoreRef {
    return new SecretStoreRef('SecretStore', checkStoreName('SecretStoreRef.secretStore', name));
  }

  /** A cluster-wide ClusterSecretStore, by name, e.g. `SecretStoreRef.clusterSecretStore('vault')`. */
  public static clusterSecretStore(name: string): SecretStoreRef {
    return new SecretStoreRef('ClusterSecretStore', checkStoreName('SecretStoreRef.clusterSecretStore', name));
  }

  /** `SecretStore` or `ClusterSecretStore`. */
  public readonly kind: string;
  /** The store's name. */
  public readonly name: string;

  private constructor(kind: string, name: string) {
    this.kind = kind;
    this.name = name;
  }
}

function checkStoreName(factory: string, name: unknown): string {
  if (!isDnsSubdomain(name)) {
    throw new Error(`${factory}: ${JSON.stringify(name)} is not a store name; use the metadata.name of the store, a DNS subdomain `
      + 'such as \'vault-backend\'');
  }
  return name;
}
