import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { Amounts, formatAmount, parseAmount, RESOURCES, zeroAmounts } from './quantity';

/**
 * What the workloads declared in a namespace need from its ResourceQuota and LimitRange (internal, not part of the
 * jsii API). Read from each workload's rendered pod spec (`_toPodSpec()`), never from an ApiObject's `toJson()`: the
 * guard wraps `toJson()`, and re-entering it while an object is being serialized recurses.
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

/** Kinds whose objects create pods. */
const WORKLOAD_KINDS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob']);

/**
 * Every pod-creating object of the app in `namespace`: the cdk8s-plus workloads (hardened or not) with their pod
 * counts and resources, and the others (raw ApiObjects, DaemonSets without a node count...) as `uncounted`.
 * Containers without their own requests or limits get `defaults`, as the namespace's LimitRange gives them.
 */
export function namespaceUsage(root: IConstruct, namespace: string, defaults: Resources, daemonSetNodes?: number): NamespaceUsage {
  const all = root.node.findAll();
  const autoscaled = new Map<unknown, number>();
  for (const c of all) {
    if (c instanceof kplus.HorizontalPodAutoscaler) autoscaled.set(c.target, c.maxReplicas);
  }
  const workloads: WorkloadUsage[] = [];
  const uncounted: Uncounted[] = [];
  for (const c of all) {
    if (c instanceof kplus.AbstractPod) {
      if (c.metadata.namespace !== namespace) continue;
      const count = podCount(c, autoscaled, daemonSetNodes);
      if (typeof count === 'string') {
        uncounted.push({ path: c.node.path, reason: count });
        continue;
      }
      const spec = c._toPodSpec();
      const problems: string[] = [];
      const containers = [
        ...(spec.initContainers ?? []).map((k, i) => ({ sidecar: (k as any).restartPolicy === 'Always', usage: containerUsage(`initContainers[${i}] '${k.name}'`, k, defaults, problems) })),
        ...spec.containers.map((k, i) => ({ sidecar: true, usage: containerUsage(`containers[${i}] '${k.name}'`, k, defaults, problems) })),
      ];
      if (problems.length > 0) {
        uncounted.push(...problems.map(reason => ({ path: c.node.path, reason })));
        continue;
      }
      workloads.push({ path: c.node.path, ...count, perPod: podResources(containers), containers: containers.map(x => x.usage) });
    } else if (c instanceof ApiObject && WORKLOAD_KINDS.has(c.kind) && !(c.node.scope instanceof kplus.AbstractPod)
      && c.metadata.namespace === namespace) {
      uncounted.push({
        path: c.node.path,
        reason: `${c.kind} '${c.name}' is not a cdk8s-plus workload, so its pods cannot be counted; `
          + 'declare it with a (hardened) cdk8s-plus workload, or size the quota with NamespaceQuota.of()',
      });
    }
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

/** Pods the workload may run at once, or why they cannot be counted. */
function podCount(w: kplus.AbstractPod, autoscaled: Map<unknown, number>, daemonSetNodes?: number): { pods: number; podsText: string } | string {
  if (w instanceof kplus.Deployment) {
    const max = autoscaled.get(w);
    // cdk8s-plus renders 2 replicas when none are given.
    const replicas = max ?? w.replicas ?? 2;
    const strategy = w.strategy._toKube();
    const surge = strategy.type === 'Recreate' ? 0 : surgeOf(strategy.rollingUpdate?.maxSurge, replicas);
    const base = max === undefined ? `${replicas} replicas` : `autoscaler maxReplicas ${max}`;
    return { pods: replicas + surge, podsText: `${base} + ${surge} surge` };
  }
  if (w instanceof kplus.StatefulSet) {
    // StatefulSets replace pods one by one without surging; cdk8s-plus renders 1 replica when none are given.
    const max = autoscaled.get(w);
    const replicas = max ?? w.replicas ?? 1;
    return { pods: replicas, podsText: max === undefined ? `${replicas} replicas` : `autoscaler maxReplicas ${max}` };
  }
  if (w instanceof kplus.DaemonSet) {
    if (daemonSetNodes === undefined) {
      return 'a DaemonSet runs one pod per node, so its pods cannot be counted; give NamespaceQuota.fromWorkloads({ daemonSetNodes }) the node count, or size the quota with NamespaceQuota.of()';
    }
    return { pods: daemonSetNodes, podsText: `${daemonSetNodes} nodes` };
  }
  if (w instanceof kplus.CronJob) {
    switch (w.concurrencyPolicy) {
      case kplus.ConcurrencyPolicy.FORBID:
        return { pods: 1, podsText: '1 run at a time' };
      case kplus.ConcurrencyPolicy.REPLACE:
        // The replaced run's pod still counts while it terminates.
        return { pods: 2, podsText: 'a run and the one it replaces' };
      default:
        return `concurrencyPolicy ${w.concurrencyPolicy} lets runs overlap without bound, so its pods cannot be counted; `
          + 'use ConcurrencyPolicy.FORBID, or size the quota with NamespaceQuota.of()';
    }
  }
  if (w instanceof kplus.Job) {
    // cdk8s-plus-27 Jobs run one pod at a time; failed and finished pods no longer count against the quota.
    return { pods: 1, podsText: '1 pod at a time' };
  }
  if (w instanceof kplus.Pod) {
    return { pods: 1, podsText: 'a bare pod' };
  }
  return `${w.constructor.name} is a pod controller whose pods cannot be counted; size the quota with NamespaceQuota.of()`;
}

/** Extra pods of a rolling update: `maxSurge` as a number, or a percentage of the replicas rounded up (Kubernetes: 25%). */
function surgeOf(maxSurge: unknown, replicas: number): number {
  const value = (maxSurge as { value?: unknown } | undefined)?.value ?? maxSurge ?? '25%';
  if (typeof value === 'number') return value;
  const percent = /^([0-9]+)%$/.exec(String(value));
  return percent ? Math.ceil((replicas * Number(percent[1])) / 100) : Number(value);
}

/** A container's requests and limits after API defaulting (request = limit) and LimitRanger (defaults). */
function containerUsage(label: string, container: kplus.k8s.Container, defaults: Resources, problems: string[]): ContainerUsage {
  const requests = zeroAmounts();
  const limits = zeroAmounts();
  for (const resource of RESOURCES) {
    const own = (side: 'requests' | 'limits'): number | undefined => {
      const quantity = container.resources?.[side]?.[resource] as unknown;
      if (quantity === undefined) return undefined;
      const amount = parseAmount((quantity as { value?: unknown })?.value ?? quantity, resource);
      if (amount === undefined) problems.push(`${label}: resources.${side}.${resource} ${JSON.stringify((quantity as any)?.value ?? quantity)} is not a quantity the quota can count`);
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
