import { App, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  Controls, HardenedDeployment, IsolatedNamespace, IsolatedNamespaceProps, NamespaceQuota, NetworkPeer, WorkloadConnections,
} from '../../src';

/**
 * Weaveworks' Sock Shop (github.com/microservices-demo/microservices-demo, Apache-2.0), ported from its
 * `deploy/kubernetes/manifests` and `manifests-policy` at commit 9dff06fae4981921caec6a62393a6ebfce4b3e3f: see
 * PROVENANCE.md beside this file for what changed and why.
 */

/** The ingress controller that replaces upstream's NodePort 30001 in front of `front-end`. */
export const INGRESS_CONTROLLER = { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } };

/** Upstream's images (tags as upstream pins them; the databases' floating `mongo` and `redis:alpine` pinned to versions). */
const IMAGES = {
  'front-end': 'weaveworksdemos/front-end:0.3.12',
  'catalogue': 'weaveworksdemos/catalogue:0.3.5',
  'catalogue-db': 'weaveworksdemos/catalogue-db:0.3.0',
  'carts': 'weaveworksdemos/carts:0.4.8',
  'orders': 'weaveworksdemos/orders:0.4.7',
  'payment': 'weaveworksdemos/payment:0.4.3',
  'shipping': 'weaveworksdemos/shipping:0.4.8',
  'queue-master': 'weaveworksdemos/queue-master:0.3.1',
  'user': 'weaveworksdemos/user:0.4.7',
  'user-db': 'weaveworksdemos/user-db:0.3.0',
  'mongo': 'mongo:3.4.24',
  'rabbitmq': 'rabbitmq:3.6.8-management',
  'rabbitmq-exporter': 'kbudde/rabbitmq-exporter:v0.29.0',
  'redis': 'redis:7.2.4-alpine',
};

/** Upstream's JVM flags of the Spring services (heap sized to the 500Mi limit). */
const JAVA_OPTS = '-Xms64m -Xmx128m -XX:+UseG1GC -Djava.security.egd=file:/dev/urandom -Dspring.zipkin.enabled=false';

/** What one upstream Deployment says: its image, port(s), resources, probes and environment. */
interface ServiceSpec {
  readonly image: string;
  /** The container's ports, first one the Service's target. */
  readonly ports: kplus.ContainerPort[];
  /** The Service's port (what clients dial: `http://carts/`), when it differs from the container's. */
  readonly servicePort?: number;
  readonly cpu?: { request: number; limit: number };
  readonly memory?: { request: number; limit: number };
  readonly env?: Record<string, kplus.EnvValue>;
  readonly args?: string[];
  /** HTTP health path upstream probes (readiness and liveness). */
  readonly healthPath?: string;
  /** Directories the process writes besides /tmp (upstream mounts only /tmp; the databases write their data). */
  readonly writablePaths?: string[];
  /** Upstream runs its own services as uid 10001 (the images' user) with NET_BIND_SERVICE to listen on port 80. */
  readonly imageUser?: boolean;
  readonly volumeMounts?: kplus.VolumeMount[];
  readonly sidecars?: kplus.ContainerProps[];
  /** Further Service ports (rabbitmq's exporter, which upstream's Service also publishes for Prometheus). */
  readonly extraServicePorts?: kplus.ServicePort[];
}

/**
 * The Sock Shop: 14 Deployments and their Services in an IsolatedNamespace `sock-shop` (restricted Pod Security,
 * default-deny ingress and egress, quota sized from the workloads). Each connection upstream's NetworkPolicies mean
 * is declared once, and opens both the caller's egress and the callee's ingress on the callee's port.
 */
export class SockShopChart extends IsolatedNamespace {
  /** The workloads by upstream name (`front-end`, `carts`, `carts-db`, ...). */
  public readonly workloads: Record<string, HardenedDeployment> = {};
  /** The Services by upstream name (the names the services dial). */
  public readonly services: Record<string, kplus.Service> = {};

  constructor(scope: Construct, id: string, props: IsolatedNamespaceProps = {}) {
    super(scope, id, { name: 'sock-shop', quota: NamespaceQuota.fromWorkloads(), ...props });

    // catalogue-db's root password: upstream writes `fake_password` into the manifest; here it is a Secret created
    // out of band (never in this YAML), read by MySQL from a file.
    const mysqlSecret = kplus.Volume.fromSecret(this, 'CatalogueDbCredentials',
      kplus.Secret.fromSecretName(this, 'CatalogueDbSecret', 'catalogue-db-credentials'), { defaultMode: 0o440 });
    const java = { JAVA_OPTS: kplus.EnvValue.fromValue(JAVA_OPTS) };
    const http = (port: number) => [{ number: port, name: 'http' }];

    const specs: Record<string, ServiceSpec> = {
      'front-end': {
        image: IMAGES['front-end'],
        ports: [{ number: 8079 }],
        servicePort: 80,
        healthPath: '/',
        cpu: { request: 100, limit: 300 },
        memory: { request: 300, limit: 1000 },
        env: { SESSION_REDIS: kplus.EnvValue.fromValue('true') },
      },
      'catalogue': {
        image: IMAGES.catalogue,
        ports: http(80),
        args: ['-port=80'],
        healthPath: '/health',
        imageUser: true,
        cpu: { request: 100, limit: 200 },
        memory: { request: 100, limit: 200 },
      },
      'catalogue-db': {
        image: IMAGES['catalogue-db'],
        ports: [{ number: 3306, name: 'mysql' }],
        env: {
          MYSQL_ROOT_PASSWORD_FILE: kplus.EnvValue.fromValue('/etc/mysql/credentials/password'),
          MYSQL_DATABASE: kplus.EnvValue.fromValue('socksdb'),
        },
        writablePaths: ['/var/lib/mysql', '/var/run/mysqld'],
        volumeMounts: [{ path: '/etc/mysql/credentials', volume: mysqlSecret, readOnly: true }],
      },
      'carts': {
        image: IMAGES.carts,
        ports: http(80),
        env: java,
        imageUser: true,
        cpu: { request: 100, limit: 300 },
        memory: { request: 200, limit: 500 },
      },
      'carts-db': { image: IMAGES.mongo, ports: [{ number: 27017, name: 'mongo' }], writablePaths: ['/data/db', '/data/configdb'] },
      'orders': {
        image: IMAGES.orders,
        ports: http(80),
        env: java,
        imageUser: true,
        cpu: { request: 100, limit: 500 },
        memory: { request: 300, limit: 500 },
      },
      'orders-db': { image: IMAGES.mongo, ports: [{ number: 27017, name: 'mongo' }], writablePaths: ['/data/db', '/data/configdb'] },
      'payment': {
        image: IMAGES.payment,
        ports: http(80),
        healthPath: '/health',
        imageUser: true,
        cpu: { request: 99, limit: 200 },
        memory: { request: 100, limit: 200 },
      },
      'shipping': {
        image: IMAGES.shipping,
        ports: http(80),
        imageUser: true,
        env: { ...java, ZIPKIN: kplus.EnvValue.fromValue('zipkin.jaeger.svc.cluster.local') },
        cpu: { request: 100, limit: 300 },
        memory: { request: 300, limit: 500 },
      },
      'queue-master': {
        image: IMAGES['queue-master'],
        ports: http(80),
        env: java,
        imageUser: true,
        cpu: { request: 100, limit: 300 },
        memory: { request: 300, limit: 500 },
      },
      'rabbitmq': {
        image: IMAGES.rabbitmq,
        ports: [{ number: 5672, name: 'rabbitmq' }, { number: 15672, name: 'management' }],
        writablePaths: ['/var/lib/rabbitmq', '/etc/rabbitmq'],
        sidecars: [{ name: 'rabbitmq-exporter', image: IMAGES['rabbitmq-exporter'], ports: [{ number: 9090, name: 'exporter' }] }],
        extraServicePorts: [{ port: 9090, targetPort: 9090, name: 'exporter' }],
      },
      'session-db': { image: IMAGES.redis, ports: [{ number: 6379, name: 'redis' }], writablePaths: ['/data'] },
      'user': {
        image: IMAGES.user,
        ports: http(80),
        healthPath: '/health',
        imageUser: true,
        env: { mongo: kplus.EnvValue.fromValue('user-db:27017') },
        cpu: { request: 100, limit: 300 },
        memory: { request: 100, limit: 200 },
      },
      'user-db': { image: IMAGES['user-db'], ports: [{ number: 27017, name: 'mongo' }], writablePaths: ['/data/db', '/data/db-users', '/data/configdb'] },
    };
    for (const [name, spec] of Object.entries(specs)) this.addService(name, spec);

    // Who calls whom: upstream's manifests-policy, one declaration per allowed pair (each opens both sides). Four
    // lines repair upstream: its cart-access and carts-db-access name `name: cart`, a label no pod carries, and
    // session-db has no policy at all (see PROVENANCE.md and the test's DIFFERENCES).
    const w = this.workloads;
    const call = (from: string, to: string, port: number) =>
      WorkloadConnections.of(w[from]).allowTo(NetworkPeer.workload(w[to]), { ports: [kplus.NetworkPolicyPort.tcp(port)] });
    call('front-end', 'catalogue', 80);
    call('front-end', 'carts', 80); // upstream: `cart`
    call('front-end', 'orders', 80);
    call('front-end', 'user', 80);
    call('front-end', 'session-db', 6379); // upstream: none
    call('orders', 'carts', 80); // upstream: `cart`
    call('orders', 'user', 80);
    call('orders', 'payment', 80);
    call('orders', 'shipping', 80);
    call('carts', 'carts-db', 27017); // upstream: `cart`
    call('orders', 'orders-db', 27017);
    call('catalogue', 'catalogue-db', 3306);
    call('user', 'user-db', 27017);
    call('shipping', 'rabbitmq', 5672);
    call('queue-master', 'rabbitmq', 5672);
    // Upstream's front-end-access admits every source on 8079: the shop's own pods (below) and, instead of a
    // NodePort, the ingress controller.
    WorkloadConnections.of(w['front-end']).allowFrom(NetworkPeer.anyPodInNamespace(), { ports: [kplus.NetworkPolicyPort.tcp(8079)] });
    WorkloadConnections.of(w['front-end']).allowFrom(NetworkPeer.inNamespace(INGRESS_CONTROLLER.namespace,
      { podLabels: INGRESS_CONTROLLER.podLabels }), { ports: [kplus.NetworkPolicyPort.tcp(8079)] });
  }

  private addService(name: string, spec: ServiceSpec): void {
    // Upstream's probes: readiness every 3s; liveness on the same path but slower and more tolerant, so a busy pod
    // leaves the Service before it is restarted.
    const port = spec.ports[0].number;
    const readiness = spec.healthPath ? kplus.Probe.fromHttpGet(spec.healthPath, { port, periodSeconds: Duration.seconds(3) }) : undefined;
    const liveness = spec.healthPath ? kplus.Probe.fromHttpGet(spec.healthPath,
      { port, periodSeconds: Duration.seconds(10), failureThreshold: 6 }) : undefined;
    const workload = new HardenedDeployment(this, name, {
      metadata: { name },
      partOf: 'sock-shop',
      ...(spec.imageUser ? { runAsUser: 10001 } : {}),
      writablePaths: spec.writablePaths,
      containers: [{
        name,
        image: spec.image,
        ports: spec.ports,
        args: spec.args,
        envVariables: spec.env,
        volumeMounts: spec.volumeMounts,
        readiness,
        liveness,
        resources: spec.cpu && spec.memory ? {
          cpu: { request: kplus.Cpu.millis(spec.cpu.request), limit: kplus.Cpu.millis(spec.cpu.limit) },
          memory: { request: Size.mebibytes(spec.memory.request), limit: Size.mebibytes(spec.memory.limit) },
        } : undefined,
        // Listening on port 80 as uid 10001 needs this one capability, as upstream adds it (restricted Pod
        // Security allows exactly it); the other images listen on unprivileged ports.
        securityContext: spec.imageUser ? { capabilities: { add: [kplus.Capability.NET_BIND_SERVICE] } } : undefined,
      }, ...spec.sidecars ?? []],
      exemptions: spec.imageUser ? [{
        control: Controls.PRIVILEGED_PORT,
        reason: 'Upstream image listens on port 80 (its entrypoint passes --port=80); NET_BIND_SERVICE is the only capability added',
      }] : undefined,
    });
    this.workloads[name] = workload;
    const target = spec.ports[0].number;
    this.services[name] = workload.exposeViaService({
      name,
      ports: [{ port: spec.servicePort ?? target, targetPort: target, name: spec.ports[0].name ?? 'http' }, ...spec.extraServicePorts ?? []],
    });
  }
}

/** Builds the example app; `outdir` defaults to cdk8s's (`dist`, or CDK8S_OUTDIR). */
export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  new SockShopChart(app, 'sock-shop');
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
