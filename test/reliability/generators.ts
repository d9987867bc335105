/**
 * Generators of random VALID and INVALID props for every public construct, and the properties the reliability
 * tests assert on them.
 *
 * The generators draw every choice from a `Draw`, so the same code runs under fast-check (`drawOf(g)` over
 * `fc.gen()`, in properties.test.ts: shrinking, seed printed on failure) and under a fixed-seed PRNG
 * (`seededDraw(seed)`, in sweep.test.ts, which needs no extra dependency). In every `pick`, the first value is
 * the simplest, the one shrinking moves towards.
 */
import { App, Chart, Cron, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  Controls, ExemptionProps, FindingStatus, Guard, HardenedCronJob, HardenedDaemonSet, HardenedDeployment, HardenedJob,
  HardenedStatefulSet, IsolatedNamespace, LeastPrivilegeServiceAccount, NamespaceQuota, Permission, PodSecurityLevel,
  RbacResource, ResourcePreset, Severity, Verb,
} from '../../src';
import { expectSchemaValid } from '../helpers/schema';

/** The source of every random choice. */
export interface Draw {
  /** An integer from `min` to `max`, both included. */
  int(min: number, max: number): number;
  /** true or false. */
  bool(): boolean;
  /** One of `values` (the first is the simplest). */
  pick<T>(values: readonly T[]): T;
}

/** A deterministic Draw (mulberry32): the same seed always draws the same values. */
/* eslint-disable no-bitwise */ // mulberry32 is defined by its 32-bit integer operations
export function seededDraw(seed: number): Draw {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return { int, bool: () => next() < 0.5, pick: values => values[int(0, values.length - 1)] };
}
/* eslint-enable no-bitwise */

/** A generated input: how to build it, and what it was, for failure messages. */
export interface Case {
  /** The construct kind and the props, as JSON (classes shown by name). */
  readonly description: string;
  /** Builds the constructs into a fresh app; `scope` is the chart to synthesize and guard. */
  build(): { scope: Chart };
}

/** An invalid input: building or synthesizing it must throw an Error naming `path` and matching `field`. */
export interface InvalidCase extends Case {
  /** Construct path the error must name, as `[path]` or `[path/...]`. */
  readonly path: string;
  /** The field (and what is wrong with it) the message must name. */
  readonly field: RegExp;
}

/** Every kind the generators cover. */
export const KINDS = [
  'HardenedDeployment', 'HardenedStatefulSet', 'HardenedDaemonSet', 'HardenedJob', 'HardenedCronJob',
  'IsolatedNamespace', 'LeastPrivilegeServiceAccount',
] as const;
export type Kind = typeof KINDS[number];

// ---------------------------------------------------------------------------------------------------------------
// The properties

/** Synthesis succeeds, every object is schema-valid and the guard reports no failing error. */
export function expectValid(c: Case): void {
  let scope: Chart;
  let manifests: any[];
  try {
    scope = c.build().scope;
    manifests = Testing.synth(scope);
    expectSchemaValid(manifests);
  } catch (e) {
    throw new Error(`valid input was refused: ${(e as Error).message}\n  input: ${c.description}`);
  }
  const errors = Guard.findings(scope).filter(f => f.severity === Severity.ERROR && f.status === FindingStatus.FAIL);
  if (errors.length > 0) {
    throw new Error(`guard errors on valid input:\n  ${errors.map(Guard.formatFinding).join('\n  ')}\n  input: ${c.description}`);
  }
  if (manifests.length === 0) {
    throw new Error(`valid input synthesized nothing\n  input: ${c.description}`);
  }
}

/** Building or synthesizing throws an Error (never a TypeError) naming the construct path and the field. */
export function expectRefused(c: InvalidCase): void {
  let error: unknown;
  try {
    const { scope } = c.build();
    const manifests = Testing.synth(scope);
    expectSchemaValid(manifests);
  } catch (e) {
    error = e;
  }
  if (error === undefined) {
    throw new Error(`invalid input was accepted (expected an error naming [${c.path}] and ${c.field})\n  input: ${c.description}`);
  }
  if (!(error instanceof Error) || error instanceof TypeError || /\bTypeError\b/.test(error.message)) {
    throw new Error(`invalid input raised a raw ${error instanceof Error ? error.constructor.name : typeof error}: ${String((error as Error)?.message ?? error)}\n  input: ${c.description}`);
  }
  const message = error.message;
  if (!message.includes(`[${c.path}]`) && !message.includes(`[${c.path}/`)) {
    throw new Error(`the error does not name the construct path [${c.path}]: ${message}\n  input: ${c.description}`);
  }
  if (!c.field.test(message)) {
    throw new Error(`the error does not name the field ${c.field}: ${message}\n  input: ${c.description}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Building blocks

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const HEX = '0123456789abcdef';

function chars(d: Draw, alphabet: string, min: number, max: number): string {
  let s = '';
  for (let i = d.int(min, max); i > 0; i--) s += alphabet[d.int(0, alphabet.length - 1)];
  return s;
}

/** A DNS-1123 label: a letter, then letters, digits and inner '-'. */
export function dnsLabel(d: Draw, max = 10): string {
  const middle = chars(d, ALNUM + '-', 0, Math.max(0, max - 2));
  return `${chars(d, LETTERS, 1, 1)}${middle}${max > 1 ? chars(d, ALNUM, 1, 1) : ''}`;
}

/** A namespace name Kubernetes accepts and the library does not refuse (not default, not kube-*). */
function namespaceName(d: Draw): string {
  return `ns-${dnsLabel(d, 8)}`;
}

const REGISTRIES = ['registry.example.com', 'registry.example.com:5000', 'ghcr.io', 'localhost:5000', '10.0.0.7:5000', 'quay.io'];

/** A pinned image: a tag, a digest, or both; from a registry or Docker Hub. */
export function image(d: Draw): string {
  const registry = d.pick([...REGISTRIES, undefined]);
  const component = () => `${chars(d, LETTERS, 1, 1)}${chars(d, ALNUM, 0, 6)}${d.pick(['', '', `${d.pick(['.', '_', '__', '-', '--'])}${chars(d, ALNUM, 1, 4)}`])}`;
  const repository = Array.from({ length: d.int(1, 3) }, component).join('/');
  const tag = d.pick([
    () => `${d.int(0, 30)}.${d.int(0, 99)}.${d.int(0, 999)}`,
    () => `v${d.int(1, 9)}`,
    () => `${d.int(1, 20)}.${d.int(0, 9)}-alpine`,
    () => `2024.${String(d.int(1, 12)).padStart(2, '0')}.${String(d.int(1, 28)).padStart(2, '0')}`,
    () => `stable_${d.int(1, 99)}`,
  ])();
  const digest = `sha256:${chars(d, HEX, 64, 64)}`;
  const name = registry ? `${registry}/${repository}` : repository;
  return d.pick([`${name}:${tag}`, `${name}@${digest}`, `${name}:${tag}@${digest}`]);
}

/** Port numbers not used yet by the pod (containers share one network namespace). */
function freshPort(d: Draw, used: Set<number>): number {
  let port = d.pick([8080, d.int(1024, 65535), d.int(1, 1023)]);
  while (used.has(port)) port = port >= 65535 ? 1 : port + 1;
  used.add(port);
  return port;
}

const PRESETS = [undefined, ResourcePreset.SMALL, ResourcePreset.MICRO, ResourcePreset.MEDIUM, ResourcePreset.LARGE];

function preset(d: Draw): ResourcePreset | undefined {
  if (!d.bool()) return d.pick(PRESETS);
  const range = (min: number, max: number) => {
    const request = d.int(min, max);
    return { request, limit: d.int(request, max * 2) };
  };
  const ephemeral = range(64, 1024);
  return ResourcePreset.custom({
    name: `custom-${dnsLabel(d, 5)}`,
    cpuMillis: range(10, 1000),
    memoryMebibytes: range(16, 2048),
    ephemeralStorageMebibytes: ephemeral,
    scratchMebibytes: d.pick([undefined, d.int(1, ephemeral.limit)]),
  });
}

/** Explicit resources: none, or a request no larger than its limit (cpu, memory; ephemeral-storage in whole GiB). */
function resources(d: Draw): kplus.ContainerResources | undefined {
  if (!d.bool()) return undefined;
  const cpu = d.bool() ? (() => {
    const request = d.int(10, 2000);
    return { request: kplus.Cpu.millis(request), limit: kplus.Cpu.millis(d.int(request, 4000)) };
  })() : undefined;
  const memory = d.bool() ? (() => {
    const request = d.int(16, 2048);
    return { request: Size.mebibytes(request), limit: Size.mebibytes(d.int(request, 8192)) };
  })() : undefined;
  // cdk8s-plus-27 renders ephemeral-storage only in whole GiB.
  const ephemeralStorage = d.bool() ? (() => {
    const request = d.int(1, 4);
    return { request: Size.gibibytes(request), limit: Size.gibibytes(d.int(request, 8)) };
  })() : undefined;
  return { cpu, memory, ephemeralStorage };
}

const ENV_NAMES = ['LOG_LEVEL', 'FEATURE_FLAGS', 'LISTEN_ADDRESS', 'CACHE_SIZE', 'REGION'];

/** One container: pinned image, fresh ports (at least one when `needsPort`), maybe resources, env and probes. */
function container(d: Draw, index: number, ports: Set<number>, needsPort: boolean, longRunning: boolean): kplus.ContainerProps {
  const name = index === 0 ? d.pick([undefined, `c0-${dnsLabel(d, 6)}`]) : `c${index}-${dnsLabel(d, 6)}`;
  const count = d.int(needsPort ? 1 : 0, 2);
  const numbers = Array.from({ length: count }, () => freshPort(d, ports));
  const portProps: Partial<kplus.ContainerProps> = count === 0 ? {} : count === 1 && d.bool()
    ? { portNumber: numbers[0] }
    : { ports: numbers.map((number, j) => ({ number, name: d.bool() ? `p${index}-${j}` : undefined })) };
  const env = Object.fromEntries(Array.from({ length: d.int(0, 2) }, (_, j) => [ENV_NAMES[(index + j) % ENV_NAMES.length], kplus.EnvValue.fromValue(d.pick(['info', 'debug', '1', 'eu-west-1']))]));
  const probes = longRunning && count > 0 && d.bool()
    ? { readiness: kplus.Probe.fromHttpGet('/ready', { port: numbers[0] }), liveness: kplus.Probe.fromHttpGet('/healthz', { port: numbers[0] }) }
    : {};
  const ids = d.bool() ? { securityContext: { user: d.int(10000, 65535), group: d.int(10000, 65535) } } : {};
  return {
    name,
    image: image(d),
    ...portProps,
    ...probes,
    ...ids,
    resources: resources(d),
    envVariables: Object.keys(env).length > 0 ? env : undefined,
  };
}

/** Writable paths: distinct first components, so none is inside another, none under /tmp. */
function writablePaths(d: Draw): string[] | undefined {
  const count = d.int(0, 3);
  if (count === 0) return d.pick([undefined, []]);
  return Array.from({ length: count }, (_, k) => `/w${k}-${dnsLabel(d, 6)}${d.bool() ? `/${dnsLabel(d, 6)}` : ''}`);
}

const EXEMPTABLE = [Controls.IMAGE_DIGEST, Controls.PRIVILEGED_PORT, Controls.REPLICAS, Controls.PROBES];

function exemptions(d: Draw): ExemptionProps[] | undefined {
  if (!d.bool()) return undefined;
  return [{
    control: d.pick(EXEMPTABLE),
    reason: d.pick(['reviewed by the platform team: the image is rebuilt from a pinned base', 'accepted for this service until the vendor ships a fix']),
    ticket: d.pick([undefined, `SEC-${d.int(1, 9999)}`]),
    expires: d.pick([undefined, `2999-${String(d.int(1, 12)).padStart(2, '0')}-${String(d.int(1, 28)).padStart(2, '0')}`]),
  }];
}

/** The props every hardened workload shares: containers, ids, preset, writable paths, labels, exemptions. */
function workloadProps(d: Draw, longRunning: boolean, needsPort: boolean): Record<string, any> {
  const ports = new Set<number>();
  const containers = Array.from({ length: d.int(1, 3) }, (_, i) => container(d, i, ports, needsPort && i === 0, longRunning));
  const ids = d.pick([
    () => ({}),
    () => ({ runAsUser: d.int(10000, 65535), runAsGroup: d.int(10000, 65535) }),
    () => ({ securityContext: { user: d.int(10000, 65535), group: d.int(10000, 65535) } }),
  ])();
  return {
    containers,
    initContainers: d.bool() ? [{ name: 'init', image: image(d), resources: resources(d) }] : undefined,
    ...ids,
    resourcePreset: preset(d),
    writablePaths: writablePaths(d),
    partOf: d.pick([undefined, dnsLabel(d, 12)]),
    exemptions: exemptions(d),
    metadata: d.bool() ? {
      labels: { [`team.example.com/${dnsLabel(d, 5)}`]: dnsLabel(d, 8) },
      annotations: { 'example.com/owner': d.pick(['payments', 'Team Shop <shop@example.com>']) },
    } : undefined,
    podMetadata: d.bool() ? { labels: { tier: d.pick(['web', 'api', 'batch']) } } : undefined,
  };
}

/** JSON with class instances shown by their name and fields, for failure messages. */
export function describe(kind: string, props: unknown): string {
  return `${kind} ${JSON.stringify(props, (_key, value) => {
    if (value instanceof Duration) return `Duration(${value.toSeconds({ integral: false })}s)`;
    if (value instanceof Size) return `Size(${value.asString()})`;
    if (value && typeof value === 'object' && 'expressionString' in value) return `Cron('${value.expressionString}')`;
    if (value && typeof value === 'object' && 'id' in value && 'severity' in value) return `Control(${value.id})`;
    if (value instanceof Permission) return `Permission(${value})`;
    if (value instanceof ResourcePreset) return `ResourcePreset(${value.name})`;
    if (value instanceof kplus.NetworkPolicyPort) return `NetworkPolicyPort(${JSON.stringify(value._toKube())})`;
    if (value instanceof kplus.PercentOrAbsolute) return `PercentOrAbsolute(${JSON.stringify(value.value)})`;
    return value;
  })}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Valid inputs per kind

/** A workload spec: kind, its props, the chart namespace and the construct id. */
interface WorkloadSpec {
  readonly kind: Kind;
  readonly namespace?: string;
  readonly id: string;
  readonly props: Record<string, any>;
}

function workloadSpec(d: Draw, kind: Kind): WorkloadSpec {
  const id = d.pick(['web', dnsLabel(d, 8)]);
  const namespace = namespaceName(d);
  switch (kind) {
    case 'HardenedDeployment':
      return { kind, id, namespace, props: { ...workloadProps(d, true, true), replicas: d.pick([undefined, 2, 3, 1, 0, 5]) } };
    case 'HardenedStatefulSet': {
      const claims = Array.from({ length: d.int(0, 2) }, (_, k) => ({
        name: `claim-${k}`,
        mountPath: `/c${k}-${dnsLabel(d, 6)}`,
        storage: d.pick([Size.gibibytes(d.int(1, 100)), Size.mebibytes(d.int(1, 4096))]),
        storageClassName: d.pick([undefined, 'standard', 'fast-ssd', 'ebs.csi.aws.com']),
        accessModes: d.pick([undefined, [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE], [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE_POD]]),
      }));
      return { kind, id, namespace, props: { ...workloadProps(d, true, true), replicas: d.pick([undefined, 2, 3, 1]), volumeClaims: claims } };
    }
    case 'HardenedDaemonSet':
      return {
        kind,
        id,
        namespace,
        props: {
          ...workloadProps(d, true, true),
          maxUnavailable: d.pick([undefined, kplus.PercentOrAbsolute.absolute(d.int(1, 5)), kplus.PercentOrAbsolute.percent(d.int(1, 100))]),
        },
      };
    case 'HardenedJob':
      return {
        kind,
        id,
        namespace,
        props: {
          ...workloadProps(d, false, false),
          restartPolicy: d.pick([undefined, kplus.RestartPolicy.NEVER, kplus.RestartPolicy.ON_FAILURE]),
          backoffLimit: d.pick([undefined, d.int(0, 10)]),
          activeDeadline: d.pick([undefined, Duration.seconds(d.int(1, 7200))]),
          ttlAfterFinished: d.pick([undefined, Duration.seconds(d.int(0, 86400))]),
        },
      };
    case 'HardenedCronJob': {
      const ttl = d.bool();
      return {
        kind,
        id,
        namespace,
        props: {
          ...workloadProps(d, false, false),
          schedule: d.pick([
            () => Cron.daily(),
            () => Cron.schedule({ minute: String(d.int(0, 59)), hour: String(d.int(0, 23)) }),
            () => Cron.schedule({ minute: `*/${d.int(1, 30)}`, weekDay: d.pick(['1-5', 'MON-FRI', '0,6', '*']) }),
            () => Cron.schedule({ minute: '0', hour: `${d.int(0, 11)}-${d.int(12, 23)}`, day: String(d.int(1, 28)), month: d.pick(['*', 'JAN', '1-6/2']) }),
            () => Cron.hourly(),
            () => Cron.weekly(),
          ])(),
          concurrencyPolicy: d.pick([undefined, kplus.ConcurrencyPolicy.FORBID, kplus.ConcurrencyPolicy.REPLACE]),
          startingDeadline: d.pick([undefined, Duration.seconds(d.int(10, 3600))]),
          restartPolicy: d.pick([undefined, kplus.RestartPolicy.NEVER, kplus.RestartPolicy.ON_FAILURE]),
          backoffLimit: d.pick([undefined, d.int(0, 10)]),
          activeDeadline: d.pick([undefined, Duration.minutes(d.int(1, 120))]),
          ...(ttl
            ? { ttlAfterFinished: d.pick([undefined, Duration.seconds(d.int(0, 86400))]) }
            : { successfulJobsRetained: d.pick([undefined, d.int(0, 5)]), failedJobsRetained: d.pick([undefined, d.int(0, 5)]) }),
        },
      };
    }
    default:
      throw new Error(`not a workload kind: ${kind}`);
  }
}

/** Builds a hardened workload of the spec's kind. */
export function buildWorkload(scope: Construct, kind: Kind, id: string, props: any): Construct {
  switch (kind) {
    case 'HardenedDeployment': return new HardenedDeployment(scope, id, props);
    case 'HardenedStatefulSet': return new HardenedStatefulSet(scope, id, props);
    case 'HardenedDaemonSet': return new HardenedDaemonSet(scope, id, props);
    case 'HardenedJob': return new HardenedJob(scope, id, props);
    case 'HardenedCronJob': return new HardenedCronJob(scope, id, props);
    default: throw new Error(`not a workload kind: ${kind}`);
  }
}

function workloadCase(spec: WorkloadSpec): Case {
  return {
    description: describe(spec.kind, { chartNamespace: spec.namespace, id: spec.id, ...spec.props }),
    build: () => {
      const scope = new Chart(Testing.app(), 'test', { namespace: spec.namespace });
      buildWorkload(scope, spec.kind, spec.id, spec.props);
      return { scope };
    },
  };
}

/** A NetworkPolicyPort Kubernetes accepts. */
function policyPort(d: Draw): kplus.NetworkPolicyPort {
  return d.pick([
    () => kplus.NetworkPolicyPort.tcp(d.int(1, 65535)),
    () => kplus.NetworkPolicyPort.udp(d.int(1, 65535)),
    () => {
      const start = d.int(1, 65000);
      return kplus.NetworkPolicyPort.tcpRange(start, d.int(start, 65535));
    },
  ])();
}

/** An IPv4 CIDR block with its host bits zero, and maybe an `except` strictly inside it. */
function cidr(d: Draw): { cidr: string; exceptCidrs?: string[] } {
  const prefix = d.int(8, 24);
  const block = 2 ** (32 - prefix);
  const base = Math.floor((d.int(1, 223) * 2 ** 24 + d.int(0, 2 ** 24 - 1)) / block) * block;
  const dotted = (n: number) => [3, 2, 1, 0].map(k => Math.floor(n / 256 ** k) % 256).join('.');
  const inner = prefix + d.int(1, 8);
  return { cidr: `${dotted(base)}/${prefix}`, exceptCidrs: d.bool() ? [`${dotted(base)}/${inner}`] : undefined };
}

interface NamespaceSpec {
  readonly id: string;
  readonly props: Record<string, any>;
  readonly workloads: Array<{ id: string; props: any }>;
}

function namespaceSpec(d: Draw): NamespaceSpec {
  const id = d.pick(['shop', dnsLabel(d, 8)]);
  const level = d.pick([PodSecurityLevel.RESTRICTED, PodSecurityLevel.BASELINE, PodSecurityLevel.PRIVILEGED]);
  const containerDefaults = d.pick([undefined, ResourcePreset.SMALL, ResourcePreset.MICRO, ResourcePreset.MEDIUM]);
  const egressNames = new Set<string>();
  const props = {
    name: d.pick([undefined, namespaceName(d)]),
    podSecurityLevel: d.pick([undefined, level]),
    allowIngressFrom: Array.from({ length: d.int(0, 2) }, () => ({
      fromNamespace: d.pick(['ingress-nginx', namespaceName(d)]),
      podLabels: d.pick([undefined, { 'app.kubernetes.io/name': dnsLabel(d, 10) }]),
      ports: Array.from({ length: d.int(1, 2) }, () => policyPort(d)),
    })),
    allowEgressTo: Array.from({ length: d.int(0, 2) }, (_, k) => {
      let name = `dest-${k}-${dnsLabel(d, 6)}`;
      while (egressNames.has(name)) name += 'x';
      egressNames.add(name);
      return { name, ...cidr(d), ports: Array.from({ length: d.int(1, 2) }, () => policyPort(d)) };
    }),
    quota: d.pick([
      () => undefined,
      () => NamespaceQuota.fromWorkloads(),
      () => NamespaceQuota.of({ pods: d.int(20, 60) }),
    ])(),
    allowedLoadBalancers: d.pick([undefined, 0, d.int(1, 3)]),
    allowedNodePorts: d.pick([undefined, 0, d.int(1, 10)]),
    containerDefaults,
    containerMaximum: d.pick([undefined, ResourcePreset.LARGE]),
    exemptions: level !== PodSecurityLevel.RESTRICTED
      ? [{ control: Controls.NAMESPACE_PSA_LABELS, reason: 'the node agents of this namespace need the baseline level; reviewed in PLAT-12' }]
      : undefined,
  };
  // Workloads inside use the namespace's container defaults, so they fit its quota and LimitRange.
  const workloads = Array.from({ length: d.int(0, 2) }, (_, k) => {
    const ports = new Set<number>();
    return {
      id: `app-${k}`,
      props: {
        containers: [container(d, 0, ports, true, true)].map(c => ({ ...c, resources: undefined })),
        resourcePreset: containerDefaults,
        replicas: d.pick([undefined, 2, 3]),
        writablePaths: writablePaths(d),
      },
    };
  });
  return { id, props, workloads };
}

function namespaceCase(spec: NamespaceSpec): Case {
  return {
    description: describe('IsolatedNamespace', { id: spec.id, ...spec.props, workloads: spec.workloads }),
    build: () => {
      const scope = new IsolatedNamespace(new Construct(Testing.app(), 'test'), spec.id, spec.props);
      for (const w of spec.workloads) new HardenedDeployment(scope, w.id, w.props);
      return { scope };
    },
  };
}

const SAFE_RESOURCES = [
  RbacResource.CONFIG_MAPS, RbacResource.SERVICES, RbacResource.ENDPOINTS, RbacResource.EVENTS, RbacResource.LEASES,
  RbacResource.DEPLOYMENTS, RbacResource.JOBS, RbacResource.ENDPOINT_SLICES, RbacResource.PODS_LOG,
  RbacResource.custom('example.com', 'widgets'), RbacResource.custom('example.com', 'widgets', 'status'),
];
const SAFE_VERBS = [Verb.GET, Verb.LIST, Verb.WATCH, Verb.UPDATE, Verb.PATCH, Verb.DELETE, Verb.CREATE];

function permission(d: Draw): Permission {
  const granted = Array.from({ length: d.int(1, 3) }, () => d.pick(SAFE_RESOURCES));
  const base = d.pick([
    () => Permission.read(...granted),
    () => Permission.readWrite(...granted),
    () => Permission.allow(Array.from({ length: d.int(1, 3) }, () => d.pick(SAFE_VERBS)), ...granted),
  ])();
  const named = base.verbs.every(v => v !== Verb.CREATE && v !== Verb.DELETECOLLECTION) && d.bool();
  return named ? base.withResourceNames(...Array.from({ length: d.int(1, 3) }, () => dnsLabel(d, 12))) : base;
}

interface AccountSpec {
  readonly namespace: string;
  readonly id: string;
  readonly props: Record<string, any>;
  readonly withWorkload: boolean;
}

function accountSpec(d: Draw): AccountSpec {
  const permissions = Array.from({ length: d.int(0, 4) }, () => permission(d));
  const hasPermissions = permissions.length > 0;
  return {
    namespace: namespaceName(d),
    id: d.pick(['account', dnsLabel(d, 8)]),
    withWorkload: d.bool(),
    props: {
      permissions: hasPermissions || d.bool() ? permissions : undefined,
      clusterPermissions: hasPermissions && d.bool() ? [Permission.read(RbacResource.NAMESPACES)] : undefined,
      tokenExpiration: hasPermissions ? d.pick([undefined, Duration.seconds(d.int(600, 86400)), Duration.hours(d.int(1, 24))]) : undefined,
      tokenAudience: hasPermissions ? d.pick([undefined, 'https://kubernetes.default.svc.cluster.local', 'vault']) : undefined,
      metadata: d.bool() ? { labels: { team: dnsLabel(d, 6) }, annotations: { 'example.com/purpose': 'reads its settings' } } : undefined,
      exemptions: hasPermissions && d.bool()
        ? [{ control: Controls.RBAC_CLUSTER_SCOPE, reason: 'lists namespaces to discover tenants; reviewed by the platform team' }]
        : undefined,
    },
  };
}

function accountCase(spec: AccountSpec): Case {
  return {
    description: describe('LeastPrivilegeServiceAccount', { chartNamespace: spec.namespace, id: spec.id, withWorkload: spec.withWorkload, ...spec.props }),
    build: () => {
      const scope = new Chart(Testing.app(), 'test', { namespace: spec.namespace });
      const account = new LeastPrivilegeServiceAccount(scope, spec.id, spec.props);
      if (spec.withWorkload) {
        new HardenedDeployment(scope, 'user', { serviceAccount: account, containers: [{ image: 'registry.example.com/app:1.0.0', portNumber: 8080 }] });
      }
      return { scope };
    },
  };
}

/** A random valid input of `kind`. */
export function validCase(d: Draw, kind: Kind): Case {
  switch (kind) {
    case 'IsolatedNamespace': return namespaceCase(namespaceSpec(d));
    case 'LeastPrivilegeServiceAccount': return accountCase(accountSpec(d));
    default: return workloadCase(workloadSpec(d, kind));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Invalid inputs: a valid input with exactly one fault injected

/** A fault: changes valid props into invalid ones, and the field the error must name. */
type Fault<T> = (d: Draw, props: T) => { props: T; field: RegExp };

const BAD_IMAGES: Array<(d: Draw) => string> = [
  d => `registry.example.com/${dnsLabel(d, 8)}`,
  d => `registry.example.com/${dnsLabel(d, 8)}:latest`,
  d => `${dnsLabel(d, 6)}:latest`,
  d => `registry.example.com/${dnsLabel(d, 6).toUpperCase()}X:1.0`,
  d => `registry.example.com/${dnsLabel(d, 6)}:`,
  d => `:${d.int(1, 9)}.0`,
  d => `registry.example.com/${dnsLabel(d, 6)}@sha256:${chars(d, HEX, 1, 63)}`,
  d => `registry.example.com/${dnsLabel(d, 6)}:1.0 `,
  d => `https://registry.example.com/${dnsLabel(d, 6)}:1.0`,
  d => `registry.example.com//${dnsLabel(d, 6)}:1.0`,
  d => `registry.example.com/${dnsLabel(d, 6)}:${'x'.repeat(129)}`,
  () => '',
];

const withFirstContainer = (props: any, change: Record<string, unknown>) => ({
  ...props, containers: [{ ...props.containers[0], ...change }, ...props.containers.slice(1)],
});

/** Faults any hardened workload refuses. */
const WORKLOAD_FAULTS: Array<Fault<any>> = [
  (d, props) => ({ props: withFirstContainer(props, { image: d.pick(BAD_IMAGES)(d) }), field: /containers\[0\].*: image /s }),
  (d, props) => ({
    props: withFirstContainer(props, { portNumber: d.pick([0, -d.int(1, 65535), 65535 + d.int(1, 100000), d.int(1, 1000) + 0.5]), ports: undefined }),
    field: /containers\[0\].*: port -?[0-9.]+ is not a port number/s,
  }),
  (d, props) => ({
    props: { ...props, writablePaths: [d.pick(['var/cache', 'tmp', '', './x', `/${dnsLabel(d, 5)}/`, `/a/../${dnsLabel(d, 5)}`, '/', `//${dnsLabel(d, 5)}`])] },
    field: /writablePaths\[0\]: .* (is not an absolute path|is not a normalized directory path)/,
  }),
  (d, props) => {
    const path = `/w-${dnsLabel(d, 6)}`;
    const second = d.pick([path, `${path}/${dnsLabel(d, 4)}`, `/tmp/${dnsLabel(d, 4)}`]);
    return { props: { ...props, writablePaths: [path, second] }, field: /writablePaths\[1\]: .* collides with writable path/ };
  },
  (d, props) => ({
    props: { ...props, securityContext: undefined, runAsUser: d.pick([-d.int(1, 1000), 10000.5, 2 ** 31]) },
    field: /runAsUser: -?[0-9.e+]+ is not a numeric id/,
  }),
  (d, props) => {
    const user = d.int(10000, 60000);
    return {
      props: { ...props, runAsUser: user, securityContext: { user: user + d.int(1, 1000) } },
      field: /runAsUser: \d+ conflicts with securityContext\.user \d+; set only one of them/,
    };
  },
  (d, props) => ({ props: { ...props, partOf: d.pick(['Bad Value', '-starts-with-dash', 'a'.repeat(64), 'ends.']) }, field: /partOf: .* is not a valid label value/ }),
  (d, props) => ({
    props: { ...props, exemptions: [{ control: Controls.IMAGE_DIGEST, reason: d.pick(['', 'too short', 'TODO', 'n/a n/a n/a n/a n/a n/a n/a', 'TBD later fixme todo xxx', '                           ']) }] },
    field: /exemptions\[0\] \(image-digest\): reason .* (characters long|is a placeholder)/,
  }),
  (d, props) => ({
    props: { ...props, exemptions: [{ control: Controls.IMAGE_DIGEST, reason: 'images are pinned by tag and rebuilt weekly', expires: d.pick(['2027-02-30', '2027/01/01', 'tomorrow', '27-01-01', '2027-13-01']) }] },
    field: /exemptions\[0\] \(image-digest\): expires .* is not a date/,
  }),
  (d, props) => ({
    props: { ...props, exemptions: [{ control: Controls.IMAGE_DIGEST, reason: 'images are pinned by tag and rebuilt weekly', expires: `${d.int(1990, 2020)}-01-01` }] },
    field: /image-digest: exemption attached at \[[^\]]+\] expired on \d{4}-01-01/,
  }),
  (d, props) => {
    const request = d.int(2, 4000);
    return {
      props: withFirstContainer(props, {
        resources: { cpu: { request: kplus.Cpu.millis(request), limit: kplus.Cpu.millis(d.int(1, request - 1)) } },
      }),
      field: /containers\[0\].*: resources\.cpu request \d+m exceeds limit \d+m/s,
    };
  },
  (d, props) => {
    const request = d.int(2, 4000);
    return {
      props: withFirstContainer(props, { resources: { memory: { request: Size.mebibytes(request), limit: Size.mebibytes(d.int(1, request - 1)) } } }),
      field: /containers\[0\].*: resources\.memory request \d+Mi exceeds limit \d+Mi/s,
    };
  },
  (d, props) => ({
    props: { ...props, metadata: { ...props.metadata, namespace: d.pick(['Shop', 'shop_1', '-shop', 'a'.repeat(64)]) } },
    field: /metadata\.namespace: .* is not a namespace name/,
  }),
  (d, props) => ({
    props: { ...props, metadata: { ...props.metadata, name: d.pick(['Web', 'web_1', '-web', 'web-', 'a'.repeat(254)]) } },
    field: /metadata\.name: .* is not a valid \w+ name/,
  }),
];

const EXTRA_FAULTS: Partial<Record<Kind, Array<Fault<any>>>> = {
  HardenedDeployment: [
    (d, props) => ({ props: { ...props, replicas: d.pick([-d.int(1, 10), 1.5, NaN]) }, field: /replicas: .* is not a replica count/ }),
  ],
  HardenedStatefulSet: [
    (d, props) => ({ props: { ...props, replicas: d.pick([-d.int(1, 10), 2.5]) }, field: /replicas: .* is not a replica count/ }),
    (d, props) => ({
      props: { ...props, volumeClaims: [{ name: d.pick(['Data', 'data_1', '-data', '', 'a'.repeat(64)]), mountPath: '/data', storage: Size.gibibytes(1) }] },
      field: /volumeClaims\[0\]\.name: .* is not a volume name/,
    }),
    (d, props) => ({
      props: { ...props, volumeClaims: [{ name: 'data', mountPath: d.pick(['data', '/data/', '/tmp']), storage: Size.gibibytes(1) }] },
      field: /volumeClaims\[0\]\.mountPath: .* (is not an absolute path|is not a normalized|collides)/,
    }),
    (d, props) => ({
      props: { ...props, volumeClaims: [{ name: 'data', mountPath: '/data', storage: d.pick([Size.mebibytes(0), Size.kibibytes(d.int(1, 1023))]) }] },
      field: /volumeClaims\[0\]\.storage: .* is not a whole, positive number of MiB/,
    }),
    (d, props) => ({
      props: { ...props, volumeClaims: [{ name: 'data', mountPath: '/data', storage: Size.gibibytes(1), storageClassName: d.pick(['Fast SSD', 'fast_ssd', '']) }] },
      field: /volumeClaims\[0\]\.storageClassName: .* is not a StorageClass name/,
    }),
    (_d, props) => ({
      props: { ...props, volumeClaims: [{ name: 'data', mountPath: '/data', storage: Size.gibibytes(1), accessModes: [] }] },
      field: /volumeClaims\[0\]\.accessModes: \[\] names no access mode/,
    }),
  ],
  HardenedDaemonSet: [
    (d, props) => ({
      props: {
        ...props,
        maxUnavailable: d.pick([
          kplus.PercentOrAbsolute.absolute(0), kplus.PercentOrAbsolute.absolute(-d.int(1, 5)),
          kplus.PercentOrAbsolute.percent(0), kplus.PercentOrAbsolute.percent(d.int(101, 500)),
        ]),
      },
      field: /maxUnavailable: .* would stall or skip the rollout/,
    }),
  ],
  HardenedJob: [
    (d, props) => ({ props: { ...props, backoffLimit: d.pick([-d.int(1, 10), 1.5]) }, field: /backoffLimit: .* is not a retry count/ }),
    (d, props) => ({ props: { ...props, activeDeadline: d.pick([Duration.seconds(0), Duration.millis(1500)]) }, field: /activeDeadline: .* is not a whole number of seconds/ }),
    (_d, props) => ({ props: { ...props, restartPolicy: kplus.RestartPolicy.ALWAYS }, field: /restartPolicy: 'Always' is not allowed for a Job/ }),
  ],
  HardenedCronJob: [
    (d, props) => ({ props: { ...props, startingDeadline: d.pick([Duration.seconds(d.int(0, 9)), Duration.millis(10500)]) }, field: /startingDeadline: .* is not a whole number of seconds from 10/ }),
    (d, props) => ({
      props: { ...props, ttlAfterFinished: undefined, successfulJobsRetained: d.pick([-d.int(1, 5), 0.5]) },
      field: /successfulJobsRetained: .* is not a number of finished runs to keep/,
    }),
    (d, props) => ({
      props: {
        ...props,
        schedule: d.pick([
          Cron.schedule({ minute: String(d.int(60, 99)) }),
          Cron.schedule({ hour: String(d.int(24, 99)) }),
          Cron.schedule({ day: '0' }),
          Cron.schedule({ month: '13' }),
          Cron.schedule({ weekDay: '7' }),
          Cron.schedule({ minute: '*/0' }),
          Cron.schedule({ minute: '30-10' }),
          Cron.schedule({ weekDay: 'FUNDAY' }),
          { expressionString: '* * * *' } as Cron,
          { expressionString: '@fortnightly' } as Cron,
          { expressionString: 'TZ=Europe/Paris 0 2 * * *' } as Cron,
        ]),
      },
      field: /schedule: '.*' is not a cron schedule Kubernetes accepts/,
    }),
    (d, props) => ({
      props: { ...props, ttlAfterFinished: Duration.hours(1), successfulJobsRetained: d.int(0, 5) },
      field: /ttlAfterFinished: conflicts with successfulJobsRetained/,
    }),
    (_d, props) => ({ props: { ...props, schedule: undefined }, field: /schedule: missing is not a schedule/ }),
  ],
};

const NAMESPACE_FAULTS: Array<Fault<any>> = [
  (d, props) => ({ props: { ...props, name: d.pick(['Shop', 'shop_1', '-shop', 'shop-', 'a'.repeat(64), 'default', `kube-${dnsLabel(d, 5)}`]) }, field: /name: .* (is not a valid namespace name|is the namespace without isolation|is reserved)/ }),
  (d, props) => ({ props: { ...props, allowedLoadBalancers: d.pick([-d.int(1, 5), 1.5]) }, field: /allowedLoadBalancers: .* is not a count/ }),
  (d, props) => ({ props: { ...props, allowedNodePorts: d.pick([-d.int(1, 5), 2.5]) }, field: /allowedNodePorts: .* is not a count/ }),
  (d, props) => ({ props: { ...props, quota: NamespaceQuota.of({ pods: d.pick([-d.int(1, 5), 0.5]) }) }, field: /quota\.pods: .* is not a count/ }),
  (d, props) => {
    const limit = d.int(1, 1000);
    return { props: { ...props, quota: NamespaceQuota.of({ cpuMillis: { request: limit + d.int(1, 100), limit } }) }, field: /quota\.cpuMillis: request \d+ and limit \d+ are not a range/ };
  },
  (d, props) => ({ props: { ...props, quota: NamespaceQuota.fromWorkloads({ daemonSetNodes: -d.int(1, 5) }) }, field: /quota\.daemonSetNodes: .* is not a count/ }),
  (d, props) => ({
    props: { ...props, allowIngressFrom: [{ fromNamespace: d.pick(['Ingress', 'ingress_nginx', '', 'a'.repeat(64)]), ports: [kplus.NetworkPolicyPort.tcp(80)] }] },
    field: /allowIngressFrom\[0\]\.fromNamespace: .* is not a namespace name/,
  }),
  (d, props) => ({
    props: { ...props, allowIngressFrom: [{ fromNamespace: 'ingress-nginx', ports: [d.pick([kplus.NetworkPolicyPort.allTcp(), kplus.NetworkPolicyPort.tcp(65535 + d.int(1, 1000)), kplus.NetworkPolicyPort.tcpRange(d.int(2, 1000), 1)])] }] },
    field: /allowIngressFrom\[0\]\.ports\[0\]: port (range )?.* is not a (port number|range)/,
  }),
  (_d, props) => ({ props: { ...props, allowIngressFrom: [{ fromNamespace: 'ingress-nginx', ports: [] }] }, field: /allowIngressFrom\[0\]\.ports: \[\] names no port/ }),
  (d, props) => ({
    props: { ...props, allowIngressFrom: [{ fromNamespace: 'ingress-nginx', podLabels: d.pick([{}, { app: 'Bad Value' }, { 'Bad Key!': 'x' }]), ports: [kplus.NetworkPolicyPort.tcp(80)] }] },
    field: /allowIngressFrom\[0\]\.podLabels/,
  }),
  (d, props) => ({
    props: { ...props, allowEgressTo: [{ name: 'api', cidr: d.pick(['10.0.0.0/33', '10.0.0.256/8', '10.0.0.0', 'example.com/24', '2001:db8::/129', '']), ports: [kplus.NetworkPolicyPort.tcp(443)] }] },
    field: /allowEgressTo\[0\]\.cidr: .* is not a CIDR block/,
  }),
  (d, props) => ({
    props: { ...props, allowEgressTo: [{ name: 'api', cidr: '10.0.0.0/16', exceptCidrs: [d.pick(['10.1.0.0/24', '10.0.0.0/16', '10.0.0.0/8', 'nope'])], ports: [kplus.NetworkPolicyPort.tcp(443)] }] },
    field: /allowEgressTo\[0\]\.exceptCidrs\[0\]: .* is not a CIDR block strictly inside/,
  }),
  (d, props) => ({
    props: { ...props, allowEgressTo: [{ name: d.pick(['API', 'payments_api', '', 'a'.repeat(64)]), cidr: '10.0.0.0/16', ports: [kplus.NetworkPolicyPort.tcp(443)] }] },
    field: /allowEgressTo\[0\]\.name: .* is not a DNS label/,
  }),
  (_d, props) => ({
    props: {
      ...props,
      allowEgressTo: [
        { name: 'api', cidr: '10.0.0.0/16', ports: [kplus.NetworkPolicyPort.tcp(443)] },
        { name: 'api', cidr: '10.1.0.0/16', ports: [kplus.NetworkPolicyPort.tcp(443)] },
      ],
    },
    field: /allowEgressTo\[1\]\.name: 'api' already names allowEgressTo\[0\]/,
  }),
  (_d, props) => ({ props: { ...props, containerDefaults: ResourcePreset.LARGE, containerMaximum: ResourcePreset.SMALL }, field: /containerMaximum: preset 'small' limits cpu/ }),
];

const ACCOUNT_FAULTS: Array<Fault<any>> = [
  (d, props) => ({
    props: {
      ...props,
      permissions: [Permission.read(RbacResource.CONFIG_MAPS)],
      tokenExpiration: d.pick([Duration.seconds(d.int(0, 599)), Duration.hours(25), Duration.millis(600500)]),
    },
    field: /tokenExpiration: .* is not a whole number of seconds from 600/,
  }),
  (d, props) => ({
    props: { ...props, permissions: [Permission.read(RbacResource.CONFIG_MAPS)], tokenAudience: d.pick(['', ' ', ' vault', 'vault ']) },
    field: /tokenAudience: .* is not an audience/,
  }),
  (d, props) => ({
    props: { ...props, permissions: undefined, clusterPermissions: undefined, tokenExpiration: Duration.hours(1), tokenAudience: d.pick([undefined, 'vault']) },
    field: /tokenExpiration.*: the account has no permissions/,
  }),
  (d, props) => ({
    props: { ...props, permissions: [d.pick([Permission.read(RbacResource.NODES), Permission.read(RbacResource.NAMESPACES)])] },
    field: /permissions\[0\] \(.*\): .* is cluster-scoped/,
  }),
  (d, props) => ({
    props: { ...props, exemptions: undefined, permissions: [d.pick([Permission.allow([Verb.ALL], RbacResource.CONFIG_MAPS), Permission.read(RbacResource.custom('*', '*'))])] },
    field: /permissions\[0\] \(.*\) is refused by rbac-wildcard/,
  }),
  (_d, props) => ({ props: { ...props, exemptions: undefined, permissions: [Permission.read(RbacResource.SECRETS)] }, field: /permissions\[0\] \(.*\) is refused by rbac-secrets-read/ }),
  (_d, props) => ({ props: { ...props, exemptions: undefined, permissions: [Permission.allow([Verb.CREATE], RbacResource.PODS.withSubresource('exec'))] }, field: /is refused by rbac-pod-exec/ }),
  (d, props) => ({
    props: { ...props, metadata: { ...props.metadata, name: d.pick(['Reader', 'reader_1', '-reader']) } },
    field: /metadata\.name: .* is not a valid ServiceAccount name/,
  }),
];

/** A random invalid input of `kind`: a valid one with one fault, and the field the error must name. */
export function invalidCase(d: Draw, kind: Kind): InvalidCase {
  if (kind === 'IsolatedNamespace') {
    const spec = namespaceSpec(d);
    const { props, field } = d.pick(NAMESPACE_FAULTS)(d, spec.props);
    return { ...namespaceCase({ ...spec, props }), path: `test/${spec.id}`, field };
  }
  if (kind === 'LeastPrivilegeServiceAccount') {
    const spec = accountSpec(d);
    const { props, field } = d.pick(ACCOUNT_FAULTS)(d, spec.props);
    return { ...accountCase({ ...spec, props }), path: `test/${spec.id}`, field };
  }
  const spec = workloadSpec(d, kind);
  const { props, field } = d.pick([...WORKLOAD_FAULTS, ...EXTRA_FAULTS[kind] ?? []])(d, spec.props);
  return { ...workloadCase({ ...spec, props }), path: `test/${spec.id}`, field };
}

/** The App of a case's scope, for tests that need it. */
export function appOf(scope: Construct): App {
  return scope.node.root as App;
}
