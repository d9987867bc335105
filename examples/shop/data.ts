import { Cron, Duration } from 'cdk8s';
import { ExternalSecret, HardenedStatefulSet, IsolatedNamespace, NamespaceBackup, SecretStoreRef } from '../../src';

/** The Secret the database and its dump job read their credentials from (written by the External Secrets Operator). */
export const DATABASE_CREDENTIALS = 'shop-database-credentials';

/**
 * The database credentials, by reference: the External Secrets Operator reads them from the shop's SecretStore (set
 * up by the platform team in the namespace, e.g. a Vault role that can read `shop/*` only) and writes the Secret
 * `shop-database-credentials`, refreshed hourly. The YAML holds no value.
 */
export function databaseCredentials(shop: IsolatedNamespace): ExternalSecret {
  return new ExternalSecret(shop, 'DatabaseCredentials', {
    store: SecretStoreRef.secretStore('shop-vault'),
    name: DATABASE_CREDENTIALS,
    data: [{ secretKey: 'password', remoteKey: 'shop/database', property: 'password' }],
  });
}

/**
 * The namespace's nightly Velero backup, kept 30 days: the database's claims by file-system backup (the caches of
 * every pod excluded), after a CHECKPOINT so that restoring replays little WAL. The pg_dump CronJob stays the logical,
 * portable backup; this one restores the whole namespace. Declared after the workloads.
 */
export function backUpNightly(shop: IsolatedNamespace, database: HardenedStatefulSet): NamespaceBackup {
  return shop.backUp({
    schedule: Cron.schedule({ minute: '0', hour: '1' }),
    retention: Duration.days(30),
    hooks: [{
      workload: database,
      container: 'postgres',
      // Over the local socket (the writable /var/run/postgresql), as the container's own user.
      pre: ['psql', '--host', '/var/run/postgresql', '--username', 'postgres', '--command', 'CHECKPOINT'],
      timeout: Duration.minutes(2),
    }],
  });
}
