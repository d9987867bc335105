import { App, Cron, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { backUpNightly, databaseCredentials } from './data';
import { addShopGuardrails } from './guardrails';
import { SHOP_IMAGES, shopImagePolicy, withShopImagePolicy } from './images';
import { SHOP_MESH } from './mesh';
import {
  HardenedCronJob, HardenedDeployment, HardenedStatefulSet, IsolatedNamespace, IsolatedNamespaceProps, LeastPrivilegeServiceAccount,
  NetworkPeer, Permission, RbacResource, ResourcePreset, WorkloadConnections,
} from '../../src';

/** The ingress controller that serves the shop: its namespace and the labels of its pods. */
export const INGRESS_CONTROLLER = { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } };

/**
 * The example shop: a web frontend, an API backend, a PostgreSQL database and its nightly backup, each hardened
 * with little more than an image and a port, in an IsolatedNamespace `shop` (restricted Pod Security, default-deny
 * network, quota and limits). Declared connections open exactly the three-tier paths: the ingress controller ->
 * frontend -> backend -> database, and the backup -> database; every pod keeps DNS, nothing else is allowed.
 */
export class ShopChart extends IsolatedNamespace {
  public readonly frontend: HardenedDeployment;
  public readonly backend: HardenedDeployment;
  public readonly database: HardenedStatefulSet;
  public readonly backup: HardenedCronJob;

  constructor(scope: Construct, id: string, props: IsolatedNamespaceProps = {}) {
    // The shop's image policy (images.ts) is declared in the scope first: the namespace resolves its defaults as it is created.
    super(withShopImagePolicy(scope), id, { name: 'shop', mesh: SHOP_MESH, ...props });
    shopImagePolicy(scope).enforceIn(this);

    this.frontend = new HardenedDeployment(this, 'frontend', {
      partOf: 'shop',
      containers: [{
        name: 'web',
        image: SHOP_IMAGES.frontend,
        portNumber: 8080,
        // Distinct HTTP endpoints: an overloaded pod leaves the Service without being restarted.
        readiness: kplus.Probe.fromHttpGet('/ready'),
        liveness: kplus.Probe.fromHttpGet('/healthz'),
      }],
      // nginx writes its cache and pid file; everything else stays read-only.
      writablePaths: ['/var/cache/nginx', '/var/run/nginx'],
    });
    this.frontend.exposeViaService();

    // The API reads its settings ConfigMap through the Kubernetes API: exactly that one object, read-only, with a
    // short-lived projected token (the other workloads get no token at all).
    const backendAccount = new LeastPrivilegeServiceAccount(this, 'backend-account', {
      permissions: [Permission.read(RbacResource.CONFIG_MAPS).withResourceNames('shop-backend-settings')],
    });
    this.backend = new HardenedDeployment(this, 'backend', {
      partOf: 'shop',
      serviceAccount: backendAccount,
      containers: [{
        name: 'api',
        image: SHOP_IMAGES.backend,
        portNumber: 9000,
        readiness: kplus.Probe.fromHttpGet('/ready'),
        liveness: kplus.Probe.fromHttpGet('/healthz'),
      }],
    });
    this.backend.exposeViaService();

    // Database credentials come from an ExternalSecret (data.ts: no value in this YAML), mounted as read-only files:
    // nothing secret goes through environment variables.
    const credentialsMount = databaseCredentials(this).volumeMount('/etc/postgresql/credentials');

    // Two members (the shop's PostgreSQL image runs a primary and a streaming-replication standby), each with its
    // own 20 GiB claim, a PodDisruptionBudget and spreading across nodes; a headless Service names the members.
    this.database = new HardenedStatefulSet(this, 'database', {
      partOf: 'shop',
      containers: [{
        name: 'postgres',
        image: SHOP_IMAGES.postgres,
        portNumber: 5432,
        envVariables: {
          // A subdirectory of the claim: initdb needs an empty directory it owns, and the mount root holds lost+found.
          PGDATA: kplus.EnvValue.fromValue('/var/lib/postgresql/data/pgdata'),
          POSTGRES_PASSWORD_FILE: kplus.EnvValue.fromValue('/etc/postgresql/credentials/password'),
        },
        // Ready when it accepts connections; alive while the port answers (a busy database is not restarted).
        readiness: kplus.Probe.fromCommand(['pg_isready', '--host', '127.0.0.1', '--port', '5432']),
        liveness: kplus.Probe.fromTcpSocket({ port: 5432, initialDelaySeconds: Duration.seconds(30), periodSeconds: Duration.seconds(20) }),
        volumeMounts: [credentialsMount],
      }],
      resourcePreset: ResourcePreset.MEDIUM,
      // The data lives on the claim (writable through the pod's fsGroup); the socket and lock file need a directory.
      volumeClaims: [{ name: 'data', mountPath: '/var/lib/postgresql/data', storage: Size.gibibytes(20) }],
      writablePaths: ['/var/run/postgresql'],
    });

    // A nightly logical backup: runs never overlap, each may take up to an hour and retries at most 3 times.
    this.backup = new HardenedCronJob(this, 'backup', {
      partOf: 'shop',
      schedule: Cron.schedule({ minute: '30', hour: '2' }),
      activeDeadline: Duration.hours(1),
      containers: [{
        name: 'pg-dump',
        image: SHOP_IMAGES.backup,
        envVariables: {
          PGHOST: kplus.EnvValue.fromValue(this.database.service.name),
          PGUSER: kplus.EnvValue.fromValue('shop'),
        },
        volumeMounts: [credentialsMount],
      }],
    });

    // Who may talk to whom. Each declaration adds the egress rule to the source's NetworkPolicy and the ingress
    // rule to the target's, on the target's container ports; the ingress controller's namespace is another team's,
    // so only the frontend's side is written.
    const ingressController = NetworkPeer.inNamespace(INGRESS_CONTROLLER.namespace, { podLabels: INGRESS_CONTROLLER.podLabels });
    WorkloadConnections.of(this.frontend).allowFrom(ingressController);
    WorkloadConnections.of(this.frontend).allowTo(NetworkPeer.workload(this.backend));
    WorkloadConnections.of(this.backend).allowTo(NetworkPeer.workload(this.database));
    WorkloadConnections.of(this.backup).allowTo(NetworkPeer.workload(this.database));
    backUpNightly(this, this.database); // last: the backup excludes the caches of the workloads declared above
  }
}

/** Builds the example app; `outdir` defaults to cdk8s's (`dist`, or CDK8S_OUTDIR). */
export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  const shop = new ShopChart(app, 'shop');
  addShopGuardrails(app, shop);
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
