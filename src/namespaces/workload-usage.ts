import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Amounts, formatAmount, parseAmount, RESOURCES, zeroAmounts } from './quantity';
import { apiGroupOf, namespaceOf } from '../controls/core/manifest-index';
import { isObject, POD_RUNNING_KINDS, podOf } from '../controls/core/pod-template';
import { Guard } from '../guard/guard';

/**
 * What the workloads of a namespace need from its ResourceQuota and LimitRange (internal, not part of the jsii API).
 *
 * Read from each object's final JSON (JSON patches and other escape hatches applied), whatever declared it: a
 * (hardened) cdk8s-plus workload, a raw ApiObject or an Include. Each object is serialized with its class's own
 * `toJson()`, not the instance's: the guard replaces an instance's `toJson()` with one that evaluates the whole app,
 * which must not run from inside a validation or while the quota itself is serialized. The class's `toJson()` only
 * resolves the object's own values. Workloads and ResourceQuotas are serialized separately, the workloads never with
 * a quota, so a quota sized from the workloads does not recurse. Each set is serialized once per `App.synth()`.
 */

/** Requests and limits, per resource. */
export interface Resources {
  readonly requests: Amounts;
  readonly limits: Amounts;
}

/** One container of a workload, with what LimitRanger would fill in. */
export interface ContainerUsage extends Resources {
  /** `containers[0] 'web'` */
  readonly label: string;
}

/** One workload of the namespace. */
export interface WorkloadUsage {
  /** Construct path of the workload. */
  readonly path: string;
  /** Pods it may run at once, surge included. */
  readonly pods: number;
  /** How `pods` was counted, e.g. `2 replicas + 1 surge`. */
  readonly podsText: string;
  /** What one pod counts against the quota. */
  readonly perPod: Resources;
  /** Every container and init container, with defaults applied. */
  readonly containers: ContainerUsage[];
}

/** The workloads of one namespace. */
export interface NamespaceUsage {
  readonly workloads: WorkloadUsage[];
  /** Workload objects whose pods cannot be counted, with why and the fix. */
  readonly uncounted: Uncounted[];
}

/** A pod-creating object whose pods cannot be counted. */
export interface Uncounted {
  /** Construct path of the object. */
  readonly path: string;
  /** Why, and the fix. */
  readonly reason: string;
}

/** How the quota is sized, for the fixes messages name. */
export interface UsageOptions {
  /** Pods each DaemonSet runs (the node count), when known. */
  readonly daemonSetNodes?: number;
  /** The factory that sized the quota, e.g. `NamespaceQuota.of`, for fixes such as `NamespaceQuota.of({ daemonSetNodes })`. */
  readonly factory: string;
}

/** Pod-creating kinds, with their API group. */
const WORKLOAD_KINDS = POD_RUNNING_KINDS;
const AUTOSCALER = 'HorizontalPodAutoscaler';

/**
 * An ApiObject's JSON as its class serializes it (JSON patches applied), bypassing an instance-level `toJson()` the
 * guard installs: the guard's evaluates every guarded object of the app and must not run inside a validation.
 */
export function ownJson(object: ApiObject): any {
  return Object.getPrototypeOf(object).toJson.call(object);
}

/** Memo keys: the serialized objects of an app by namespace, computed once per `App.synth()` (see Guard._perSynthesis). */
const WORKLOAD_JSON = Symbol('cdk8s-hardened.workload-json');
const QUOTA_JSON = Symbol('cdk8s-hardened.quota-json');

/**
 * The final JSON of every object of the app whose kind is one of `kinds`, grouped by the namespace it lands in.
 * Serialized once per synthesis however many namespaces and charts ask (cdk8s validates the app once per chart).
 */
export function jsonByNamespace(
  root: IConstruct, key: symbol, kinds: (kind: string, apiVersion: string) => boolean,
): Map<string, Array<{ object: ApiObject; json: any }>> {
  return Guard._perSynthesis(root, key, () => {
    const grouped = new Map<string, Array<{ object: ApiObject; json: any }>>();
    for (const c of root.node.findAll()) {
      if (!(c instanceof ApiObject) || !kinds(c.kind, c.apiVersion)) continue;
      let json: any;
      try {
        json = ownJson(c);
      } catch {
        continue; // an object that cannot serialize fails synthesis on its own
      }
      const namespace = isObject(json) ? namespaceOf(json) : undefined;
      if (namespace === undefined) continue;
      const list = grouped.get(namespace);
      if (list) list.push({ object: c, json }); else grouped.set(namespace, [{ object: c, json }]);
    }
    return grouped;
  });
}

const ALL_JSON = Symbol('cdk8s-hardened.all-json');

/** Every object of the app by namespace, serialized once per `App.synth()` for all the checks that read every kind. */
export function allJsonByNamespace(root: IConstruct): Map<string, Array<{ object: ApiObject; json: any }>> {
  return jsonByNamespace(root, ALL_JSON, () => true);
}

/**
 * Every pod-creating object of the app whose final JSON is in `namespace`, with its pod count and resources, and the
 * ones whose pods cannot be counted (a DaemonSet without a node count, a CronJob whose runs overlap, no pod template,
 * a quantity that does not parse) as `uncounted`. Containers without their own requests or limits get `defaults`, as
 * the namespace's LimitRange gives them. An object that cannot serialize is skipped: it fails synthesis on its own.
 */
export function namespaceUsage(root: IConstruct, namespace: string, defaults: Resources, options: UsageOptions): NamespaceUsage {
  const workloadObjects: Array<{ path: string; json: any }> = [];
  const autoscalers: any[] = [];
  const objects = jsonByNamespace(root, WORKLOAD_JSON, kind => WORKLOAD_KINDS[kind] !== undefined || kind === AUTOSCALER).get(namespace) ?? [];
  for (const { object, json } of objects) {
    if (json.kind === AUTOSCALER && apiGroupOf(json) === 'autoscaling') autoscalers.push(json);
    else if (WORKLOAD_KINDS[json.kind] !== undefined) workloadObjects.push({ path: ownerPath(object), json });
  }
  const workloads: WorkloadUsage[] = [];
  const uncounted: Uncounted[] = [];
  for (const { path, json } of workloadObjects) {
    const what = `${json.kind} '${json.metadata?.name ?? ''}'`;
    const pod = WORKLOAD_KINDS[json.kind] === apiGroupOf(json) ? podOf(json) : undefined;
    if (!pod || !Array.isArray(pod.spec.containers) || pod.spec.containers.length === 0) {
      uncounted.push({ path, reason: `${what} has no pod template with containers (${json.apiVersion}), so its pods cannot be counted; give it one, as the API server requires` });
      continue;
    }
    const count = podCount(json, maxReplicasOf(json, autoscalers), options);
    if (typeof count === 'string') {
      uncounted.push({ path, reason: `${what}: ${count}` });
      continue;
    }
    const problems: string[] = [];
    const containers = [
      ...pod.containers.filter(v => v.list === 'initContainers')
        .map(v => ({ sidecar: v.container.restartPolicy === 'Always', usage: containerUsage(v.label, v.container, defaults, problems) })),
      ...pod.containers.filter(v => v.list === 'containers')
        .map(v => ({ sidecar: true, usage: containerUsage(v.label, v.container, defaults, problems) })),
    ];
    if (problems.length > 0) {
      uncounted.push(...problems.map(problem => ({ path, reason: `${what} ${problem}` })));
      continue;
    }
    workloads.push({ path, ...count, perPod: podResources(containers), containers: containers.map(x => x.usage) });
  }
  return { workloads, uncounted };
}

/** Quota keys with the amount of each resource, for messages: `requests.cpu 300m`. */
export function totalOf(workloads: WorkloadUsage[], side: keyof Resources, resource: keyof Amounts): number {
  return workloads.reduce((sum, w) => sum + w.pods * w.perPod[side][resource], 0);
}

/** `path: 3 pods (2 replicas + 1 surge) x 100m = 300m` for one workload and quota key. */
export function contribution(w: WorkloadUsage, side: keyof Resources | 'pods', resource?: keyof Amounts): string {
  if (side === 'pods' || resource === undefined) return `${w.path}: ${w.pods} pods (${w.podsText})`;
  const each = w.perPod[side][resource];
  return `${w.path}: ${w.pods} pods (${w.podsText}) x ${formatAmount(each, resource)} = ${formatAmount(w.pods * each, resource)}`;
}

/** The construct that declared an object: a cdk8s-plus resource for its primary `Resource` object, else the object. */
function ownerPath(object: ApiObject): string {
  const scope = object.node.scope;
  return object.node.id === 'Resource' && scope && scope.node.path !== '' ? scope.node.path : object.node.path;
}

/** `maxReplicas` of a HorizontalPodAutoscaler of the namespace that scales this object, if any. */
function maxReplicasOf(json: any, autoscalers: any[]): number | string | undefined {
  const autoscaler = autoscalers.find(hpa => {
    const target = hpa?.spec?.scaleTargetRef;
    return isObject(target) && target.kind === json.kind && target.name === json.metadata?.name;
  });
  if (!autoscaler) return undefined;
  const max = autoscaler.spec.maxReplicas;
  return isCount(max) ? max : `its HorizontalPodAutoscaler '${autoscaler.metadata?.name}' has maxReplicas ${JSON.stringify(max)}, not a count`;
}

/** Pods the object may run at once, or why they cannot be counted (with the fix). */
function podCount(json: any, autoscaled: number | string | undefined, options: UsageOptions): { pods: number; podsText: string } | string {
  const spec = isObject(json.spec) ? json.spec : {};
  if (typeof autoscaled === 'string') return `${autoscaled}; fix the autoscaler`;
  const replicas = (): number | string => {
    if (autoscaled !== undefined) return autoscaled;
    const value = spec.replicas ?? 1;
    return isCount(value) ? value : `spec.replicas ${JSON.stringify(value)} is not a count; give an integer from 0`;
  };
  const replicasText = (n: number) => (autoscaled === undefined ? `${n} replicas` : `autoscaler maxReplicas ${n}`);
  switch (json.kind) {
    case 'Deployment': {
      const n = replicas();
      if (typeof n === 'string') return n;
      const strategy = isObject(spec.strategy) ? spec.strategy : {};
      const surge = strategy.type === 'Recreate' ? 0 : surgeOf(strategy.rollingUpdate?.maxSurge ?? '25%', n);
      if (surge === undefined) {
        return `spec.strategy.rollingUpdate.maxSurge ${JSON.stringify(strategy.rollingUpdate.maxSurge)} is not a count or a percentage; use e.g. 1 or '25%'`;
      }
      return { pods: n + surge, podsText: `${replicasText(n)} + ${surge} surge` };
    }
    case 'StatefulSet':
    case 'ReplicaSet':
    case 'ReplicationController': {
      // These replace pods without surging.
      const n = replicas();
      return typeof n === 'string' ? n : { pods: n, podsText: replicasText(n) };
    }
    case 'DaemonSet': {
      const nodes = options.daemonSetNodes;
      if (nodes === undefined) {
        return `a DaemonSet runs one pod per node, so its pods cannot be counted; give ${options.factory}({ daemonSetNodes }) the node count`;
      }
      const maxSurge = spec.updateStrategy?.type === 'OnDelete' ? 0 : spec.updateStrategy?.rollingUpdate?.maxSurge ?? 0;
      const surge = surgeOf(maxSurge, nodes);
      if (surge === undefined) {
        return `spec.updateStrategy.rollingUpdate.maxSurge ${JSON.stringify(maxSurge)} is not a count or a percentage; use e.g. 1 or '10%'`;
      }
      return { pods: nodes + surge, podsText: surge > 0 ? `${nodes} nodes + ${surge} surge` : `${nodes} nodes` };
    }
    case 'Job': {
      const each = jobPods(spec);
      if (typeof each === 'string') return each;
      return { pods: each, podsText: each === 1 ? '1 pod at a time' : `parallelism ${each}` };
    }
    case 'CronJob': {
      const each = jobPods(isObject(spec.jobTemplate?.spec) ? spec.jobTemplate.spec : {});
      if (typeof each === 'string') return `the job template's ${each}`;
      const perRun = each === 1 ? '' : ` x parallelism ${each}`;
      // Kubernetes defaults concurrencyPolicy to Allow.
      const policy = spec.concurrencyPolicy ?? 'Allow';
      if (policy === 'Forbid') return { pods: each, podsText: `1 run at a time${perRun}` };
      // The replaced run's pods still count while they terminate.
      if (policy === 'Replace') return { pods: 2 * each, podsText: `a run and the one it replaces${perRun}` };
      return `concurrencyPolicy ${policy} lets runs overlap without bound, so its pods cannot be counted; use ConcurrencyPolicy.FORBID (or REPLACE)`;
    }
    default:
      // Pod: failed and finished pods no longer count against the quota.
      return { pods: 1, podsText: 'a bare pod' };
  }
}

/** Pods a Job runs at once: its parallelism (default 1), no more than its completions. */
function jobPods(spec: any): number | string {
  const parallelism = spec.parallelism ?? 1;
  if (!isCount(parallelism)) return `spec.parallelism ${JSON.stringify(parallelism)} is not a count; give an integer from 0`;
  const completions = spec.completions;
  if (completions === undefined || completions === null) return parallelism;
  if (!isCount(completions)) return `spec.completions ${JSON.stringify(completions)} is not a count; give an integer from 0`;
  return Math.min(parallelism, completions);
}

function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

/** Extra pods of a rolling update: `maxSurge` as a count, or a percentage of the replicas rounded up; undefined if neither. */
function surgeOf(maxSurge: unknown, replicas: number): number | undefined {
  if (isCount(maxSurge)) return maxSurge;
  const percent = /^([0-9]+)%$/.exec(String(maxSurge));
  if (percent) return Math.ceil((replicas * Number(percent[1])) / 100);
  return typeof maxSurge === 'string' && /^[0-9]+$/.test(maxSurge) ? Number(maxSurge) : undefined;
}

/** A container's requests and limits after API defaulting (request = limit) and LimitRanger (defaults). */
function containerUsage(label: string, container: any, defaults: Resources, problems: string[]): ContainerUsage {
  const requests = zeroAmounts();
  const limits = zeroAmounts();
  for (const resource of RESOURCES) {
    const own = (side: 'requests' | 'limits'): number | undefined => {
      const quantity = container.resources?.[side]?.[resource];
      if (quantity === undefined || quantity === null) return undefined;
      const amount = parseAmount(quantity, resource);
      if (amount === undefined) problems.push(`${label}: resources.${side}.${resource} ${JSON.stringify(quantity)} is not a quantity the quota can count; use e.g. '250m' or '256Mi'`);
      return amount;
    };
    const limit = own('limits');
    limits[resource] = limit ?? defaults.limits[resource];
    requests[resource] = own('requests') ?? limit ?? defaults.requests[resource];
  }
  return { label, requests, limits };
}

/**
 * What one pod counts against the quota: the larger of the containers' sum (sidecar init containers included) and
 * the largest regular init container, per resource and side.
 */
function podResources(containers: Array<{ sidecar: boolean; usage: ContainerUsage }>): Resources {
  const requests = zeroAmounts();
  const limits = zeroAmounts();
  for (const resource of RESOURCES) {
    for (const [side, out] of [['requests', requests], ['limits', limits]] as const) {
      const sum = containers.filter(c => c.sidecar).reduce((s, c) => s + c.usage[side][resource], 0);
      const init = Math.max(0, ...containers.filter(c => !c.sidecar).map(c => c.usage[side][resource]));
      out[resource] = Math.max(sum, init);
    }
  }
  return { requests, limits };
}

/** The cap one quota key puts on the namespace: the smallest among its unscoped ResourceQuotas. */
export interface QuotaCap {
  /** The amount (millicores for cpu, bytes for memory and ephemeral-storage, a count for pods). */
  readonly amount: number;
  /** The ResourceQuota that sets it. */
  readonly object: ApiObject;
  /** Its `metadata.name`. */
  readonly name: string;
}

/** Quota keys as the quota check reads them, with the keys Kubernetes treats as the same. */
const QUOTA_KEYS: Record<string, string[]> = {
  'pods': ['pods', 'count/pods'],
  'requests.cpu': ['requests.cpu', 'cpu'],
  'requests.memory': ['requests.memory', 'memory'],
  'requests.ephemeral-storage': ['requests.ephemeral-storage', 'ephemeral-storage'],
  'limits.cpu': ['limits.cpu'],
  'limits.memory': ['limits.memory'],
  'limits.ephemeral-storage': ['limits.ephemeral-storage'],
};

/**
 * What the unscoped ResourceQuotas of `namespace` in the app allow, read from their final JSON: per quota key
 * (`pods`, `requests.cpu`...), the smallest hard amount, since admission enforces every quota. Keys no quota sets are
 * absent. Only for validations: a ResourceQuota sized from the workloads serializes them, never the other way round.
 */
export function quotaCaps(root: IConstruct, namespace: string): Map<string, QuotaCap> {
  const caps = new Map<string, QuotaCap>();
  for (const { object: c, json } of jsonByNamespace(root, QUOTA_JSON, kind => kind === 'ResourceQuota').get(namespace) ?? []) {
    if (apiGroupOf(json) !== '' || !isObject(json.spec?.hard)) continue;
    const scoped = (Array.isArray(json.spec.scopes) && json.spec.scopes.length > 0)
      || (Array.isArray(json.spec.scopeSelector?.matchExpressions) && json.spec.scopeSelector.matchExpressions.length > 0);
    if (scoped) continue;
    for (const [key, aliases] of Object.entries(QUOTA_KEYS)) {
      const resource = key === 'pods' ? 'memory' : key.slice(key.indexOf('.') + 1) as keyof Amounts;
      for (const alias of aliases) {
        const amount = parseAmount(json.spec.hard[alias], resource);
        const known = caps.get(key);
        if (amount !== undefined && (known === undefined || amount < known.amount)) {
          caps.set(key, { amount, object: c, name: String(json.metadata?.name ?? '') });
        }
      }
    }
  }
  return caps;
}
