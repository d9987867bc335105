/**
 * The bad-input matrix: one row per kind of bad input, each with the exact message expected. Every message names
 * the construct path in brackets, the field, the bad value and the fix (`[construct/path] field: bad value ...; how
 * to fix`), and no bad input may surface as a raw TypeError.

 */
import { ApiObject, Chart, Cron, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  Controls, ExemptionProps, Exemptions, HardenedCronJob, HardenedDaemonSet, HardenedDefaults, HardenedDeployment, HardenedJob, HardenedStatefulSet,
  IsolatedNamespace, LeastPrivilegeServiceAccount, NamespaceAccess, NamespaceQuota, NetworkPeer, Permission, PssVersion, RbacResource, ResourcePreset,
  Verb, Guard, WorkloadConnections,
} from '../../src';
import { expectSchemaValid } from '../helpers/schema';

const IMG = 'registry.example.com/shop/web:1.4.2';
const REASON = 'vendor image writes its pid file under /run; tracked with the vendor';

/** A chart in namespace `shop` (unless another is given; null for none), path `test`. */
function chart(namespace: string | null = 'shop'): Chart {
  return new Chart(Testing.app(), 'test', { namespace: namespace ?? undefined });
}

/** Builds and synthesizes a HardenedDeployment `test/web` with one container (image IMG, port 8080) and `props`. */
function deployment(props: Record<string, unknown> = {}, namespace?: string): () => void {
  return () => {
    const scope = chart(namespace);
    new HardenedDeployment(scope, 'web', { containers: [{ image: IMG, portNumber: 8080 }], ...props });
    expectSchemaValid(Testing.synth(scope));
  };
}

/** As `deployment`, with `container` merged into the one container. */
function withContainer(container: Record<string, unknown>): () => void {
  return deployment({ containers: [{ image: IMG, portNumber: 8080, ...container }] });
}

function statefulSet(props: Record<string, unknown>): () => void {
  return () => {
    const scope = chart();
    new HardenedStatefulSet(scope, 'db', { containers: [{ image: IMG, portNumber: 5432 }], ...props });
    expectSchemaValid(Testing.synth(scope));
  };
}

function cronJob(props: Record<string, unknown>): () => void {
  return () => {
    const scope = chart();
    new HardenedCronJob(scope, 'backup', { schedule: Cron.daily(), containers: [{ image: IMG }], ...props } as any);
    expectSchemaValid(Testing.synth(scope));
  };
}

function job(props: Record<string, unknown>): () => void {
  return () => {
    const scope = chart();
    new HardenedJob(scope, 'migrate', { containers: [{ image: IMG }], ...props });
    expectSchemaValid(Testing.synth(scope));
  };
}

function isolatedNamespace(props: Record<string, unknown>, id = 'shop'): () => void {
  return () => {
    const scope = new IsolatedNamespace(new Construct(Testing.app(), 'test'), id, props);
    expectSchemaValid(Testing.synth(scope));
  };
}

function account(props: Record<string, unknown>): () => void {
  return () => {
    const scope = chart();
    new LeastPrivilegeServiceAccount(scope, 'reader', props);
    expectSchemaValid(Testing.synth(scope));
  };
}

function exemption(props: Partial<ExemptionProps>): () => void {
  return deployment({ exemptions: [{ control: Controls.IMAGE_DIGEST, reason: REASON, ...props }] });
}

/** The error `run` throws: an Error, not a TypeError, nor one wrapping a TypeError. */
function errorOf(run: () => unknown): Error {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new Error('expected an error, but the input was accepted');
  if (!(error instanceof Error)) throw new Error(`expected an Error, got ${typeof error}: ${String(error)}`);
  if (error instanceof TypeError || /\bTypeError\b/.test(error.message)) throw new Error(`raw TypeError: ${error.message}`);
  return error;
}

/** [what, input, the exact message (a substring of the error: validation errors are prefixed)] */
type Row = [string, () => unknown, string];

function matrix(rows: Row[]): void {
  test.each(rows)('%s', (_what, run, message) => {
    expect(errorOf(run).message).toContain(message);
  });
}


describe('images', () => {
  matrix([
    ['no tag', withContainer({ image: 'nginx' }),
      '[test/web] containers[0]: image \'nginx\' has no tag or digest, so every pull may run different code; pin a version tag (\'nginx:1.2.3\') or a digest (\'nginx@sha256:...\')'],
    ['no tag, with a registry', withContainer({ image: 'registry.example.com/shop/web' }),
      '[test/web] containers[0]: image \'registry.example.com/shop/web\' has no tag or digest'],
    ['tag latest', withContainer({ image: 'nginx:latest' }),
      '[test/web] containers[0]: image \'nginx:latest\' uses the tag \'latest\', which moves; pin a version tag or a digest (\'...@sha256:...\')'],
    ['tag latest on an init container', deployment({ initContainers: [{ name: 'migrate', image: 'registry.example.com/shop/migrate:latest' }] }),
      '[test/web] initContainers[0] \'migrate\': image \'registry.example.com/shop/migrate:latest\' uses the tag \'latest\''],
    ['tag latest on a container added later', () => {
      const scope = chart();
      new HardenedDeployment(scope, 'web', { containers: [{ image: IMG, portNumber: 8080 }] }).addContainer({ name: 'sidecar', image: 'envoy:latest' });
    }, '[test/web] containers[1] \'sidecar\': image \'envoy:latest\' uses the tag \'latest\''],
    ['missing image', withContainer({ image: undefined }),
      '[test/web] containers[0]: image undefined is missing; set image to a reference with a version tag or digest, e.g. \'registry.example.com/app:1.2.3\''],
    ['empty image', withContainer({ image: '' }), '[test/web] containers[0]: image "" is missing'],
    ...[
      'NGINX:1.0', 'nginx:', ':1.0', 'nginx@sha256:abc', 'a b:1', 'https://registry.example.com/app:1', ' nginx:1', 'nginx:1 ',
      'registry.example.com//app:1', 'nginx:1.0:2', `nginx:${'x'.repeat(129)}`, `nginx@sha256:${'g'.repeat(64)}`,
    ].map((image): Row => [`malformed image ${JSON.stringify(image)}`, withContainer({ image }),
      `[test/web] containers[0]: image '${image}' is not a valid image reference; use [registry/]repository[:tag][@sha256:digest], e.g. 'registry.example.com/app:1.2.3'`]),
  ]);
});

describe('names that are not DNS-1123', () => {
  matrix([
    ...['Shop', 'shop_1', '-shop', 'shop-', 'a'.repeat(64), 'shop.example'].map((name): Row => [`namespace name ${JSON.stringify(name)}`, isolatedNamespace({ name }),
      `[test/shop] name: ${JSON.stringify(name)} is not a valid namespace name; use at most 63 lowercase letters, digits and '-', starting and ending alphanumeric, e.g. 'shop'`]),
    ['namespace name from the construct id', isolatedNamespace({}, 'Shop'),
      '[test/Shop] name (defaulted to the construct id): "Shop" is not a valid namespace name'],
    ['namespace default', isolatedNamespace({ name: 'default' }),
      '[test/shop] name: \'default\' is the namespace without isolation that mistakes land in (namespace-not-default); give the application a namespace of its own, e.g. \'shop\''],
    ['namespace kube-system', isolatedNamespace({ name: 'kube-system' }),
      '[test/shop] name: \'kube-system\' is reserved for Kubernetes\' own namespaces'],
    ['a workload\'s chart namespace', deployment({}, 'Shop'),
      '[test/web] metadata.namespace: "Shop" is not a namespace name (from metadata.namespace or the chart\'s namespace); use at most 63 lowercase letters, digits and \'-\', starting and ending alphanumeric, e.g. \'shop\''],
    ['a workload\'s metadata.namespace', deployment({ metadata: { namespace: 'shop_1' } }), '[test/web] metadata.namespace: "shop_1" is not a namespace name'],
    ['a Deployment name', deployment({ metadata: { name: 'Web_1' } }),
      '[test/web] metadata.name: "Web_1" is not a valid Deployment name; use at most 253 lowercase letters, digits, \'.\' and \'-\', starting and ending alphanumeric, or leave metadata.name out for a generated one'],
    ['a CronJob name longer than 52 characters', cronJob({ metadata: { name: 'a'.repeat(53) } }),
      `[test/backup] metadata.name: "${'a'.repeat(53)}" is not a valid CronJob name; use at most 52 lowercase letters`],
    ['a Job name longer than 63 characters', job({ metadata: { name: 'a'.repeat(64) } }),
      `[test/migrate] metadata.name: "${'a'.repeat(64)}" is not a valid Job name; use at most 63 lowercase letters`],
    ['a ServiceAccount name', account({ metadata: { name: 'Reader' } }), '[test/reader] metadata.name: "Reader" is not a valid ServiceAccount name'],
    ['a ServiceAccount namespace', account({ metadata: { namespace: 'Shop' } }), '[test/reader] metadata.namespace: "Shop" is not a namespace name'],
    ['a NamespaceAccess name', () => NamespaceAccess.viewer(chart(), 'testers', { metadata: { name: 'a/b' }, groups: ['testers'] }),
      '[test/testers] metadata.name: "a/b" is not a valid Role name; use a non-empty name without \'/\' or \'%\' (not \'.\' or \'..\')'],
    ...['Data', 'data_1', '-data', '', 'a'.repeat(64)].map((name): Row => [`volume claim name ${JSON.stringify(name)}`,
      statefulSet({ volumeClaims: [{ name, mountPath: '/data', storage: Size.gibibytes(1) }] }),
      `[test/db] volumeClaims[0].name: ${JSON.stringify(name)} is not a volume name; use at most 63 lowercase letters, digits and '-', starting and ending alphanumeric, e.g. 'data'`]),
    ['volume claim name taken by a writable path', statefulSet({ writablePaths: ['/data'], volumeClaims: [{ name: 'data', mountPath: '/srv', storage: Size.gibibytes(1) }] }),
      '[test/db] volumeClaims[0].name: \'data\' is already the name of another volume of this workload; give each claim its own name'],
    ['StorageClass name', statefulSet({ volumeClaims: [{ name: 'data', mountPath: '/data', storage: Size.gibibytes(1), storageClassName: 'Fast SSD' }] }),
      '[test/db] volumeClaims[0].storageClassName: "Fast SSD" is not a StorageClass name; use the name of a StorageClass of the cluster'],
    ['ingress namespace', isolatedNamespace({ allowIngressFrom: [{ toPodLabels: { 'app.kubernetes.io/name': 'frontend' }, fromNamespace: 'Ingress_Nginx', ports: [kplus.NetworkPolicyPort.tcp(80)] }] }),
      '[test/shop] allowIngressFrom[0].fromNamespace: "Ingress_Nginx" is not a namespace name; use the name of the namespace the traffic comes from, e.g. \'ingress-nginx\''],
    ['egress destination name', isolatedNamespace({ allowEgressTo: [{ name: 'Payments API', cidr: '203.0.113.0/24', ports: [kplus.NetworkPolicyPort.tcp(443)] }] }),
      '[test/shop] allowEgressTo[0].name: "Payments API" is not a DNS label; name the destination with at most 63 lowercase letters, digits and \'-\', e.g. \'payments-api\''],
    ['partOf label value', deployment({ partOf: 'The Shop' }),
      '[test/web] partOf: "The Shop" is not a valid label value; use at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending alphanumeric'],
  ]);
  matrix([
    ...['Web', 'web_1', '-web', 'a'.repeat(64)].map((name): Row => [`container name ${JSON.stringify(name)} (pod-hardening.ts)`, withContainer({ name }),
      `[test/web] containers[0] '${name}': name ${JSON.stringify(name)} is not a container name; use at most 63 lowercase letters, digits and '-', starting and ending alphanumeric, e.g. 'web'`]),
    ['two containers with one name (pod-hardening.ts)', deployment({ containers: [{ name: 'app', image: IMG, portNumber: 8080 }, { name: 'app', image: IMG, portNumber: 8081 }] }),
      '[test/web] containers[1] \'app\': name \'app\' is already the name of containers[0]; give each container its own name'],
  ]);
});

describe('ports', () => {
  matrix([
    ...[0, -1, 65536, 80.5].map((port): Row => [`container port ${port}`, withContainer({ portNumber: port }),
      `[test/web] containers[0]: port ${port} is not a port number; use an integer from 1 to 65535`]),
    ['a port in the ports list', withContainer({ portNumber: undefined, ports: [{ number: 8080 }, { number: 70000 }] }),
      '[test/web] containers[0]: port 70000 is not a port number; use an integer from 1 to 65535'],
    ['the same port in two containers of a StatefulSet', statefulSet({ containers: [{ name: 'a', image: IMG, portNumber: 5432 }, { name: 'b', image: IMG, portNumber: 5432 }] }),
      '[test/db] containers[1] \'b\': port 5432/TCP is already a port of '],
    ['one port name in two containers of a StatefulSet', statefulSet({ containers: [{ name: 'a', image: IMG, ports: [{ number: 5432, name: 'db' }] }, { name: 'b', image: IMG, ports: [{ number: 9187, name: 'db' }] }] }),
      '[test/db] containers[1] \'b\': port name \'db\' is already used by '],
    ['NetworkPolicyPort.allTcp() (port 0)', isolatedNamespace({ allowIngressFrom: [{ toPodLabels: { 'app.kubernetes.io/name': 'frontend' }, fromNamespace: 'ingress-nginx', ports: [kplus.NetworkPolicyPort.allTcp()] }] }),
      '[test/shop] allowIngressFrom[0].ports[0]: port 0 is not a port number (NetworkPolicyPort.allTcp() and allUdp() render port 0, which Kubernetes rejects: use tcpRange(1, 65535)); use an integer from 1 to 65535'],
    ['network policy port 70000', isolatedNamespace({ allowEgressTo: [{ name: 'api', cidr: '203.0.113.0/24', ports: [kplus.NetworkPolicyPort.tcp(70000)] }] }),
      '[test/shop] allowEgressTo[0].ports[0]: port 70000 is not a port number; use an integer from 1 to 65535'],
    ['network policy port range ending before it starts', isolatedNamespace({ allowEgressTo: [{ name: 'api', cidr: '203.0.113.0/24', ports: [kplus.NetworkPolicyPort.tcpRange(443, 80)] }] }),
      '[test/shop] allowEgressTo[0].ports[0]: port range 443-80 is not a range; use a start and an end port from 1 to 65535, the end no smaller than the start'],
    ['no network policy port', isolatedNamespace({ allowIngressFrom: [{ toPodLabels: { 'app.kubernetes.io/name': 'frontend' }, fromNamespace: 'ingress-nginx', ports: [] }] }),
      '[test/shop] allowIngressFrom[0].ports: [] names no port; allow specific ports, e.g. [kplus.NetworkPolicyPort.tcp(8080)]'],
  ]);
  matrix([
    ['the same port twice in one container (pod-hardening.ts; cdk8s-plus says so without the path)', withContainer({ portNumber: undefined, ports: [{ number: 8080 }, { number: 8080 }] }),
      '[test/web] containers[0]: port 8080/TCP is declared twice; declare each port once'],
    ['one port name twice in one container (pod-hardening.ts; cdk8s-plus says so without the path)', withContainer({ portNumber: undefined, ports: [{ number: 8080, name: 'http' }, { number: 8081, name: 'http' }] }),
      '[test/web] containers[0]: port name \'http\' is declared twice; give each port its own name'],
    ['the same port in two containers of a Deployment (pod-hardening.ts)', deployment({ containers: [{ name: 'a', image: IMG, portNumber: 8080 }, { name: 'b', image: IMG, portNumber: 8080 }] }),
      '[test/web] containers[1] \'b\': port 8080/TCP is already a port of containers[0] \'a\'; containers of a pod share one network namespace, so only one of them can listen on it: remove the port or use another number'],
    ['a port name Kubernetes rejects (pod-hardening.ts)', withContainer({ portNumber: undefined, ports: [{ number: 8080, name: 'HTTP_PORT' }] }),
      '[test/web] containers[0]: port name "HTTP_PORT" is not a port name; use at most 15 lowercase letters, digits and \'-\', with at least one letter, e.g. \'http\''],
    ['a probe on port 0 (pod-hardening.ts)', withContainer({ readiness: kplus.Probe.fromTcpSocket({ port: 0 }) }),
      '[test/web] containers[0] \'main\': readinessProbe port 0 is not a port number; use an integer from 1 to 65535'],
  ]);
});

describe('replicas and other counts', () => {
  matrix([
    ...[-1, 1.5, NaN].map((replicas): Row => [`Deployment replicas ${replicas}`, deployment({ replicas }),
      `[test/web] replicas: ${JSON.stringify(replicas)} is not a replica count; use an integer from 0, e.g. 2 (from 2 replicas the workload gets a PodDisruptionBudget and spreading across nodes)`]),
    ['StatefulSet replicas -2', statefulSet({ replicas: -2 }), '[test/db] replicas: -2 is not a replica count'],
    ['DaemonSet maxUnavailable 0', () => new HardenedDaemonSet(chart(), 'agent', { containers: [{ image: IMG, portNumber: 2020 }], maxUnavailable: kplus.PercentOrAbsolute.absolute(0) }),
      '[test/agent] maxUnavailable: 0 would stall or skip the rollout; use PercentOrAbsolute.absolute(n) with n >= 1 or PercentOrAbsolute.percent(p) with 1 <= p <= 100'],
    ['DaemonSet maxUnavailable 150%', () => new HardenedDaemonSet(chart(), 'agent', { containers: [{ image: IMG, portNumber: 2020 }], maxUnavailable: kplus.PercentOrAbsolute.percent(150) }),
      '[test/agent] maxUnavailable: "150%" would stall or skip the rollout'],
    ['Job backoffLimit -1', job({ backoffLimit: -1 }), '[test/migrate] backoffLimit: -1 is not a retry count; use an integer from 0, e.g. 3'],
    ['Job activeDeadline 0', job({ activeDeadline: Duration.seconds(0) }),
      '[test/migrate] activeDeadline: 0 seconds is not a whole number of seconds from 1; use e.g. Duration.minutes(10)'],
    ['CronJob successfulJobsRetained -1', cronJob({ successfulJobsRetained: -1 }),
      '[test/backup] successfulJobsRetained: -1 is not a number of finished runs to keep; use an integer from 0'],
    ['CronJob failedJobsRetained 0.5', cronJob({ failedJobsRetained: 0.5 }), '[test/backup] failedJobsRetained: 0.5 is not a number of finished runs to keep'],
    ['quota pods -1', isolatedNamespace({ quota: NamespaceQuota.of({ pods: -1 }) }), '[test/shop] quota.pods: -1 is not a count; use an integer from 0'],
    ['allowedLoadBalancers 1.5', isolatedNamespace({ allowedLoadBalancers: 1.5 }), '[test/shop] allowedLoadBalancers: 1.5 is not a count; use an integer from 0'],
    ['daemonSetNodes -3', isolatedNamespace({ quota: NamespaceQuota.fromWorkloads({ daemonSetNodes: -3 }) }), '[test/shop] quota.daemonSetNodes: -3 is not a count'],
  ]);

  test('zero replicas is a valid scale-down: accepted, with the replicas warning and no PodDisruptionBudget', () => {
    const scope = chart();
    new HardenedDeployment(scope, 'web', { replicas: 0, containers: [{ image: IMG, portNumber: 8080 }] });
    const manifests = Testing.synth(scope);
    expectSchemaValid(manifests);
    expect(manifests.find(m => m.kind === 'Deployment').spec.replicas).toBe(0);
    expect(manifests.filter(m => m.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(Guard.findings(scope).filter(f => f.controlId === 'replicas').map(f => f.severity)).toEqual(['warning']);
  });
});

describe('quantities', () => {
  const raw = (resources: Record<string, unknown>) => () => {
    const scope = chart();
    new ApiObject(scope, 'raw', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'raw' },
      spec: { selector: { matchLabels: { app: 'raw' } }, template: { metadata: { labels: { app: 'raw' } }, spec: { containers: [{ name: 'app', image: IMG, resources }] } } },
    });
    Guard.protect(scope);
    Testing.synth(scope);
  };
  matrix([
    ['claim storage below 1 MiB', statefulSet({ volumeClaims: [{ name: 'data', mountPath: '/data', storage: Size.kibibytes(512) }] }),
      '[test/db] volumeClaims[0].storage: 512Ki is not a whole, positive number of MiB; use e.g. Size.gibibytes(10)'],
    ['claim storage 0', statefulSet({ volumeClaims: [{ name: 'data', mountPath: '/data', storage: Size.gibibytes(0) }] }),
      '[test/db] volumeClaims[0].storage: 0Gi is not a whole, positive number of MiB'],
    ['a guarded manifest with memory 1.5Gb', raw({ requests: { 'cpu': '100m', 'memory': '1.5Gb', 'ephemeral-storage': '1Gi' } }),
      '[test/raw] resource-requests: Deployment shop/raw /spec/template/spec/containers/0/resources/requests/memory: containers[0] \'app\' has requests.memory "1.5Gb", not a quantity'],
    ['a guarded manifest with ephemeral-storage -1', raw({ requests: { 'cpu': '100m', 'memory': '1Gi', 'ephemeral-storage': '-1' } }),
      '[test/raw] resource-requests: Deployment shop/raw /spec/template/spec/containers/0/resources/requests/ephemeral-storage: containers[0] \'app\' has requests.ephemeral-storage "-1", not a positive quantity'],
    ['a custom preset with a negative amount', () => ResourcePreset.custom({ name: 'tiny', cpuMillis: { request: -1, limit: 100 }, memoryMebibytes: { request: 64, limit: 128 }, ephemeralStorageMebibytes: { request: 64, limit: 128 } }),
      'ResourcePreset \'tiny\': cpuMillis.request is -1; use a positive integer'],
    ['a custom preset with a fractional amount', () => ResourcePreset.custom({ name: 'tiny', cpuMillis: { request: 10, limit: 100 }, memoryMebibytes: { request: 1.5, limit: 128 }, ephemeralStorageMebibytes: { request: 64, limit: 128 } }),
      'ResourcePreset \'tiny\': memoryMebibytes.request is 1.5; use a positive integer'],
  ]);
  matrix([
    ['cpu Cpu.units(-1) (pod-hardening.ts: message without the path or field)', withContainer({ resources: { cpu: { request: kplus.Cpu.units(-1), limit: kplus.Cpu.units(1) } } }),
      '[test/web] containers[0]: resources.cpu.request \'-1\' is not a positive quantity; use e.g. kplus.Cpu.millis(250)'],
    ['cpu Cpu.millis(NaN) (pod-hardening.ts: message without the path or field)', withContainer({ resources: { cpu: { request: kplus.Cpu.millis(NaN), limit: kplus.Cpu.units(1) } } }),
      '[test/web] containers[0]: resources.cpu.request \'NaNm\' is not a positive quantity'],
    ['memory not in whole MiB (pod-hardening.ts: cdk8s says so without the path or field)', withContainer({ resources: { memory: { request: Size.kibibytes(1536), limit: Size.mebibytes(256) } } }),
      '[test/web] containers[0]: resources.memory.request 1536Ki is not a whole number of MiB; use e.g. Size.mebibytes(256)'],
  ]);
  test('ephemeral-storage in MiB is valid and rendered as given (cdk8s-plus-27 alone only renders whole GiB)', () => {
    const scope = chart();
    new HardenedDeployment(scope, 'web', { containers: [{ image: IMG, portNumber: 8080, resources: { ephemeralStorage: { request: Size.mebibytes(256), limit: Size.mebibytes(768) } } }] });
    const [container] = Testing.synth(scope).find(m => m.kind === 'Deployment').spec.template.spec.containers;
    expect([container.resources.requests['ephemeral-storage'], container.resources.limits['ephemeral-storage']]).toEqual(['256Mi', '768Mi']);
  });
});

describe('requests above limits', () => {
  matrix([
    ['cpu', withContainer({ resources: { cpu: { request: kplus.Cpu.millis(800), limit: kplus.Cpu.millis(400) } } }),
      '[test/web] containers[0]: resources.cpu request 800m exceeds limit 400m (values not set on the container come from preset \'small\'); set both resources.cpu.request and .limit, or choose a preset that fits'],
    ['cpu request above the preset\'s limit', withContainer({ resources: { cpu: { request: kplus.Cpu.units(2) } } }),
      '[test/web] containers[0]: resources.cpu request 2 exceeds limit 500m (values not set on the container come from preset \'small\')'],
    ['memory', withContainer({ resources: { memory: { request: Size.mebibytes(512), limit: Size.mebibytes(256) } } }),
      '[test/web] containers[0]: resources.memory request 512Mi exceeds limit 256Mi'],
    ['ephemeral-storage', withContainer({ resources: { ephemeralStorage: { request: Size.gibibytes(2), limit: Size.gibibytes(1) } } }),
      '[test/web] containers[0] \'main\': resources.ephemeralStorage request 2Gi exceeds limit 1Gi'],
    ['a custom preset', () => ResourcePreset.custom({ name: 'tiny', cpuMillis: { request: 200, limit: 100 }, memoryMebibytes: { request: 64, limit: 128 }, ephemeralStorageMebibytes: { request: 64, limit: 128 } }),
      'ResourcePreset \'tiny\': cpuMillis.request 200 exceeds cpuMillis.limit 100; a request must not exceed its limit'],
    ['a namespace quota', isolatedNamespace({ quota: NamespaceQuota.of({ memoryMebibytes: { request: 2048, limit: 1024 } }) }),
      '[test/shop] quota.memoryMebibytes: request 2048 and limit 1024 are not a range; give both, with the request no larger than the limit'],
    ['a namespace maximum below its defaults', isolatedNamespace({ containerDefaults: ResourcePreset.LARGE, containerMaximum: ResourcePreset.SMALL }),
      '[test/shop] containerMaximum: preset \'small\' limits cpu to 500m, below the container default 2; choose a maximum at least as large as containerDefaults'],
  ]);
});

describe('writable paths', () => {
  matrix([
    ...['var/cache', '', './cache'].map((path): Row => [`not absolute: ${JSON.stringify(path)}`, deployment({ writablePaths: [path] }),
      `[test/web] writablePaths[0]: ${JSON.stringify(path)} is not an absolute path; use a path such as '/var/cache/app'`]),
    ...['/var/cache/', '/var/../etc', '/', '/var//cache', '/var/./cache'].map((path): Row => [`not normalized: ${path}`, deployment({ writablePaths: [path] }),
      `[test/web] writablePaths[0]: '${path}' is not a normalized directory path; use a path such as '/var/cache/app' (no trailing '/', '.', '..' or '//', and not '/')`]),
    ['declared twice', deployment({ writablePaths: ['/var/cache', '/var/cache'] }),
      '[test/web] writablePaths[1]: \'/var/cache\' collides with writable path \'/var/cache\'; declare each writable directory once and not inside another'],
    ['inside another', deployment({ writablePaths: ['/var/cache', '/var/cache/nginx'] }),
      '[test/web] writablePaths[1]: \'/var/cache/nginx\' collides with writable path \'/var/cache\''],
    ['inside /tmp', deployment({ writablePaths: ['/tmp/app'] }),
      '[test/web] writablePaths[0]: \'/tmp/app\' collides with writable path \'/tmp\' (always mounted)'],
    ['a claim mounted over a writable path', statefulSet({ writablePaths: ['/data'], volumeClaims: [{ name: 'pgdata', mountPath: '/data/pg', storage: Size.gibibytes(1) }] }),
      '[test/db] volumeClaims[0].mountPath: \'/data/pg\' collides with writable path \'/data\''],
  ]);
});

describe('exemptions and controls', () => {
  const saved = process.env.CDK8S_HARDENED_TODAY;
  beforeAll(() => {
    process.env.CDK8S_HARDENED_TODAY = '2030-06-15';
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.CDK8S_HARDENED_TODAY; else process.env.CDK8S_HARDENED_TODAY = saved;
  });

  matrix([
    ['short reason', exemption({ reason: 'vendor image' }),
      '[test/web] exemptions[0] (image-digest): reason "vendor image" is 12 characters long; say why this weakening is acceptable here (at least 20 characters)'],
    ['empty reason', exemption({ reason: '' }), '[test/web] exemptions[0] (image-digest): reason "" is 0 characters long'],
    ['placeholder reason', exemption({ reason: 'TODO: fix later, for now' }), '[test/web] exemptions[0] (image-digest): reason "TODO: fix later, for now" is a placeholder'],
    ['the control\'s title as the reason', exemption({ reason: Controls.IMAGE_DIGEST.title }),
      `[test/web] exemptions[0] (image-digest): reason ${JSON.stringify(Controls.IMAGE_DIGEST.title)} only repeats the control's title`],
    ['a string instead of a control', exemption({ control: 'image-digest' as any }),
      '[test/web] exemptions[0]: control is the string "image-digest" (not a Control); name a catalog control, e.g. Controls.READ_ONLY_ROOT_FILESYSTEM'],
    ['no control', exemption({ control: undefined }), '[test/web] exemptions[0]: control is missing'],
    ['the same control twice at one scope', deployment({ exemptions: [{ control: Controls.IMAGE_DIGEST, reason: REASON }, { control: Controls.IMAGE_DIGEST, reason: REASON }] }),
      '[test/web] exemptions[1] (image-digest): this scope already exempts image-digest; keep one exemption per control and scope'],
    ['an empty ticket', exemption({ ticket: ' ' }), '[test/web] exemptions[0] (image-digest): ticket " " is empty; name an owner or ticket, or leave it out'],
    ...['2027-02-30', '2027/01/01', '27-01-01', 'tomorrow', '2027-1-1', '2027-13-01'].map((expires): Row => [`malformed date ${expires}`, exemption({ expires }),
      `[test/web] exemptions[0] (image-digest): expires ${JSON.stringify(expires)} is not a date; use YYYY-MM-DD (UTC), e.g. '2027-03-31'`]),
    ['expired (synthesis fails)', exemption({ expires: '2030-06-14' }),
      `[test/web] image-digest: exemption attached at [test/web] expired on 2030-06-14 (reason: ${REASON}); fix the finding and remove the exemption, or renew it with a new expiry after review`],
    ['expired, attached to a chart', () => {
      const scope = chart();
      Exemptions.of(scope).add({ control: Controls.IMAGE_DIGEST, reason: REASON, expires: '2029-12-31' });
      new HardenedDeployment(scope, 'web', { containers: [{ image: IMG, portNumber: 8080 }] });
      Testing.synth(scope);
    }, 'image-digest: exemption attached at [test] expired on 2029-12-31'],
    ['unknown control id', () => Controls.byId('no-such-control'), 'Unknown control id \'no-such-control\' (see docs/controls.md for the catalog)'],
    ['unknown control id, near a known one', () => Controls.byId('read-only-root'),
      'Unknown control id \'read-only-root\'; did you mean \'read-only-root-filesystem\'? (see docs/controls.md for the catalog)'],
  ]);

  test('an exemption expiring today is still valid', () => {
    expect(() => exemption({ expires: '2030-06-15' })()).not.toThrow();
  });

  test('a malformed CDK8S_HARDENED_TODAY is refused, naming the variable', () => {
    process.env.CDK8S_HARDENED_TODAY = '15/06/2030';
    try {
      expect(errorOf(exemption({ expires: '2030-06-15' })).message).toContain('CDK8S_HARDENED_TODAY is "15/06/2030"; use YYYY-MM-DD or unset it');
    } finally {
      process.env.CDK8S_HARDENED_TODAY = '2030-06-15';
    }
  });
});

describe('permissions', () => {
  const refused = (permissions: Permission[]) => account({ permissions });
  matrix([
    ['wildcard verb', refused([Permission.allow([Verb.ALL], RbacResource.CONFIG_MAPS)]),
      '[test/reader] 1 dangerous grant(s) refused:\n  permissions[0] (* on configmaps) is refused by rbac-wildcard: Role \'shop/test-reader-role-'],
    ['wildcard resource and group', refused([Permission.read(RbacResource.custom('*', '*'))]), 'permissions[0] (get, list, watch on * (*)) is refused by rbac-wildcard'],
    ['reading Secrets', refused([Permission.read(RbacResource.SECRETS)]), 'permissions[0] (get, list, watch on secrets) is refused by rbac-secrets-read'],
    ['exec into pods', refused([Permission.allow([Verb.CREATE], RbacResource.PODS.withSubresource('exec'))]), 'permissions[0] (create on pods/exec) is refused by rbac-pod-exec'],
    ['escalate', refused([Permission.allow([Verb.ESCALATE], RbacResource.ROLES)]), 'permissions[0] (escalate on roles (rbac.authorization.k8s.io)) is refused by rbac-escalation-verbs'],
    ['a cluster-scoped resource in a Role', refused([Permission.read(RbacResource.NODES)]),
      '[test/reader] permissions[0] (get, list, watch on nodes): nodes is cluster-scoped, which a Role cannot grant; move this permission to clusterPermissions'],
    ['names on create', () => Permission.allow([Verb.GET, Verb.CREATE], RbacResource.CONFIG_MAPS).withResourceNames('settings'),
      'Permission get, create on configmaps: withResourceNames: RBAC cannot restrict create by name'],
    ['a name with a slash', () => Permission.read(RbacResource.CONFIG_MAPS).withResourceNames('a/b'),
      'Permission get, list, watch on configmaps: withResourceNames: "a/b" is not an object name; use the metadata.name of the object, e.g. \'app-config\''],
    ['no verbs', () => Permission.allow([], RbacResource.CONFIG_MAPS), 'Permission.allow: no verbs; name at least one, e.g. [Verb.GET]'],
    ['an unknown verb', () => Permission.allow(['get', 'steal'] as any, RbacResource.CONFIG_MAPS), 'Permission.allow: verb "steal" is not a Verb; use a member of Verb, e.g. Verb.GET'],
    ['no resources', () => Permission.read(), 'Permission.read: no resources; name at least one, e.g. RbacResource.CONFIG_MAPS'],
    ['a malformed API group', () => RbacResource.custom('Cert Manager', 'certificates'),
      'RbacResource.custom: group "Cert Manager" is not an API group; use \'\' for the core group or a DNS name such as \'cert-manager.io\''],
    ['system:authenticated as a subject', () => NamespaceAccess.viewer(chart(), 'testers', { groups: ['system:authenticated'] }),
      '[test/testers] 1 dangerous grant(s) refused:\n  subject Group \'system:authenticated\' is refused by rbac-system-groups'],
  ]);
});

describe('conflicting options', () => {
  matrix([
    ['runAsUser and securityContext.user', deployment({ runAsUser: 10001, securityContext: { user: 10002 } }),
      '[test/web] runAsUser: 10001 conflicts with securityContext.user 10002; set only one of them'],
    ['runAsGroup and securityContext.group', deployment({ runAsGroup: 10001, securityContext: { group: 10002 } }),
      '[test/web] runAsGroup: 10001 conflicts with securityContext.group 10002; set only one of them'],
    ['a negative uid', deployment({ runAsUser: -1 }),
      '[test/web] runAsUser: -1 is not a numeric id; use an integer such as 65532 (kubelet can only verify non-root for numeric ids)'],
    ['restartPolicy Never on a Deployment', deployment({ restartPolicy: kplus.RestartPolicy.NEVER }),
      '[test/web] restartPolicy: \'Never\' is not allowed for a Deployment; leave it unset (Always)'],
    ['restartPolicy Always on a Job', job({ restartPolicy: kplus.RestartPolicy.ALWAYS }),
      '[test/migrate] restartPolicy: \'Always\' is not allowed for a Job, whose pods run to completion; leave it unset (Never) or use RestartPolicy.ON_FAILURE'],
    ['a TTL and history limits on a CronJob', cronJob({ ttlAfterFinished: Duration.hours(1), successfulJobsRetained: 2 }),
      '[test/backup] ttlAfterFinished: conflicts with successfulJobsRetained: the TTL would delete the runs the history limits keep; set either ttlAfterFinished or the history limits, not both'],
    ['token options on an account without permissions', account({ tokenExpiration: Duration.hours(1), tokenAudience: 'vault' }),
      '[test/reader] tokenAudience, tokenExpiration: the account has no permissions (nor clusterPermissions or clusterRolesInNamespace), so its pods get no API token to configure; remove it, or give the account the permissions it needs'],
    ['a token lifetime under 10 minutes', account({ permissions: [Permission.read(RbacResource.CONFIG_MAPS)], tokenExpiration: Duration.minutes(5) }),
      '[test/reader] tokenExpiration: 300 seconds is not a whole number of seconds from 600 (the API server\'s minimum) to 86400 (24 hours: tokens stay short-lived); use e.g. Duration.hours(1)'],
    ['permissions without a namespace', () => new LeastPrivilegeServiceAccount(chart(null), 'reader', { permissions: [Permission.read(RbacResource.CONFIG_MAPS)] }),
      '[test/reader] metadata.namespace is not set (and the chart has none), so no binding can name this account; set metadata.namespace or the chart\'s namespace'],
    ['a writable path where the API token is mounted', () => {
      const scope = chart();
      const reader = new LeastPrivilegeServiceAccount(scope, 'reader', { permissions: [Permission.read(RbacResource.CONFIG_MAPS)] });
      new HardenedDeployment(scope, 'web', { serviceAccount: reader, writablePaths: ['/var/run/secrets/kubernetes.io/serviceaccount'], containers: [{ image: IMG, portNumber: 8080 }] });
      Testing.synth(scope);
    }, '[test/web] containers[0] \'main\': volume \'var-run-secrets-kubernetes-io-serviceaccount\' is mounted at /var/run/secrets/kubernetes.io/serviceaccount, where the service account\'s API token is mounted; mount it elsewhere'],
    ['two egress destinations with one name', isolatedNamespace({
      allowEgressTo: [
        { name: 'api', cidr: '203.0.113.0/24', ports: [kplus.NetworkPolicyPort.tcp(443)] },
        { name: 'api', cidr: '198.51.100.0/24', ports: [kplus.NetworkPolicyPort.tcp(443)] },
      ],
    }), '[test/shop] allowEgressTo[1].name: \'api\' already names allowEgressTo[0] (both would be the NetworkPolicy allow-egress-to-api); give each destination its own name, or list both networks\' ports in one entry'],
    ['an except outside the CIDR', isolatedNamespace({ allowEgressTo: [{ name: 'api', cidr: '203.0.113.0/24', exceptCidrs: ['198.51.100.0/28'], ports: [kplus.NetworkPolicyPort.tcp(443)] }] }),
      '[test/shop] allowEgressTo[0].exceptCidrs[0]: "198.51.100.0/28" is not a CIDR block strictly inside 203.0.113.0/24; list only networks within cidr, with a longer prefix'],
    ['a malformed CIDR', isolatedNamespace({ allowEgressTo: [{ name: 'api', cidr: '203.0.113.0/33', ports: [kplus.NetworkPolicyPort.tcp(443)] }] }),
      '[test/shop] allowEgressTo[0].cidr: "203.0.113.0/33" is not a CIDR block; use an address and prefix length, e.g. \'203.0.113.0/24\' or \'2001:db8::/32\''],
    ['empty podLabels', isolatedNamespace({ allowIngressFrom: [{ toPodLabels: { 'app.kubernetes.io/name': 'frontend' }, fromNamespace: 'ingress-nginx', podLabels: {}, ports: [kplus.NetworkPolicyPort.tcp(80)] }] }),
      '[test/shop] allowIngressFrom[0].podLabels: {} selects every pod; leave podLabels out to mean every pod of \'ingress-nginx\', or name labels'],
    ['no access mode on a claim', statefulSet({ volumeClaims: [{ name: 'data', mountPath: '/data', storage: Size.gibibytes(1), accessModes: [] }] }),
      '[test/db] volumeClaims[0].accessModes: [] names no access mode; leave it out ([PersistentVolumeAccessMode.READ_WRITE_ONCE]) or list at least one'],
  ]);
  matrix([
    ['a volume named like a writable path\'s emptyDir (pod-hardening.ts: cdk8s-plus says so at synthesis, without the field)', () => {
      const scope = chart();
      const volume = kplus.Volume.fromEmptyDir(scope, 'scratch', 'tmp');
      new HardenedDeployment(scope, 'web', { containers: [{ image: IMG, portNumber: 8080, volumeMounts: [{ path: '/scratch', volume }] }] });
      Testing.synth(scope);
    }, '[test/web] containers[0]: volume \'tmp\' has the name of the emptyDir of writable path \'/tmp\'; give the volume another name'],
  ]);
});

describe('CronJob schedules and deadlines', () => {
  matrix([
    ...[
      ['61 * * * *', 'minute 61 is outside 0-59'], ['0 24 * * *', 'hour 24 is outside 0-23'], ['0 0 0 * *', 'day of month 0 is outside 1-31'],
      ['0 0 * 13 *', 'month 13 is outside 1-12'], ['0 0 * * 7', 'day of week 7 is outside 0-6'], ['*/0 * * * *', 'minute step 0 never fires'],
      ['30-10 * * * *', 'minute range \'30-10\' ends before it starts'], ['0 0 * * FUNDAY', 'day of week \'FUNDAY\' is not a number or a name'],
      ['0 0 * *', '4 fields instead of 5'], ['@fortnightly', 'unknown descriptor \'@fortnightly\''],
      ['TZ=Europe/Paris 0 2 * * *', 'a time zone in the schedule is refused; use the timeZone prop'],
    ].map(([expression, problem]): Row => [`schedule '${expression}'`, cronJob({ schedule: { expressionString: expression } }),
      `[test/backup] schedule: '${expression}' is not a cron schedule Kubernetes accepts (${problem}); use five fields 'minute hour day-of-month month day-of-week', e.g. Cron.daily() or Cron.schedule({ minute: '30', hour: '2' })`]),
    ['no schedule', cronJob({ schedule: undefined }),
      '[test/backup] schedule: missing is not a schedule; give one, e.g. Cron.daily() or Cron.schedule({ minute: \'30\', hour: \'2\' })'],
    ['no props at all', () => new (HardenedCronJob as any)(chart(), 'backup'),
      '[test/backup] props: undefined has no schedule; pass { schedule: Cron.schedule({ minute: \'30\', hour: \'2\' }), containers: [...] }'],
    ['a starting deadline under 10 seconds', cronJob({ startingDeadline: Duration.seconds(5) }),
      '[test/backup] startingDeadline: 5 seconds is not a whole number of seconds from 10 (the CronJob controller checks schedules every 10 seconds); use e.g. Duration.minutes(5), or leave it out (300 seconds)'],
    ['a starting deadline in fractions of a second', cronJob({ startingDeadline: Duration.millis(12500) }),
      '[test/backup] startingDeadline: 12.5 seconds is not a whole number of seconds from 10'],
  ]);

  test.each(['@daily', '@every 1h30m', '0 2 * * MON-FRI', '*/15 9-17 * * 1-5', '0 0 1 JAN,JUL ?', '0 0 1-15/2 * *'])('schedule %s is accepted', expression => {
    expect(() => cronJob({ schedule: { expressionString: expression } })()).not.toThrow();
  });
});

describe('ill-typed props from plain JavaScript: an Error naming the field, never a TypeError', () => {
  matrix([
    ['IsolatedNamespace allowIngressFrom not a list', isolatedNamespace({ allowIngressFrom: 'ingress-nginx' }),
      '[test/shop] allowIngressFrom: "ingress-nginx" is not a list; give a list of entries, or leave it out'],
    ['IsolatedNamespace allowEgressTo [null]', isolatedNamespace({ allowEgressTo: [null] }),
      '[test/shop] allowEgressTo[0]: null is not an entry; give { name, cidr, exceptCidrs?, ports }'],
    ['IsolatedNamespace quota a number', isolatedNamespace({ quota: 20 }),
      '[test/shop] quota: 20 is not a NamespaceQuota; use e.g. NamespaceQuota.of() or NamespaceQuota.fromWorkloads(), or leave it out'],
    ['IsolatedNamespace podSecurityLevel a string', isolatedNamespace({ podSecurityLevel: 'baseline' }),
      '[test/shop] podSecurityLevel: "baseline" is not a PodSecurityLevel; use e.g. PodSecurityLevel.RESTRICTED, or leave it out'],
    ['IsolatedNamespace containerDefaults a string', isolatedNamespace({ containerDefaults: 'small' }), '[test/shop] containerDefaults: "small" is not a ResourcePreset'],
    ['LeastPrivilegeServiceAccount tokenExpiration a number', account({ permissions: [Permission.read(RbacResource.CONFIG_MAPS)], tokenExpiration: 3600 }),
      '[test/reader] tokenExpiration: 3600 is not a Duration; use e.g. Duration.hours(1)'],
    ['HardenedStatefulSet volumeClaims not a list', statefulSet({ volumeClaims: { name: 'data' } }),
      '[test/db] volumeClaims: {"name":"data"} is not a list; give [{ name, mountPath, storage }], or leave it out'],
    ['HardenedStatefulSet volumeClaims [null]', statefulSet({ volumeClaims: [null] }), '[test/db] volumeClaims[0]: null is not a claim; give { name, mountPath, storage }'],
    ['HardenedCronJob startingDeadline a number', cronJob({ startingDeadline: 300 }), '[test/backup] startingDeadline: 300 is not a Duration; use e.g. Duration.minutes(5)'],
  ]);
  matrix([
    ['containers not a list (pod-hardening.ts)', deployment({ containers: { image: IMG } }), '[test/web] containers: {"image":"registry.example.com/shop/web:1.4.2"} is not a list'],
    ['writablePaths a string (pod-hardening.ts)', deployment({ writablePaths: '/data' }), '[test/web] writablePaths: "/data" is not a list'],
    ['writablePaths a number (pod-hardening.ts)', deployment({ writablePaths: 1 }), '[test/web] writablePaths: 1 is not a list'],
    ['exemptions not a list (pod-hardening.ts)', deployment({ exemptions: {} }), '[test/web] exemptions: {} is not a list'],
    ['resourcePreset a string (pod-hardening.ts)', deployment({ resourcePreset: 'small' }), '[test/web] resourcePreset: "small" is not a ResourcePreset'],
    ['partOf null (pod-hardening.ts)', deployment({ partOf: null }), '[test/web] partOf: null is not a valid label value'],
    ['ports not a list (pod-hardening.ts)', withContainer({ portNumber: undefined, ports: 8080 }), '[test/web] containers[0]: ports 8080 is not a list of ports'],
    ['volumeMounts [null] (pod-hardening.ts)', withContainer({ volumeMounts: [null] }), '[test/web] containers[0]: volumeMounts [null] is not a list of mounts'],
    ['Job activeDeadline a number (pod-hardening.ts)', job({ activeDeadline: 600 }), '[test/migrate] activeDeadline: 600 is not a Duration; use e.g. Duration.minutes(10)'],
    ['an undefined capability, e.g. kplus.Capability.ALL, which cdk8s-plus-27 lacks (pod-hardening.ts)',
      withContainer({ securityContext: { capabilities: { drop: [(kplus.Capability as any).ALL] } } }),
      '[test/web] containers[0] \'main\': securityContext.capabilities.drop[0] is undefined, not a capability name'],
  ]);
});

describe('declared connections, scope-wide defaults and look-ups: plain-JavaScript shapes too; static functions name themselves', () => {
  /** A chart `test` (namespace shop) with HardenedDeployments web (port 8080) and api (port 9000). */
  function workloads(): { scope: Chart; web: HardenedDeployment; api: HardenedDeployment } {
    const scope = chart();
    const web = new HardenedDeployment(scope, 'web', { containers: [{ image: IMG, portNumber: 8080 }] });
    const api = new HardenedDeployment(scope, 'api', { containers: [{ image: IMG, portNumber: 9000 }] });
    return { scope, web, api };
  }
  /** `WorkloadConnections.of(web).allowTo(NetworkPeer.workload(api), options)`, synthesized. */
  const toApi = (options: unknown) => () => {
    const { scope, web, api } = workloads();
    WorkloadConnections.of(web).allowTo(NetworkPeer.workload(api), options as any);
    Testing.synth(scope);
  };
  /** `HardenedDefaults.set(chart, props)`, then a HardenedDeployment, synthesized. */
  const defaults = (props: unknown, onApp = false) => () => {
    const scope = chart();
    HardenedDefaults.set(onApp ? scope.node.root : scope, props as any);
    new HardenedDeployment(scope, 'web', { containers: [{ image: IMG, portNumber: 8080 }] });
    Testing.synth(scope);
  };
  const ALLOW = '; use NetworkPeer.workload(w), NetworkPeer.inNamespace(name, { podLabels }) or NetworkPeer.cidr(cidr)';

  matrix([
    ['NetworkPeer.inNamespace options null', () => NetworkPeer.inNamespace('a', null as any),
      'NetworkPeer.inNamespace(\'a\'): options null is not an options object; pass { podLabels: { ... } } or leave options out'],
    ['NetworkPeer.inNamespace options a string', () => NetworkPeer.inNamespace('ingress-nginx', 'app=nginx' as any),
      'NetworkPeer.inNamespace(\'ingress-nginx\'): options "app=nginx" is not an options object'],
    ['NetworkPeer.inNamespace podLabels a list', () => NetworkPeer.inNamespace('ingress-nginx', { podLabels: ['app'] as any }),
      'NetworkPeer.inNamespace(\'ingress-nginx\'): podLabels ["app"] is not a map of labels; give e.g. { \'app.kubernetes.io/name\': \'ingress-nginx\' }, or leave podLabels out to mean every pod of the namespace'],
    ['NetworkPeer.inNamespace without a name', () => NetworkPeer.inNamespace(undefined as any),
      'NetworkPeer.inNamespace: name undefined is not a namespace name; use the name of the namespace, e.g. \'ingress-nginx\''],
    ['NetworkPeer.cidr options null', () => NetworkPeer.cidr('10.0.0.0/8', null as any),
      'NetworkPeer.cidr(\'10.0.0.0/8\'): options null is not an options object; pass { exceptCidrs: [...] } or leave options out'],
    ['NetworkPeer.cidr exceptCidrs not a list', () => NetworkPeer.cidr('10.0.0.0/8', { exceptCidrs: '10.1.0.0/16' as any }),
      'NetworkPeer.cidr(\'10.0.0.0/8\'): exceptCidrs "10.1.0.0/16" is not a list; give a list of CIDR blocks inside 10.0.0.0/8, e.g. [\'169.254.169.254/32\'], or leave exceptCidrs out'],
    ['NetworkPeer.cidr without a CIDR', () => NetworkPeer.cidr(undefined as any),
      'NetworkPeer.cidr: cidr undefined is not a CIDR block; use an address and prefix length, e.g. \'203.0.113.0/24\' or \'2001:db8::/32\''],
    ['NetworkPeer.workload of nothing', () => NetworkPeer.workload(undefined as any),
      'NetworkPeer.workload: workload undefined is not a cdk8s-plus workload or pod; pass e.g. a HardenedDeployment'],
    ['NetworkPeer.fromPolicyPeer of null', () => NetworkPeer.fromPolicyPeer(null as any),
      'NetworkPeer.fromPolicyPeer: peer null is neither a pod selector nor an ip block; pass a workload, kplus.Pods.select(...), kplus.Namespaces.select(...) or a kplus.NetworkPolicyIpBlock'],
    ['WorkloadConnections.of a chart', () => WorkloadConnections.of(chart() as any),
      'WorkloadConnections.of: workload construct \'test\' is not a cdk8s-plus workload or pod; pass e.g. a HardenedDeployment'],
  ]);

  matrix([
    ['allowTo options null', toApi(null),
      '[test/web] allowTo(workload test/api): options null is not an options object; pass e.g. { ports: [kplus.NetworkPolicyPort.tcp(8080)] }, or leave options out'],
    ['allowFrom options null', () => {
      const { web, api } = workloads();
      WorkloadConnections.of(web).allowFrom(NetworkPeer.workload(api), null as any);
    }, '[test/web] allowFrom(workload test/api): options null is not an options object'],
    ['allowTo options a list', toApi([kplus.NetworkPolicyPort.tcp(9000)]), '[test/web] allowTo(workload test/api): options [{"port":{"value":9000},"protocol":"TCP"}] is not an options object'],
    ['allowTo a null peer', () => WorkloadConnections.of(workloads().web).allowTo(null as any), `[test/web] allowTo: peer null is not a NetworkPeer${ALLOW}`],
    ['allowFrom no peer', () => WorkloadConnections.of(workloads().web).allowFrom(undefined as any), `[test/web] allowFrom: peer undefined is not a NetworkPeer${ALLOW}`],
    ['allowTo a workload, not a NetworkPeer', () => {
      const { web, api } = workloads();
      WorkloadConnections.of(web).allowTo(api as any);
    }, `[test/web] allowTo: peer construct 'test/api' is not a NetworkPeer${ALLOW}`],
    ['ports a single port, not a list', toApi({ ports: kplus.NetworkPolicyPort.tcp(9000) }),
      '[test/web] allowTo(workload test/api): ports {"port":{"value":9000},"protocol":"TCP"} is not a list; give a list of ports, e.g. [kplus.NetworkPolicyPort.tcp(8080)], or leave ports out to derive them'],
    ['ports a string', toApi({ ports: '9000' }), '[test/web] allowTo(workload test/api): ports "9000" is not a list'],
    ['ports []', toApi({ ports: [] }),
      '[test/web] allowTo(workload test/api): ports [] names no port; leave ports out to derive them, or allow specific ports, e.g. [kplus.NetworkPolicyPort.tcp(8080)]'],
    ['ports [9000] (a number, not a NetworkPolicyPort)', toApi({ ports: [9000] }),
      '[test/web] allowTo(workload test/api): ports[0] 9000 is not a NetworkPolicyPort; use e.g. kplus.NetworkPolicyPort.tcp(8080)'],
    ['port 70000', toApi({ ports: [kplus.NetworkPolicyPort.tcp(70000)] }),
      '[test/web] allowTo(workload test/api): ports[0] port 70000 is not a port number; use an integer from 1 to 65535'],
    ['port -1 on allowFrom', () => {
      const { web } = workloads();
      WorkloadConnections.of(web).allowFrom(NetworkPeer.inNamespace('ingress-nginx'), { ports: [kplus.NetworkPolicyPort.udp(-1)] });
    }, '[test/web] allowFrom(pods of namespace \'ingress-nginx\'): ports[0] port -1 is not a port number; use an integer from 1 to 65535'],
    ['port 0 (NetworkPolicyPort.allTcp())', toApi({ ports: [kplus.NetworkPolicyPort.allTcp()] }),
      '[test/web] allowTo(workload test/api): ports[0] port 0 is not a port number (NetworkPolicyPort.allTcp() and allUdp() render port 0, which Kubernetes rejects: use tcpRange(1, 65535)); use an integer from 1 to 65535'],
    ['a port range ending before it starts', toApi({ ports: [kplus.NetworkPolicyPort.tcpRange(9443, 9000)] }),
      '[test/web] allowTo(workload test/api): ports[0] range 9443-9000 is not a port range; use a start and an end port from 1 to 65535, the end no smaller than the start'],
    ['egress to a CIDR without ports', () => WorkloadConnections.of(workloads().web).allowTo(NetworkPeer.cidr('203.0.113.0/24')),
      '[test/web] allowTo(addresses 203.0.113.0/24): ports are required: the peer is not a workload of the app whose containers would give them; pass e.g. { ports: [kplus.NetworkPolicyPort.tcp(443)] }'],
    ['derived ports from a workload without container ports (synthesis)', () => {
      const { scope, web } = workloads();
      const migrate = new HardenedJob(scope, 'migrate', { containers: [{ image: IMG }] });
      WorkloadConnections.of(web).allowTo(NetworkPeer.workload(migrate));
      Testing.synth(scope);
    }, 'allowTo(workload test/migrate): test/migrate declares no container port to derive the allowed ports from; declare the container\'s port (portNumber) or pass e.g. { ports: [kplus.NetworkPolicyPort.tcp(8080)] }'],
  ]);

  matrix([
    ['HardenedDefaults.set resourcePreset a string (was a TypeError at synthesis)', defaults({ resourcePreset: 'x' }),
      '[test] HardenedDefaults.set: resourcePreset "x" is not a ResourcePreset; use e.g. ResourcePreset.SMALL or ResourcePreset.custom({...}), or leave it out'],
    ['HardenedDefaults.set allowedRegistries a string (was a TypeError at synthesis)', defaults({ allowedRegistries: 'x' }),
      '[test] HardenedDefaults.set: allowedRegistries "x" is not a list; give registry hosts or host/path prefixes, e.g. [\'registry.example.com\', \'ghcr.io/my-org\'], or leave it out (no allow-list)'],
    ['HardenedDefaults.set allowedRegistries with a URL', defaults({ allowedRegistries: ['registry.example.com', 'https://ghcr.io/my-org'] }),
      '[test] HardenedDefaults.set: allowedRegistries[1] "https://ghcr.io/my-org" is not a registry; give a host[:port] with an optional repository path prefix and no scheme, tag or digest, e.g. \'registry.example.com\' or \'ghcr.io/my-org\''],
    ['HardenedDefaults.set allowedRegistries with a tagged image', defaults({ allowedRegistries: ['registry.example.com/shop/web:1.4.2'] }),
      '[test] HardenedDefaults.set: allowedRegistries[0] "registry.example.com/shop/web:1.4.2" is not a registry'],
    ['HardenedDefaults.set allowedRegistries [1] (was a silent mismatch at synthesis)', defaults({ allowedRegistries: [1] }),
      '[test] HardenedDefaults.set: allowedRegistries[0] 1 is not a registry'],
    ['HardenedDefaults.set pssVersion a string (was a TypeError at synthesis)', defaults({ pssVersion: 'v1.29' }),
      '[test] HardenedDefaults.set: pssVersion "v1.29" is not a PssVersion; use e.g. PssVersion.V1_29 or PssVersion.of(\'v1.29\'), or leave it out (v1.27)'],
    ['HardenedDefaults.set pssVersion a number', defaults({ pssVersion: 29 }), '[test] HardenedDefaults.set: pssVersion 29 is not a PssVersion'],
    ['HardenedDefaults.set props null', defaults(null),
      '[test] HardenedDefaults.set: props null is not an object; pass e.g. { resourcePreset: ResourcePreset.MEDIUM, pssVersion: PssVersion.V1_29 }'],
    ['HardenedDefaults.set an unknown field (was silently ignored)', defaults({ preset: ResourcePreset.LARGE }),
      '[test] HardenedDefaults.set: \'preset\' is not a default this library has; set only resourcePreset, pssVersion, allowedRegistries'],
    ['HardenedDefaults.set on the app', defaults({ resourcePreset: 'large' }, true), '[(the app)] HardenedDefaults.set: resourcePreset "large" is not a ResourcePreset'],
    ['HardenedDefaults.set without a scope', () => HardenedDefaults.set(undefined as any, { resourcePreset: ResourcePreset.LARGE }),
      'HardenedDefaults.set: scope undefined is not a construct; pass the App, a Chart or another construct the defaults apply below'],
    ['HardenedDefaults.of without a scope', () => HardenedDefaults.of(null as any), 'HardenedDefaults.of: scope null is not a construct'],
    ['PssVersion.of(undefined)', () => PssVersion.of(undefined as any),
      'PssVersion.of: version undefined is not a string; give a version such as \'v1.27\' (v1.25 to v1.33), or use a constant such as PssVersion.V1_27'],
    ['PssVersion.of(123)', () => PssVersion.of(123 as any), 'PssVersion.of: version 123 is not a string'],
    ['PssVersion.of(\'latest\')', () => PssVersion.of('latest'),
      'PssVersion.of: PSS version \'latest\' is not supported; use one of v1.25 to v1.33 (never \'latest\': pin the version your clusters run)'],
    ['Controls.byId(undefined)', () => Controls.byId(undefined as any),
      'Controls.byId: id undefined is not a control id; give a catalog id such as \'read-only-root-filesystem\', or use the catalog member, e.g. Controls.READ_ONLY_ROOT_FILESYSTEM (see docs/controls.md for the catalog)'],
    ['Controls.byId(\'\')', () => Controls.byId(''), 'Controls.byId: id "" is not a control id'],
  ]);
});
